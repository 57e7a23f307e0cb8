"""The library's importer on the shared pipeline (`squaremile.imports`): methods from a CSV in the
shape `exports.csv_text` writes, or from the JSON `exports.json_response` writes (read as records by
the pipeline's reader: a list inside a record, such as the steps, purposes and links, arrives as its
JSON text and is read here) — another Square Mile's library, or a spreadsheet. Moderators only
(`method.import`); imported methods are published. A row is matched by its `id` (the method's
short name in the library it came from): importing the same file twice changes nothing."""

from __future__ import annotations

import json

from django.db import transaction
from django.utils import timezone

from squaremile.audit import services as audit
from squaremile.core.text import clean_text
from squaremile.imports import pipeline
from squaremile.imports.pipeline import Plan, Row, Target, quote
from squaremile.methods.exports import parse_steps_cell
from squaremile.methods.models import Difficulty, Licence, Method, MethodStep, Purpose, Setting, purposes_text
from squaremile.methods.services import _unique_slug, reindex, steps_text
from squaremile.moderation.models import ModerationState as S

TEXTS = ("summary", "description", "materials", "facilitator_skills", "tips", "variations", "origin", "links")
NUMBERS = ("min_people", "max_people", "minutes")
COMPARED = ("name", *TEXTS, "purposes", *NUMBERS, "setting", "difficulty", "licence")

TARGETS = (
    Target(
        "external_id",
        "Id",
        "The method's short name in the library it comes from.",
        required=True,
        synonyms=("id", "slug", "externalid"),
    ),
    Target("name", "Name", required=True, synonyms=("name", "method", "title")),
    Target("summary", "One-line summary", required=True, synonyms=("summary",)),
    Target("description", "Description", synonyms=("description",)),
    Target(
        "purposes", "Purposes", "Separated by commas: " + ", ".join(Purpose.values), synonyms=("purposes", "purpose")
    ),
    Target("min_people", "Smallest group", synonyms=("minpeople",)),
    Target("max_people", "Largest group", synonyms=("maxpeople",)),
    Target("minutes", "Minutes", synonyms=("minutes", "time")),
    Target("setting", "Setting", "face, online or both", synonyms=("setting",)),
    Target("difficulty", "Difficulty", "easy, medium or hard", synonyms=("difficulty",)),
    Target("materials", "Materials and space", synonyms=("materials",)),
    Target("facilitator_skills", "Facilitator skills", synonyms=("facilitatorskills",)),
    Target("tips", "Tips and traps", synonyms=("tips",)),
    Target("variations", "Variations", synonyms=("variations",)),
    Target("origin", "Origin and credit", synonyms=("origin", "credit")),
    Target("licence", "Licence", "e.g. CC-BY-SA-4.0", synonyms=("licence", "license")),
    Target("links", "Links", synonyms=("links",)),
    Target("steps", "Steps", "One a line: title | minutes | what happens", synonyms=("steps",)),
)


def _cell(row: Row, key: str, *, multiline: bool = True) -> str:
    text = clean_text(row.get(key) or "", multiline=multiline).strip()
    return text[1:] if text.startswith("'") and text[1:2] in ("=", "+", "-", "@") else text


def _json_list(text: str, what: str, problems: list[str]) -> list | None:
    """A cell that holds a JSON list (from a JSON file): the list; None when the cell is plain text."""
    if not text.startswith("["):
        return None
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        problems.append(f"the {what} {quote(text)} are not a readable list")
        return []
    if not isinstance(value, list):
        problems.append(f"the {what} are not a list")
        return []
    return value


class MethodImporter(pipeline.Importer):
    key = "methods.methods"
    title = "Import methods"
    permission = "method.import"
    words = ("method", "methods")
    targets = TARGETS
    inline_rows = 2_000

    def prepare(self, table, options):
        return {}

    def check_row(self, row: Row, context, options):
        problems, values = [], {}
        values["external_id"] = _cell(row, "external_id", multiline=False)[:140]
        values["name"] = _cell(row, "name", multiline=False)
        values["summary"] = _cell(row, "summary", multiline=False)
        if not values["external_id"]:
            problems.append("the id is missing")
        if not values["name"] or len(values["name"]) > 120:
            problems.append("the name is missing or longer than 120 characters")
        if not values["summary"] or len(values["summary"]) > 200:
            problems.append("the summary is missing or longer than 200 characters")
        for key in TEXTS[1:]:
            values[key] = _cell(row, key)
        links = _json_list(values["links"], "links", problems)
        if links is not None:
            values["links"] = "\n".join(str(link).strip() for link in links if str(link).strip())
        raw_purposes = _cell(row, "purposes", multiline=False)
        purposes = _json_list(raw_purposes, "purposes", problems)
        if purposes is None:
            purposes = raw_purposes.split(",")
        purposes = [str(p).strip() for p in purposes if str(p).strip()]
        unknown = [p for p in purposes if p not in Purpose.values]
        if unknown:
            problems.append(f"the purpose {quote(unknown[0])} is not one the library knows")
        values["purposes"] = purposes_text(purposes)
        defaults = {"min_people": 2, "max_people": 30, "minutes": 60}
        for key in NUMBERS:
            raw = _cell(row, key, multiline=False)
            if not raw:
                values[key] = defaults[key]
            elif raw.isdigit() and 0 < int(raw) <= 100_000:
                values[key] = int(raw)
            else:
                problems.append(f"{key.replace('_', ' ')} {quote(raw)} is not a whole number above 0")
        if not problems and values["max_people"] < values["min_people"]:
            problems.append("the largest group is smaller than the smallest")
        for key, choices, default in (
            ("setting", Setting, Setting.FACE),
            ("difficulty", Difficulty, Difficulty.EASY),
            ("licence", Licence, Licence.CC_BY_SA),
        ):
            raw = _cell(row, key, multiline=False) or default
            if raw not in choices.values:
                problems.append(f"the {key} {quote(raw)} is not one of {', '.join(choices.values)}")
            values[key] = raw
        steps = []
        raw_steps = _cell(row, "steps")
        listed = _json_list(raw_steps, "steps", problems)
        if listed is None:
            listed = parse_steps_cell(raw_steps)
        elif not all(isinstance(step, dict) and str(step.get("title") or "").strip() for step in listed):
            problems.append('every step needs a title (steps: [{"title": ..., "minutes": ..., "text": ...}])')
            listed = []
        else:
            listed = [
                {
                    "title": clean_text(str(st["title"]), multiline=False).strip(),
                    "minutes": str(st.get("minutes", 0)),
                    "text": clean_text(str(st.get("text") or ""), multiline=True).strip(),
                }
                for st in listed
            ]
        for step in listed:
            if not str(step["minutes"]).isdigit() or int(step["minutes"]) > 1440:
                problems.append(f"the step {quote(step['title'])} has no minutes between 0 and 1440")
                break
            steps.append({"title": step["title"][:160], "minutes": int(step["minutes"]), "text": step["text"]})
        values["steps"] = steps
        return (None, problems) if problems else (values, [])

    def key_of(self, values):
        return values["external_id"]

    def match(self, checked, context, options, plan: Plan) -> None:
        keys = [v["external_id"] for _, v in checked]
        existing = {}
        for start in range(0, len(keys), 900):
            for m in Method.objects.filter(external_id__in=keys[start : start + 900]).prefetch_related("steps"):
                existing[m.external_id] = m
        for number, values in checked:
            method = existing.get(values["external_id"])
            if method is None:
                plan.creates.append((number, values))
                continue
            changes = {k: [getattr(method, k), values[k]] for k in COMPARED if getattr(method, k) != values[k]}
            new_steps = "\n".join(f"{s['title']} ({s['minutes']} min): {s['text']}" for s in values["steps"])
            if steps_text(method) != new_steps:
                changes["steps"] = [steps_text(method), new_steps]
            if changes:
                method._import_values = values
                plan.updates.append((number, method, changes))
            else:
                plan.unchanged += 1

    @transaction.atomic
    def write(self, plan: Plan, *, by, options) -> None:
        now = timezone.now()
        actor = by if getattr(by, "pk", None) else None
        for _, values in plan.creates:
            data = {k: v for k, v in values.items() if k != "steps"}
            method = Method.objects.create(
                **data, slug=_unique_slug(values["name"]), status=S.PUBLISHED, published_at=now, owner=actor
            )
            MethodStep.objects.bulk_create(
                [MethodStep(method=method, position=i, **s) for i, s in enumerate(values["steps"])]
            )
            audit.record(actor=actor, action="method.imported", target=method)
            reindex(method)
        for _, method, changes in plan.updates:
            values = method._import_values
            for k in COMPARED:
                setattr(method, k, values[k])
            method.save()
            method.steps.all().delete()
            MethodStep.objects.bulk_create(
                [MethodStep(method=method, position=i, **s) for i, s in enumerate(values["steps"])]
            )
            audit.record(
                actor=actor,
                action="method.imported",
                target=method,
                changes={k: [str(a)[:200], str(b)[:200]] for k, (a, b) in changes.items()},
            )
            reindex(method)

    def describe(self, record) -> str:
        return record["name"] if isinstance(record, dict) else record.name

    url_names = "methods:import"
    done_url = "methods:list"
    done_label = "See the methods"


METHODS = pipeline.register(MethodImporter())
