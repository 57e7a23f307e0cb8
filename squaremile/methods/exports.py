"""The library as open data: JSON (every field, the steps, the licence of each method) and CSV
(one row a method; the steps in one column, "title | minutes | text" a line). The CSV is what the
import (`importers.py`) reads back."""

from __future__ import annotations

import csv
import io
import json

from django.http import HttpResponse
from django.utils import timezone

from squaremile.methods.models import LICENCE_URLS, Method
from squaremile.moderation.models import ModerationState as S

COLUMNS = [
    "id", "name", "summary", "description", "purposes", "min_people", "max_people", "minutes", "setting",
    "difficulty", "materials", "facilitator_skills", "tips", "variations", "origin", "licence", "licence_url",
    "links", "steps", "use_count",
]  # fmt: skip


def published():
    return Method.objects.filter(status=S.PUBLISHED).prefetch_related("steps").order_by("name", "id")


def steps_cell(method: Method) -> str:
    return "\n".join(f"{s.title} | {s.minutes} | {s.text}".replace("\r", "") for s in method.steps.all())


def parse_steps_cell(text: str) -> list[dict]:
    steps = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|", 2)]
        title = parts[0]
        minutes = parts[1] if len(parts) > 1 else "0"
        steps.append({"title": title, "minutes": minutes, "text": parts[2] if len(parts) > 2 else ""})
    return steps


def as_dict(method: Method) -> dict:
    return {
        "id": method.external_id or method.slug,
        "name": method.name,
        "summary": method.summary,
        "description": method.description,
        "purposes": method.purpose_list,
        "min_people": method.min_people,
        "max_people": method.max_people,
        "minutes": method.minutes,
        "setting": method.setting,
        "difficulty": method.difficulty,
        "materials": method.materials,
        "facilitator_skills": method.facilitator_skills,
        "tips": method.tips,
        "variations": method.variations,
        "origin": method.origin,
        "licence": method.licence,
        "licence_url": LICENCE_URLS.get(method.licence, ""),
        "links": method.link_list,
        "steps": [{"title": s.title, "minutes": s.minutes, "text": s.text} for s in method.steps.all()],
        "use_count": method.use_count,
    }


def json_response(methods) -> HttpResponse:
    body = {
        "exported_at": timezone.now().isoformat(),
        "note": "Each method carries its own content licence (licence, licence_url).",
        "methods": [as_dict(m) for m in methods],
    }
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False, indent=1), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="methods.json"'
    return response


def csv_text(methods) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for m in methods:
        d = as_dict(m)
        d["purposes"] = ",".join(d["purposes"])
        d["links"] = "\n".join(d["links"])
        d["steps"] = steps_cell(m)
        writer.writerow([_safe_cell(d[c]) for c in COLUMNS])
    return out.getvalue()


def _safe_cell(value):
    """No spreadsheet formulas: a cell starting with = + - @ gets a leading apostrophe."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else value


def csv_response(methods) -> HttpResponse:
    response = HttpResponse(csv_text(methods), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="methods.csv"'
    return response
