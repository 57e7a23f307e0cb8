"""Exports of any filtered map view as GeoJSON, CSV or KML.

The filters are the map's own (`filters.parse_filters`, the same query parameters as the map page
and the API); what a person may export is what `filters.filtered_entries` lets them see (the
public: published entries only). Private fields (a submitter's name and email, the owner) are
never exported.

Small results are streamed straight to the browser (`stream_response`); results larger than
`MAP_EXPORT_INLINE_MAX` (5,000) entries are written to a file by a background job
(`io/tasks.py`: `start_export` -> `run_export` -> `export_job`) that the owner downloads when it is ready.

CSV cells that a spreadsheet would read as a formula (starting with = + - @, a tab or a carriage
return) are prefixed with a quote. KML and XML text is escaped, and characters XML cannot hold
are dropped.
"""

from __future__ import annotations

import csv
import json
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from urllib.parse import urlencode

from django.conf import settings
from django.http import QueryDict, StreamingHttpResponse
from django.utils import timezone

from squaremile.core.text import xml_safe
from squaremile.mapping.entries.filters import MapFilters, filtered_entries, parse_filters
from squaremile.mapping.entries.selectors import category_questions
from squaremile.mapping.models import Entry
from squaremile.questions.answers import answer_text

FORMATS: dict[str, tuple[str, str, str]] = {
    # format: (content type, file extension, what it is for)
    "geojson": ("application/geo+json", "geojson", "For mapping software (QGIS, uMap) and developers."),
    "csv": ("text/csv; charset=utf-8", "csv", "For spreadsheets (Excel, LibreOffice, Google Sheets)."),
    "kml": ("application/vnd.google-earth.kml+xml", "kml", "For Google Earth and Google My Maps."),
}
FORMAT_LABELS = {"geojson": "GeoJSON", "csv": "CSV", "kml": "KML"}
CSV_COLUMNS = (
    "id", "title", "description", "category", "category_slug", "status", "verified", "latitude", "longitude",
    "area", "organisation", "start_date", "end_date", "announced_on", "takes_effect_on", "external_id", "source",
    "url", "published_at", "updated_at",
)  # fmt: skip
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_HEX = re.compile(r"^#([0-9a-fA-F]{6})$")


def inline_max() -> int:
    """Exports with more entries than this run as a background job."""
    return int(getattr(settings, "MAP_EXPORT_INLINE_MAX", 5_000))


def export_params(filters: MapFilters) -> list[tuple[str, str]]:
    """The filters as query parameters for an export (the zoom does not change what is exported)."""
    return [(k, v) for k, v in filters.params(view=True) if k != "zoom"]


def export_queryset(filters: MapFilters, *, user):
    return filtered_entries(filters, user=user).select_related("category", "area", "organisation").order_by("pk")


def export_filename(fmt: str) -> str:
    return f"map-entries-{timezone.localdate().isoformat()}.{FORMATS[fmt][1]}"


# ---- cell values --------------------------------------------------------------------------
def safe_cell(value) -> str:
    """A CSV cell a spreadsheet shows as text, never runs as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return repr(value) if isinstance(value, float) else str(value)
    text = str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def xml_text(value) -> str:
    """Text for an XML element or attribute: characters XML 1.0 cannot hold dropped, then escaped."""
    from xml.sax.saxutils import escape

    text = "" if value is None else str(value)
    return escape(xml_safe(text), {'"': "&quot;", "'": "&apos;"})


def kml_colour(hex_colour: str) -> str:
    """#rrggbb -> KML's aabbggrr (opaque)."""
    match = _HEX.match(hex_colour or "")
    rgb = match.group(1).lower() if match else "2f6f4f"
    return f"ff{rgb[4:6]}{rgb[2:4]}{rgb[0:2]}"


def _iso(value) -> str:
    return value.isoformat() if value else ""


class _Questions:
    """Column names for the extra questions' answers, loaded once per export."""

    def __init__(self):
        self.labels: dict[str, str] = {}
        self.by_key = {}
        seen: set[str] = set()
        for q in category_questions():
            label = q.label.strip() or f"Question {q.pk}"
            if label.casefold() in seen or label.casefold() in CSV_COLUMNS:
                label = f"{label} ({q.category.name})"
            seen.add(label.casefold())
            self.labels[str(q.pk)] = label
            self.by_key[str(q.pk)] = q

    def named(self, answers: dict) -> dict:
        """Label -> stored value (JSON files)."""
        return {self.labels[k]: v for k, v in (answers or {}).items() if k in self.labels}

    def text(self, key: str, answers: dict):
        """One answer as a file cell that imports again (`questions.answers.answer_text`)."""
        return answer_text(self.by_key[key], (answers or {}).get(key))


def _record(entry: Entry, base_url: str) -> dict:
    return {
        "id": entry.pk,
        "title": entry.title,
        "description": entry.description,
        "category": entry.category.name,
        "category_slug": entry.category.slug,
        "status": entry.status,
        "verified": entry.verified,
        "latitude": entry.lat,
        "longitude": entry.lng,
        "area": entry.area.name if entry.area_id else "",
        "organisation": entry.organisation.name if entry.organisation_id else "",
        "start_date": _iso(entry.start_date),
        "end_date": _iso(entry.end_date),
        "announced_on": _iso(entry.announced_on),
        "takes_effect_on": _iso(entry.takes_effect_on),
        "external_id": entry.external_id or "",
        "source": entry.source,
        "url": base_url + entry.get_absolute_url(),
        "published_at": _iso(entry.published_at),
        "updated_at": _iso(entry.updated_at),
    }


# ---- writers: each yields text chunks -----------------------------------------------------
def _counted(entries: Iterable[Entry], progress: Callable[[int], None] | None) -> Iterator[Entry]:
    for n, entry in enumerate(entries, 1):
        yield entry
        if progress and n % 1000 == 0:
            progress(n)


def geojson_chunks(entries: Iterable[Entry], *, base_url: str = "", progress=None) -> Iterator[str]:
    questions = _Questions()
    yield '{"type": "FeatureCollection", "features": ['
    first = True
    for entry in _counted(entries, progress):
        props = _record(entry, base_url)
        props.pop("latitude"), props.pop("longitude")
        props["category_colour"] = entry.category.colour
        props["answers"] = questions.named(entry.answers)
        feature = {
            "type": "Feature",
            "id": entry.pk,
            "geometry": {"type": "Point", "coordinates": [entry.lng, entry.lat]},
            "properties": props,
        }
        yield ("" if first else ",") + "\n" + json.dumps(feature, ensure_ascii=False)
        first = False
    yield "\n]}\n"


class _Line:
    """A file-like object that hands back what csv.writer writes, one row at a time."""

    def write(self, value):
        return value


def csv_chunks(entries: Iterable[Entry], *, base_url: str = "", progress=None) -> Iterator[str]:
    questions = _Questions()
    extra = list(questions.labels.items())
    writer = csv.writer(_Line())
    yield "\ufeff"  # a BOM, so that spreadsheets read the file as UTF-8
    yield writer.writerow([*CSV_COLUMNS, *(safe_cell(label) for _, label in extra)])
    for entry in _counted(entries, progress):
        record = _record(entry, base_url)
        answers = entry.answers or {}
        row = [safe_cell(record[c]) for c in CSV_COLUMNS] + [safe_cell(questions.text(pk, answers)) for pk, _ in extra]
        yield writer.writerow(row)


def kml_chunks(entries: Iterable[Entry], *, base_url: str = "", progress=None, title: str = "") -> Iterator[str]:
    from squaremile.mapping.models import Category

    questions = _Questions()
    name = title or f"{getattr(settings, 'SITE_NAME', 'Square Mile')} map"
    yield '<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2">\n<Document>\n'
    yield f"<name>{xml_text(name)}</name>\n"
    for category in Category.objects.order_by("pk"):
        yield (
            f'<Style id="cat-{category.pk}"><IconStyle><color>{kml_colour(category.colour)}</color>'
            f"<scale>1.1</scale></IconStyle><LabelStyle><scale>0.8</scale></LabelStyle></Style>\n"
        )
    for entry in _counted(entries, progress):
        record = _record(entry, base_url)
        data = "".join(
            f'<Data name="{xml_text(key)}"><value>{xml_text(safe_value(record[key]))}</value></Data>'
            for key in (
                "category",
                "status",
                "verified",
                "area",
                "organisation",
                "start_date",
                "end_date",
                "announced_on",
                "takes_effect_on",
                "external_id",
                "url",
            )  # fmt: skip
            if record[key] not in ("", None)
        )
        data += "".join(
            f'<Data name="{xml_text(questions.labels[key])}">'
            f"<value>{xml_text(safe_value(questions.text(key, entry.answers)))}</value></Data>"
            for key in questions.labels
            if key in (entry.answers or {})
        )
        yield (
            f"<Placemark><name>{xml_text(entry.title)}</name>"
            f"<description>{xml_text(entry.description)}</description>"
            f"<styleUrl>#cat-{entry.category_id}</styleUrl><ExtendedData>{data}</ExtendedData>"
            f"<Point><coordinates>{entry.lng!r},{entry.lat!r}</coordinates></Point></Placemark>\n"
        )
    yield "</Document>\n</kml>\n"


def safe_value(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value)


WRITERS = {"geojson": geojson_chunks, "csv": csv_chunks, "kml": kml_chunks}


def chunks(fmt: str, entries: Iterable[Entry], *, base_url: str = "", progress=None) -> Iterator[str]:
    return WRITERS[fmt](entries, base_url=base_url, progress=progress)


def stream_response(fmt: str, queryset, *, base_url: str) -> StreamingHttpResponse:
    """The export as a download, written while it is sent (no file, little memory)."""
    content_type, _, _ = FORMATS[fmt]
    body = (chunk.encode() for chunk in chunks(fmt, queryset.iterator(chunk_size=1000), base_url=base_url))
    response = StreamingHttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{export_filename(fmt)}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def write_file(fmt: str, entries: Iterable[Entry], handle, *, base_url: str = "", progress=None) -> None:
    for chunk in chunks(fmt, entries, base_url=base_url, progress=progress):
        handle.write(chunk.encode())


# ---- background exports (started by io/tasks.py start_export) --------------------------------
def export_job(job_id: int) -> None:
    from squaremile.core.jobs import JobError, Progress, job_finish, job_running
    from squaremile.core.models import Job

    job = Job.objects.select_related("owner").get(pk=job_id)
    with job_running(job, message="Exporting…") as job:
        fmt = job.params.get("format")
        if fmt not in FORMATS:
            raise JobError("This export's format is not known.")
        query = QueryDict(urlencode([tuple(pair) for pair in job.params.get("filters") or []]))
        try:
            filters = parse_filters(query)
        except Exception as exc:  # a category or area removed since: say so
            raise JobError(f"The filters no longer work: {exc}") from None
        queryset = export_queryset(filters, user=job.owner)
        total = queryset.count()
        progress = Progress(job, total=total, message=f"Exporting {total:,} entries…")
        with tempfile.TemporaryFile() as handle:
            write_file(fmt, queryset.iterator(chunk_size=2000), handle, base_url=job.params.get("base_url", ""),
                       progress=progress.update)  # fmt: skip
            handle.seek(0)
            job_finish(
                job,
                message=f"Exported {total:,} entries. The file is ready.",
                result=(export_filename(fmt), handle),
                report={"summary": [["Entries", total]]},
            )
