"""Representatives from a CSV, on the shared import pipeline (`squaremile.imports`): a council's list
of ward councillors, the list of MPs. For administrators (`representative.import`).

A row holds a name (needed), and any of: role, body (a body's name or short name), area (an area's
name or short name), party ("Independent" or empty for none), e-mail, phone, website, term start and
end (dates), last checked (a date; the day of the import when the column is not in the file) and an
external id. Matched on the external id, else on name + area, so importing the same list again
changes nothing; only the "last checked" date moves forward.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils import timezone

from squaremile.core.text import clean_text
from squaremile.imports import pipeline
from squaremile.imports.pipeline import Plan, Row, Target, quote
from squaremile.questions.answers import parse_date

TARGETS = (
    Target("name", "Name", "Needed for every row.", required=True,
           synonyms=("name", "fullname", "councillor", "representative", "member")),
    Target("role", "Role", "Such as Councillor, Mayor, Member of Parliament.", synonyms=("role", "title", "position")),
    Target("body", "Body", "The council or body they sit on (its name).", synonyms=("body", "council", "authority")),
    Target("area", "Area", "The ward or area they represent (an area's name).",
           synonyms=("area", "ward", "division", "constituency", "parish")),
    Target("party", "Party", "Empty or “Independent” for an independent.", synonyms=("party", "group")),
    Target("email", "E-mail", synonyms=("email", "emailaddress", "mail")),
    Target("phone", "Phone", synonyms=("phone", "telephone", "tel")),
    Target("website", "Website", synonyms=("website", "url", "web", "homepage")),
    Target("term_start", "Term starts", "A date, e.g. 2025-05-01.", synonyms=("termstart", "elected", "start")),
    Target("term_end", "Term ends", "A date.", synonyms=("termend", "end", "until")),
    Target("last_checked", "Last checked", "When these details were checked (a date); today if left out.",
           synonyms=("lastchecked", "checked", "verified", "updated")),
    Target("external_id", "External id", "The row's id in your list; used to update rows imported before.",
           synonyms=("externalid", "id", "ref", "reference", "uid")),
)  # fmt: skip
COMPARED = ("name", "role", "body_id", "area_id", "party", "email", "phone", "website", "term_start", "term_end")


@dataclass
class RepContext:
    bodies: dict[str, int]
    areas: dict[str, int]
    today: object
    existing: dict[str, object] = field(default_factory=dict)


class RepresentativeImporter(pipeline.Importer):
    key = "civic.representatives"
    title = "Import representatives"
    permission = "representative.import"
    words = ("representative", "representatives")
    targets = TARGETS
    inline_rows = 2_000

    def prepare(self, table, options) -> RepContext:
        from squaremile.civic.models import Body
        from squaremile.places.models import Area

        bodies: dict[str, int] = {}
        for pk, name, slug in Body.objects.order_by("id").values_list("pk", "name", "slug"):
            bodies.setdefault(name.casefold(), pk)
            bodies.setdefault(slug.casefold(), pk)
        areas: dict[str, int] = {}
        if options.mapping.get("area"):
            for pk, name, slug in Area.objects.order_by("id").values_list("pk", "name", "slug"):
                areas.setdefault(name.casefold(), pk)
                areas.setdefault(slug.casefold(), pk)
        return RepContext(bodies=bodies, areas=areas, today=timezone.localdate())

    def check_row(self, row: Row, context: RepContext, options):
        problems: list[str] = []

        def text(key: str) -> str:
            return clean_text(row.get(key) or "", multiline=False).strip()

        values: dict = {"name": text("name")}
        if not values["name"]:
            problems.append("the name is missing")
        elif len(values["name"]) > 200:
            problems.append("the name is longer than 200 characters")
        values["role"] = (text("role") or "Councillor")[:100]
        values["body_id"] = values["area_id"] = None
        for key, lookup, word in (("body", context.bodies, "body"), ("area", context.areas, "area")):
            if text(key):
                found = lookup.get(text(key).casefold())
                if found is None:
                    problems.append(f"there is no {word} called {quote(text(key))}")
                values[f"{key}_id"] = found
        party = text("party")
        values["party"] = "" if party.casefold() in ("independent", "ind", "none", "-") else party[:100]
        values["email"] = text("email")
        if values["email"]:
            try:
                EmailValidator()(values["email"])
            except ValidationError:
                problems.append(f"the e-mail {quote(values['email'])} is not an e-mail address")
        values["phone"] = text("phone")[:40]
        values["website"] = text("website")
        if values["website"]:
            try:
                URLValidator(schemes=["http", "https"])(values["website"])
            except ValidationError:
                problems.append(f"the website {quote(values['website'])} is not a web address")
        for key, label in (("term_start", "term start"), ("term_end", "term end"), ("last_checked", "last checked")):
            raw = text(key)
            values[key] = parse_date(raw) if raw else None  # the shared date rule (questions.answers)
            if raw and values[key] is None:
                problems.append(f"the {label} {quote(raw)} is not a date")
        if values["last_checked"] is None:
            values["last_checked"] = context.today
        if values["term_start"] and values["term_end"] and values["term_end"] < values["term_start"]:
            problems.append("the term ends before it starts")
        external = text("external_id")[:200]
        if not external and values["name"]:
            digest = hashlib.sha1(f"{values['name'].casefold()}|{values['area_id']}".encode(), usedforsecurity=False)
            external = "auto:" + digest.hexdigest()[:24]
        values["external_id"] = external
        return (None, problems) if problems else (values, [])

    def key_of(self, values: dict) -> str:
        return values["external_id"]

    def match(self, checked, context: RepContext, options, plan: Plan) -> None:
        from squaremile.civic.models import Representative

        keys = [v["external_id"] for _, v in checked]
        for start in range(0, len(keys), 900):
            for rep in Representative.objects.filter(external_id__in=keys[start : start + 900]):
                context.existing[rep.external_id] = rep
        for number, values in checked:
            rep = context.existing.get(values["external_id"])
            if rep is None:
                plan.creates.append((number, values))
                continue
            changes = {}
            for name in COMPARED:
                if getattr(rep, name) != values[name]:
                    changes[name] = [getattr(rep, name), values[name]]
                    setattr(rep, name, values[name])
            rep.last_checked = max(filter(None, [rep.last_checked, values["last_checked"]]))
            rep._checked_only = not changes
            if changes:
                plan.updates.append((number, rep, changes))
            else:
                plan.unchanged += 1
                context.existing[values["external_id"]] = rep

    def write(self, plan: Plan, *, by, options) -> None:
        from squaremile.civic.models import Representative

        Representative.objects.bulk_create([Representative(**values) for _, values in plan.creates], batch_size=500)
        updated = [rep for _, rep, _ in plan.updates]
        if updated:
            Representative.objects.bulk_update(updated, [*COMPARED, "last_checked"], batch_size=500)

    def describe(self, record) -> str:
        return record["name"] if isinstance(record, dict) else record.name

    url_names = "civic:import"
    done_url = "civic:representatives"
    done_label = "See the representatives"


REPRESENTATIVES = pipeline.register(RepresentativeImporter())
