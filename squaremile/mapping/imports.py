"""Importing entries from a CSV or GeoJSON file: read, map columns, check every row, apply whole or not at all.

The steps, usable without the web layer (the management command and the benchmark call them):

    table = read_table(data, "halls.csv")                 # ImportFileError if the file cannot be read
    options = ImportOptions(mapping=guess_mapping(table.columns), default_category_id=..., publish=True,
                            source="halls.csv")
    plan = import_preview(table=table, options=options, by=user)   # reads only: counts and every bad row
    result = import_apply(table=table, options=options, by=user)   # one transaction; ImportRejected if
                                                                    # any row is bad (then nothing changes)

Rows are matched to stored entries by external id. When the file has no external-id column, a
row's id is made from its title and coordinates ("auto:..."), so re-importing the same file
changes nothing either way. A row whose values equal the stored entry's is "unchanged".

Speed: categories, organisations and existing entries are looked up in memory; the area of each
point comes from one vectorised shapely query over every area's boundary (an STRtree); entries and
their history are written with bulk_create / bulk_update in batches, and the map's cluster cells
are adjusted at the end (`clusters.apply_many`, or `clusters.rebuild()` for large imports).

The web wizard keeps the uploaded file and the column choice in a `core.Job` (see `start_import`,
`save_options`, `check_import_job`, `apply_import_job`); large files are checked and applied by a
background task (`io_tasks.py`) with progress on the job page.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import logging
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from squaremile.audit.models import AuditEvent
from squaremile.core.permissions import require
from squaremile.core.text import clean_text
from squaremile.mapping.models import (
    DESCRIPTION_MAX,
    TITLE_MAX,
    Category,
    Entry,
    EntryAction,
    EntryStatus,
    audit_action,
    date_columns,
)
from squaremile.questions.answers import NO_WORDS, YES_WORDS, parse_answer
from squaremile.questions.models import Question
from squaremile.questions.selectors import questions_for_model

logger = logging.getLogger(__name__)

EXTERNAL_ID_MAX = 200
# The verified column: the one set of yes/no words (squaremile.questions.answers), "verified", and
# an empty cell for no.
YES = YES_WORDS | {"verified"}
NO = NO_WORDS | {""}
ERRORS_KEPT = 10_000  # bad rows stored in a job's report (the count is always exact)
SAMPLE_ROWS = 5
SAMPLE_CELL_MAX = 80  # characters of a cell shown in the sample on the columns page
COLUMN_NAME_MAX = 100  # a longer column name is cut (the column page lists every name in every choice)


def max_rows() -> int:
    return int(getattr(settings, "MAP_IMPORT_MAX_ROWS", 200_000))


def max_bytes() -> int:
    return int(getattr(settings, "MAP_IMPORT_MAX_BYTES", 100 * 1024 * 1024))


def max_columns() -> int:
    """Files with more columns than this are refused (the columns page lists each in every choice)."""
    return int(getattr(settings, "MAP_IMPORT_MAX_COLUMNS", 200))


def inline_rows() -> int:
    """Files with more rows than this are checked and applied by a background task."""
    return int(getattr(settings, "MAP_IMPORT_INLINE_ROWS", 2_000))


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message says why in plain words."""


# ---- reading files ------------------------------------------------------------------------
@dataclass
class Table:
    kind: str  # "csv" or "geojson"
    columns: list[str]
    rows: list[list[str]]  # cells in column order, every row as long as `columns`
    numbers: list[int]  # the number a person sees for each row (spreadsheet row; GeoJSON feature)
    points: list | None = None  # GeoJSON: (lat, lng) per feature, or a message saying what is wrong
    problems: dict[int, str] = field(default_factory=dict)  # row index -> a problem with the row's shape

    @property
    def row_word(self) -> str:
        return "Feature" if self.kind == "geojson" else "Row"

    def sample(self, n: int = SAMPLE_ROWS) -> list[list[str]]:
        return [[cell[:SAMPLE_CELL_MAX] for cell in row] for row in self.rows[:n]]


_BINARY_SIGNATURES = {
    b"PK\x03\x04": "a spreadsheet or other zipped file (such as .xlsx or .ods)",
    b"\xd0\xcf\x11\xe0": "an old-style Excel or Word file (.xls)",
    b"%PDF": "a PDF document",
    b"\x89PNG": "a picture",
    b"\xff\xd8\xff": "a picture",
}


def read_table(data: bytes, filename: str = "") -> Table:
    """Read a CSV (UTF-8 with or without BOM; comma, semicolon or tab) or a GeoJSON FeatureCollection
    of points (properties become columns)."""
    if len(data) > max_bytes():
        raise ImportFileError(
            f"The file is larger than {max_bytes() // (1024 * 1024)} MB. Split it into smaller files."
        )
    if not data.strip():
        raise ImportFileError("The file is empty.")
    for signature, what in _BINARY_SIGNATURES.items():
        if data.startswith(signature):
            raise ImportFileError(
                f"This looks like {what}, not a CSV or GeoJSON file. In your spreadsheet choose "
                "“Save as” → “CSV UTF-8 (comma delimited)” and upload that."
            )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        if b"\x00" in data[:4096]:
            raise ImportFileError("This is not a text file. Upload a CSV or GeoJSON file.") from None
        raise ImportFileError(
            "The file is not in UTF-8 text. In your spreadsheet choose “Save as” → “CSV UTF-8 (comma delimited)”."
        ) from None
    if "\x00" in text:
        raise ImportFileError("This is not a text file (it holds binary data). Upload a CSV or GeoJSON file.")
    name = (filename or "").lower()
    looks_json = text.lstrip().startswith(("{", "["))
    if name.endswith((".geojson", ".json")) or (looks_json and not name.endswith((".csv", ".tsv", ".txt"))):
        return _read_geojson(text)
    return _read_csv(text)


def _check_column_count(count: int) -> None:
    limit = max_columns()
    if count > limit:
        raise ImportFileError(
            f"The file has {count:,} columns; at most {limit:,} can be imported. Keep only the columns "
            "you want to import (delete the others in your spreadsheet) and upload it again."
        )


def _unique_columns(raw: list[str]) -> list[str]:
    """Column names as a person reads them: empty ones named by position, long ones cut, and
    repeats numbered ("Name", "Name (2)", ...), compared without case. Linear in the number of
    columns: each name remembers the next number to try."""
    columns: list[str] = []
    seen: set[str] = set()
    next_number: dict[str, int] = {}
    for i, name in enumerate(raw):
        base = clean_text(name or "", multiline=False).strip()[:COLUMN_NAME_MAX].strip() or f"Column {i + 1}"
        name, key = base, base.casefold()
        if key in seen:
            n = next_number.get(key, 2)
            while f"{key} ({n})" in seen:
                n += 1
            next_number[key] = n + 1
            name = f"{base} ({n})"
        seen.add(name.casefold())
        columns.append(name)
    return columns


def _delimiter(text: str) -> str:
    header = text.split("\n", 1)[0]
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _read_csv(text: str) -> Table:
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
        while header is not None and not any(cell.strip() for cell in header):
            header = next(reader, None)
        if header is None:
            raise ImportFileError("The file is empty.")
        _check_column_count(len(header))
        columns = _unique_columns(header)
        width = len(columns)
        rows, numbers, problems = [], [], {}
        limit = max_rows()
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) >= limit:
                raise ImportFileError(f"The file has more than {limit:,} rows. Split it into smaller files.")
            if len(cells) > width and any(c.strip() for c in cells[width:]):
                problems[len(rows)] = (
                    f"it has {len(cells)} cells but the first row names {width} columns "
                    "(a comma or semicolon inside a cell needs the cell in quotes)"
                )
            cells = [clean_text(c, multiline=True).strip() for c in cells[:width]] + [""] * (width - len(cells))
            rows.append(cells)
            numbers.append(reader.line_num)
    except csv.Error as exc:
        raise ImportFileError(f"The file cannot be read as CSV near line {reader.line_num}: {exc}.") from None
    if not rows:
        raise ImportFileError("The file has a header row but no rows under it.")
    return Table(kind="csv", columns=columns, rows=rows, numbers=numbers, problems=problems)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    if isinstance(value, str):
        return clean_text(value, multiline=True).strip()
    return clean_text(json.dumps(value, ensure_ascii=False), multiline=True)


def _read_geojson(text: str) -> Table:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFileError(
            f"The file is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})."
        ) from None
    except RecursionError:
        raise ImportFileError("The file is not valid GeoJSON: it is nested far too deeply.") from None
    if isinstance(doc, dict) and doc.get("type") == "Feature":
        doc = {"type": "FeatureCollection", "features": [doc]}
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not isinstance(doc.get("features"), list):
        raise ImportFileError(
            "The file is JSON but not a GeoJSON FeatureCollection: it needs "
            '{"type": "FeatureCollection", "features": [...]} at the top.'
        )
    features = doc["features"]
    if not features:
        raise ImportFileError("The GeoJSON file has no features.")
    if len(features) > max_rows():
        raise ImportFileError(f"The file has more than {max_rows():,} features. Split it into smaller files.")
    keys: dict[str, None] = {}
    has_id = False
    for feature in features:
        props = feature.get("properties") if isinstance(feature, dict) else None
        if isinstance(props, dict):
            for key in props:
                keys.setdefault(str(key), None)
            if len(keys) > max_columns():
                _check_column_count(len(keys))
        if isinstance(feature, dict) and feature.get("id") is not None:
            has_id = True
    prop_keys = list(keys)
    id_column = None
    if has_id:
        id_column = "id" if "id" not in keys else "feature id"
    raw_columns = prop_keys + ([id_column] if id_column else [])
    _check_column_count(len(raw_columns))
    columns = _unique_columns(raw_columns)
    rows, numbers, points, problems = [], [], [], {}
    for index, feature in enumerate(features):
        numbers.append(index + 1)
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            rows.append([""] * len(columns))
            points.append("it is not a GeoJSON Feature")
            continue
        props = feature.get("properties")
        props = props if isinstance(props, dict) else {}
        cells = [_cell(props.get(key)) for key in prop_keys]
        if id_column:
            cells.append(_cell(feature.get("id")))
        rows.append(cells)
        points.append(_point(feature.get("geometry")))
    return Table(kind="geojson", columns=columns, rows=rows, numbers=numbers, points=points, problems=problems)


def _point(geometry):
    if geometry is None:
        return "it has no location (its geometry is empty)"
    if not isinstance(geometry, dict):
        return "its geometry is not a GeoJSON geometry"
    kind = geometry.get("type")
    if kind != "Point":
        return f"its geometry is a {kind or 'shape of unknown type'}: only points can be imported"
    coords = geometry.get("coordinates")
    if (
        not isinstance(coords, list)
        or len(coords) < 2
        or not all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in coords[:2])
    ):
        return "its point's coordinates are not two numbers [longitude, latitude]"
    return (float(coords[1]), float(coords[0]))


# ---- column mapping -----------------------------------------------------------------------
@dataclass(frozen=True)
class Target:
    key: str
    label: str
    help: str = ""


TARGETS: tuple[Target, ...] = (
    Target("title", "Title", "Needed for every row."),
    Target("description", "Description"),
    Target("category", "Category", "A category's name or short name; rows without one get the default below."),
    Target("lat", "Latitude", "Between -90 and 90, such as 53.8008."),
    Target("lng", "Longitude", "Between -180 and 180, such as -1.5491."),
    Target("external_id", "External id", "The row's id in your own data; used to update rows imported before."),
    Target("start_date", "Start date"),
    Target("end_date", "End date"),
    Target("announced_on", "Announced on", "For a threat or cut."),
    Target("takes_effect_on", "Takes effect on", "For a threat or cut."),
    Target("organisation", "Organisation", "The name of an organisation in the directory."),
    Target("verified", "Verified", "yes / no"),
)
TARGET_KEYS = {t.key for t in TARGETS}
DATE_FIELDS = ("start_date", "end_date", "announced_on", "takes_effect_on")

SYNONYMS: dict[str, tuple[str, ...]] = {
    "title": ("title", "name", "entryname", "placename", "sitename", "heading", "label"),
    "description": ("description", "desc", "details", "summary", "notes", "about", "body", "text"),
    "category": ("category", "categoryname", "categoryslug", "cat", "type", "kind", "theme"),
    "lat": ("lat", "latitude", "y", "latdd", "geolat", "wgs84lat", "ycoord"),
    "lng": ("lng", "lon", "long", "longitude", "x", "londd", "geolng", "geolon", "wgs84long", "wgs84lon", "xcoord"),
    "external_id": ("externalid", "extid", "id", "ref", "reference", "uid", "uuid", "identifier", "sourceid", "fid"),
    "start_date": ("startdate", "start", "starts", "startson", "from", "datefrom", "begins", "datestart"),
    "end_date": ("enddate", "end", "ends", "endson", "to", "dateto", "until", "dateend"),
    "announced_on": ("announcedon", "announced", "dateannounced", "announcementdate"),
    "takes_effect_on": ("takeseffecton", "takeseffect", "effectivedate", "effective", "effectivefrom"),
    "organisation": ("organisation", "organization", "org", "organisationname", "organizationname", "group"),
    "verified": ("verified", "isverified", "checked"),
}


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", (name or "").casefold())


def question_key(question) -> str:
    return f"q{question.pk}"


def guess_mapping(columns: list[str], questions: Iterable[Question] = (), *, geojson: bool = False) -> dict:
    """target key -> column name, guessed from the header names. Each column is used at most once."""
    by_norm: dict[str, str] = {}
    for column in columns:
        by_norm.setdefault(_norm(column), column)
    used: set[str] = set()
    mapping: dict[str, str] = {}
    for target in TARGETS:
        if geojson and target.key in ("lat", "lng"):
            continue
        for synonym in SYNONYMS.get(target.key, ()):
            column = by_norm.get(synonym)
            if column and column not in used:
                mapping[target.key] = column
                used.add(column)
                break
    for question in questions:
        column = by_norm.get(_norm(question.label))
        if column and column not in used:
            mapping[question_key(question)] = column
            used.add(column)
    return mapping


# ---- options and checking -----------------------------------------------------------------
@dataclass
class ImportOptions:
    mapping: dict[str, str]  # target key ("title", "lat", "q12" ...) -> column name
    default_category_id: int | None = None
    publish: bool = False
    source: str = ""

    def as_params(self) -> dict:
        return {
            "mapping": self.mapping,
            "default_category": self.default_category_id,
            "publish": self.publish,
            "source": self.source,
        }

    @classmethod
    def from_params(cls, params: dict) -> ImportOptions:
        return cls(
            mapping=dict(params.get("mapping") or {}),
            default_category_id=params.get("default_category"),
            publish=bool(params.get("publish")),
            source=params.get("source") or "",
        )


def options_errors(table: Table, options: ImportOptions) -> dict[str, str]:
    """What is wrong with the column choice as a whole (not with rows)."""
    errors: dict[str, str] = {}
    known = set(table.columns)
    for key, column in options.mapping.items():
        if column and column not in known:
            errors[key] = f"The file has no column “{column}”."
    if not options.mapping.get("title"):
        errors.setdefault("title", "Choose the column that holds each entry's title.")
    if table.kind == "csv":
        for key, word in (("lat", "latitude"), ("lng", "longitude")):
            if not options.mapping.get(key):
                errors.setdefault(key, f"Choose the column that holds the {word}.")
    if not options.mapping.get("category") and not options.default_category_id:
        errors["default_category"] = "Choose a category column or a default category."
    if options.default_category_id and not Category.objects.filter(pk=options.default_category_id).exists():
        errors["default_category"] = "That category no longer exists."
    return errors


@dataclass
class Plan:
    """What applying would do: entries to create and to update (with their changes), the
    unchanged count and every bad row."""

    rows: int = 0
    creates: list = field(default_factory=list)  # [(row number, NewEntry)]
    updates: list = field(default_factory=list)  # [(row number, Entry, {field: [old, new]})]
    unchanged: int = 0
    errors: list[dict] = field(default_factory=list)  # [{"row": n, "message": "..."}]

    @property
    def ok(self) -> bool:
        return not self.errors

    def counts(self) -> dict:
        return {
            "rows": self.rows,
            "create": len(self.creates),
            "update": len(self.updates),
            "unchanged": self.unchanged,
            "bad": len(self.errors),
        }

    def report(self) -> dict:
        c = self.counts()
        return {
            "counts": c,
            "summary": [
                ["Rows in the file", c["rows"]],
                ["New entries", c["create"]],
                ["Entries to update", c["update"]],
                ["Unchanged", c["unchanged"]],
                ["Rows with problems", c["bad"]],
            ],
            "errors": self.errors[:ERRORS_KEPT],
            "errors_total": len(self.errors),
            "errors_truncated": len(self.errors) > ERRORS_KEPT,
            "creates_sample": [{"row": n, "title": e.title} for n, e in self.creates[:10]],
            "updates_sample": [
                {"row": n, "title": e.title, "fields": sorted(changes)} for n, e, changes in self.updates[:10]
            ],
        }


class ImportRejected(Exception):
    """Nothing was applied: some rows are bad (see `plan.errors`) or the column choice is."""

    def __init__(self, plan: Plan, message: str = ""):
        self.plan = plan
        super().__init__(message or f"Nothing was applied: {len(plan.errors):,} rows have problems.")


@dataclass
class ImportResult:
    created: int
    updated: int
    unchanged: int
    rows: int

    def summary(self) -> list:
        return [
            ["Rows in the file", self.rows],
            ["New entries", self.created],
            ["Updated", self.updated],
            ["Unchanged", self.unchanged],
        ]


class _Lookups:
    """Everything a row is checked against, loaded once per import."""

    def __init__(self, options: ImportOptions, columns: list[str]):
        self.index = {name: n for n, name in enumerate(columns)}
        self.categories: dict[str, Category] = {}
        self.by_id: dict[int, Category] = {}
        for category in Category.objects.all():
            self.by_id[category.pk] = category
            self.categories.setdefault(category.slug.casefold(), category)
            self.categories.setdefault(category.name.casefold(), category)
        self.default = self.by_id.get(options.default_category_id) if options.default_category_id else None
        self.questions: dict[str, Question] = {}
        keys = [k for k in options.mapping if k.startswith("q") and k[1:].isdigit()]
        if keys:
            for q in questions_for_model(Category).filter(pk__in=[int(k[1:]) for k in keys]):
                self.questions[question_key(q)] = q
        self.organisations: dict[str, tuple[int, str]] = {}
        if options.mapping.get("organisation"):
            from squaremile.directory.models import Organisation

            for pk, name, slug in Organisation.objects.values_list("pk", "name", "slug"):
                self.organisations.setdefault(name.casefold(), (pk, name))
                self.organisations.setdefault(slug.casefold(), (pk, name))


def _number(raw: str):
    text = raw.strip().replace(" ", "")
    if "," in text and "." not in text and text.count(",") == 1:
        text = text.replace(",", ".")  # 53,8 written with a decimal comma
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%Y/%m/%d", "%d.%m.%Y", "%d-%m-%Y")


def parse_date(raw: str) -> dt.date | None:
    """A date as YYYY-MM-DD (or DD/MM/YYYY, as UK spreadsheets write it); ValueError if malformed."""
    text = raw.strip()
    if not text:
        return None
    if "T" in text[10:11]:
        text = text[:10]
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def _answer(question: Question, raw: str):
    """The answer as the entry form stores it (`questions.answers.parse_answer`); ValueError says
    what is expected, in words that follow the question's label."""
    try:
        return parse_answer(question, raw)
    except ValidationError as exc:
        message = exc.messages[0].rstrip(".")
        raise ValueError(message[:1].lower() + message[1:]) from None


def _quote(value: str) -> str:
    value = value if len(value) <= 60 else value[:57] + "…"
    return f"“{value}”"


def _check_row(table: Table, i: int, options: ImportOptions, lk: _Lookups) -> tuple[dict | None, list[str]]:
    """The entry values of row i (only the mapped fields) or what is wrong with it."""
    cells = table.rows[i]
    index = lk.index
    mapping = options.mapping

    def get(key: str) -> str | None:
        column = mapping.get(key)
        if not column:
            return None
        return cells[index[column]]

    problems: list[str] = []
    if i in table.problems:
        problems.append(table.problems[i])
    values: dict = {}

    title = clean_text(get("title") or "", multiline=False)
    if not title:
        problems.append("the title is missing")
    elif len(title) > TITLE_MAX:
        problems.append(f"the title is longer than {TITLE_MAX} characters")
    values["title"] = title

    if "description" in mapping and mapping["description"]:
        description = get("description") or ""
        if len(description) > DESCRIPTION_MAX:
            problems.append(f"the description is longer than {DESCRIPTION_MAX:,} characters")
        values["description"] = description

    # location
    if table.points is not None and not (mapping.get("lat") and mapping.get("lng")):
        point = table.points[i]
        if isinstance(point, str):
            problems.append(point)
            lat = lng = None
        else:
            lat, lng = point
    else:
        lat = lng = None
        raw_lat, raw_lng = get("lat") or "", get("lng") or ""
        if not raw_lat:
            problems.append("the latitude is missing")
        else:
            lat = _number(raw_lat)
            if lat is None:
                problems.append(f"the latitude {_quote(raw_lat)} is not a number")
        if not raw_lng:
            problems.append("the longitude is missing")
        else:
            lng = _number(raw_lng)
            if lng is None:
                problems.append(f"the longitude {_quote(raw_lng)} is not a number")
    if lat is not None and not -90 <= lat <= 90:
        problems.append(f"the latitude {lat:g} is out of range (it must be between -90 and 90)")
    if lng is not None and not -180 <= lng <= 180:
        problems.append(f"the longitude {lng:g} is out of range (it must be between -180 and 180)")
    values["lat"], values["lng"] = lat, lng

    # category
    category = None
    raw_category = get("category") or ""
    if raw_category:
        category = lk.categories.get(raw_category.casefold())
        if category is None:
            problems.append(f"there is no category called {_quote(raw_category)}")
    else:
        category = lk.default
        if category is None:
            problems.append("the category is missing and no default category was chosen")
    if category is not None and not category.is_active:
        problems.append(f"the category {_quote(category.name)} is closed for new entries")
    values["category"] = category

    # external id
    external_id = clean_text(get("external_id") or "", multiline=False)
    if len(external_id) > EXTERNAL_ID_MAX:
        problems.append(f"the external id is longer than {EXTERNAL_ID_MAX} characters")
    values["external_id"] = external_id

    # dates
    for key in DATE_FIELDS:
        if not mapping.get(key):
            continue
        raw = get(key) or ""
        try:
            values[key] = parse_date(raw)
        except ValueError:
            label = next(t.label for t in TARGETS if t.key == key).lower()
            problems.append(f"the {label} {_quote(raw)} is not a date (write it as YYYY-MM-DD, such as 2026-03-31)")
    if values.get("start_date") and values.get("end_date") and values["end_date"] < values["start_date"]:
        problems.append("the end date is before the start date")
    if (
        values.get("announced_on")
        and values.get("takes_effect_on")
        and values["takes_effect_on"] < values["announced_on"]
    ):
        problems.append("it takes effect before it was announced")

    if mapping.get("organisation"):
        raw = get("organisation") or ""
        if raw:
            found = lk.organisations.get(raw.casefold())
            if found is None:
                problems.append(f"there is no organisation called {_quote(raw)} in the directory")
            values["organisation"] = found
        else:
            values["organisation"] = None

    if mapping.get("verified"):
        raw = (get("verified") or "").casefold()
        if raw in YES:
            values["verified"] = True
        elif raw in NO:
            values["verified"] = False
        else:
            problems.append(f"verified should be yes or no, not {_quote(get('verified') or '')}")

    # extra questions: only those of the row's category
    answers = {}
    for key, question in lk.questions.items():
        if not mapping.get(key) or category is None or question.owner_id != category.pk:
            continue
        raw = get(key) or ""
        if not raw:
            if question.required:
                problems.append(f"{_quote(question.label)} needs an answer")
            continue
        try:
            value = _answer(question, raw)
        except ValueError as exc:
            problems.append(f"{_quote(question.label)}: {exc}")
            continue
        if value is not None:
            answers[str(question.pk)] = value
    if any(k.startswith("q") for k in mapping if mapping.get(k)):
        values["answers"] = answers

    return (None, problems) if problems else (values, [])


def auto_external_id(title: str, lat: float, lng: float) -> str:
    digest = hashlib.sha1(f"{title.strip().casefold()}|{lat:.6f}|{lng:.6f}".encode(), usedforsecurity=False)
    return "auto:" + digest.hexdigest()[:24]


class AreaIndex:
    """The most specific area holding each point, for many points at once: every area's boundary in
    a shapely STRtree, queried once for all the points (the same answer as
    `places.selectors.area_for_point`, without a query per point)."""

    def __init__(self):
        from shapely import STRtree
        from shapely.geometry import shape

        from squaremile.places.models import Area

        self.ids: list[int] = []
        self.sizes: list[float] = []
        geoms = []
        for pk, boundary, size in Area.objects.filter(boundary__isnull=False).values_list(
            "pk", "boundary", "area_sq_deg"
        ):
            try:
                geom = shape(boundary)
            except Exception:  # noqa: S112 - a stored boundary was checked on save; skip anything odd
                continue
            if geom.is_empty:
                continue
            geoms.append(geom)
            self.ids.append(pk)
            self.sizes.append(size if size is not None else geom.area)
        self.tree = STRtree(geoms) if geoms else None

    def lookup(self, points: list[tuple[float, float]]) -> list[int | None]:
        if self.tree is None or not points:
            return [None] * len(points)
        import numpy as np
        import shapely

        lats = np.fromiter((p[0] for p in points), dtype=float, count=len(points))
        lngs = np.fromiter((p[1] for p in points), dtype=float, count=len(points))
        pts = shapely.points(lngs, lats)
        point_idx, area_idx = self.tree.query(pts, predicate="intersects")
        best: list[int | None] = [None] * len(points)
        best_size = [math.inf] * len(points)
        for p, a in zip(point_idx.tolist(), area_idx.tolist(), strict=True):
            if self.sizes[a] < best_size[p]:
                best_size[p] = self.sizes[a]
                best[p] = self.ids[a]
        return best


COMPARED = ("title", "description", "category_id", "lat", "lng", "start_date", "end_date", "announced_on",
            "takes_effect_on", "organisation_id", "verified")  # fmt: skip


def _existing(external_ids: list[str]) -> dict[str, Entry]:
    found: dict[str, Entry] = {}
    for start in range(0, len(external_ids), 900):
        chunk = external_ids[start : start + 900]
        for entry in Entry.objects.filter(external_id__in=chunk):
            found[entry.external_id] = entry
    return found


def plan_import(table: Table, options: ImportOptions, *, progress: Callable[[int], None] | None = None) -> Plan:
    """Check every row and work out what applying would do. Reads only."""
    plan = Plan(rows=len(table.rows))
    wrong = options_errors(table, options)
    if wrong:
        plan.errors = [{"row": 0, "message": message} for message in wrong.values()]
        return plan
    lk = _Lookups(options, table.columns)
    checked: list[tuple[int, dict]] = []
    seen: dict[str, int] = {}
    for i in range(len(table.rows)):
        number = table.numbers[i]
        values, problems = _check_row(table, i, options, lk)
        if values is not None:
            external_id = values["external_id"] or auto_external_id(values["title"], values["lat"], values["lng"])
            values["external_id"] = external_id
            if external_id in seen:
                what = (
                    f"the external id {_quote(external_id)}"
                    if not external_id.startswith("auto:")
                    else "the same title and coordinates"
                )
                problems = [f"{what} is also used in {table.row_word.lower()} {seen[external_id]}"]
            else:
                seen[external_id] = number
        if problems:
            plan.errors.append({"row": number, "message": _sentence(problems)})
        else:
            checked.append((number, values))
        if progress and i % 500 == 0:
            progress(i)
    # The good rows are matched even when others are bad, so the preview can say what they would do.
    existing = _existing([values["external_id"] for _, values in checked])
    from squaremile.mapping import clusters

    areas = AreaIndex()
    new_points = []
    for number, values in checked:
        entry = existing.get(values["external_id"])
        if entry is None:
            plan.creates.append((number, _new_entry(values, options)))
            new_points.append((values["lat"], values["lng"]))
        else:
            entry._import_before = clusters.snapshot(entry)
            changes = _changes(entry, values, lk)
            if changes:
                plan.updates.append((number, entry, changes))
            else:
                plan.unchanged += 1
    for (_, entry), area_id in zip(plan.creates, areas.lookup(new_points), strict=True):
        entry.area_id = area_id
    moved = [(e.lat, e.lng) for _, e, changes in plan.updates if "lat" in changes or "lng" in changes]
    moved_areas = iter(areas.lookup(moved))
    for _, entry, changes in plan.updates:
        if "lat" in changes or "lng" in changes:
            entry.area_id = next(moved_areas)
    if progress:
        progress(len(table.rows))
    return plan


def _sentence(problems: list[str]) -> str:
    text = "; ".join(problems)
    return text[0].upper() + text[1:] + "."


@dataclass(slots=True)
class NewEntry:
    """An entry a row would create: the fields an import sets, without the cost of a model instance
    (100,000 of them are made per large import). Written by `_insert_entries`."""

    title: str
    description: str
    category: Category
    lat: float
    lng: float
    external_id: str
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    announced_on: dt.date | None = None
    takes_effect_on: dt.date | None = None
    organisation_id: int | None = None
    verified: bool = False
    answers: dict = field(default_factory=dict)
    source: str = ""
    area_id: int | None = None
    status: str = EntryStatus.PENDING
    pk: int | None = None

    @property
    def category_id(self) -> int:
        return self.category.pk


def _new_entry(values: dict, options: ImportOptions) -> NewEntry:
    organisation = values.get("organisation")
    return NewEntry(
        title=values["title"],
        description=values.get("description", ""),
        category=values["category"],
        lat=values["lat"],
        lng=values["lng"],
        external_id=values["external_id"],
        start_date=values.get("start_date"),
        end_date=values.get("end_date"),
        announced_on=values.get("announced_on"),
        takes_effect_on=values.get("takes_effect_on"),
        organisation_id=organisation[0] if organisation else None,
        verified=bool(values.get("verified", False)),
        answers=values.get("answers") or {},
        source=(options.source or "")[:200],
    )


def _shown(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def _changes(entry: Entry, values: dict, lk: _Lookups) -> dict:
    """field -> [old, new] for every mapped field whose value differs; applies them to `entry`."""
    changes: dict = {}

    def put(name, new, old_shown=None, new_shown=None):
        old = getattr(entry, name)
        if old != new:
            changes[name.removesuffix("_id")] = [
                old_shown if old_shown is not None else _shown(old),
                new_shown if new_shown is not None else _shown(new),
            ]
            setattr(entry, name, new)

    put("title", values["title"])
    if "description" in values:
        put("description", values["description"])
    category = values["category"]
    if entry.category_id != category.pk:
        old = lk.by_id.get(entry.category_id)
        put("category_id", category.pk, old.name if old else None, category.name)
    put("lat", values["lat"])
    put("lng", values["lng"])
    for key in DATE_FIELDS:
        if key in values:
            put(key, values[key])
    if "organisation" in values:
        org = values["organisation"]
        put("organisation_id", org[0] if org else None, None, org[1] if org else None)
    if "verified" in values:
        put("verified", values["verified"])
    if "answers" in values:
        merged = {**(entry.answers or {}), **values["answers"]}
        put("answers", merged)
    return changes


# ---- applying -----------------------------------------------------------------------------
class _Operator:
    """Stands for the operator at the command line: no account, no permission check."""

    is_authenticated = False
    pk = None

    def __repr__(self):
        return "OPERATOR"


OPERATOR = _Operator()


def _allowed(by) -> None:
    if by is OPERATOR:
        return
    require(by, "entry.import")


def import_preview(*, table: Table, options: ImportOptions, by, progress=None) -> Plan:
    """What applying would do (reads only). `by` needs `entry.import` (or is OPERATOR)."""
    _allowed(by)
    return plan_import(table, options, progress=progress)


def import_apply(*, table: Table, options: ImportOptions, by, progress=None, plan: Plan | None = None) -> ImportResult:
    """Check every row, then apply all of them in one transaction, or none: raises ImportRejected
    (nothing written) when any row is bad. `by` needs `entry.import` (or is OPERATOR)."""
    _allowed(by)
    if plan is None:
        plan = plan_import(table, options, progress=progress)
    if not plan.ok:
        raise ImportRejected(plan)
    try:
        _write(plan, by=by, options=options)
    except IntegrityError:
        logger.warning("Import clashed with a concurrent change", exc_info=True)
        plan.errors = [
            {"row": 0, "message": "Some of these entries were changed while the import ran. Nothing was applied; "
             "check the file again and apply it again."}
        ]  # fmt: skip
        raise ImportRejected(plan) from None
    return ImportResult(created=len(plan.creates), updated=len(plan.updates), unchanged=plan.unchanged, rows=plan.rows)


def import_rows(*, rows: list[dict], options: ImportOptions, by) -> ImportResult:
    """Apply rows given as dicts (column -> value), e.g. from the benchmark's generator."""
    columns: dict[str, None] = {}
    for row in rows:
        for key in row:
            columns.setdefault(key, None)
    names = list(columns)
    table = Table(
        kind="csv",
        columns=names,
        rows=[[_cell(row.get(name)) for name in names] for row in rows],
        numbers=list(range(2, len(rows) + 2)),
    )
    return import_apply(table=table, options=options, by=by)


# Keeping the cluster cells: updated entries are adjusted one by one (clusters.apply_many, about
# 2 ms each); new entries too when few, else counted in by SQL (clusters.add_entries, regrouping
# only the new rows). Recomputing every cell (clusters.rebuild, about 0.1 ms per stored entry)
# only pays when the import changes most of the map: more than REBUILD_OVER changes and more than
# 1 in REBUILD_SHARE of the entries.
SQL_ADD_OVER = 500
REBUILD_OVER = 1_000
REBUILD_SHARE = 2


@transaction.atomic
def _write(plan: Plan, *, by, options: ImportOptions) -> None:
    from squaremile.mapping import clusters

    now = timezone.now()
    actor_id = by.pk if getattr(by, "is_authenticated", False) else None
    status = (EntryStatus.PUBLISHED if options.publish else EntryStatus.PENDING).value
    note = f"Imported from {options.source or 'a file'}"

    creates = [entry for _, entry in plan.creates]
    for entry in creates:
        entry.status = status
    befores = []
    updates = []
    for _, entry, changes in plan.updates:
        befores.append(getattr(entry, "_import_before", None))
        if "verified" in changes:
            entry.verified_at = now if entry.verified else None
        columns = {
            **clusters.cell_columns(entry.lat, entry.lng),
            **date_columns(entry.start_date, entry.end_date, entry.announced_on, entry.takes_effect_on),
        }
        for name, value in columns.items():
            setattr(entry, name, value)
        entry.updated_at = now
        updates.append(entry)

    _insert_entries(creates, now=now, publish=options.publish)
    if updates:
        fields = sorted(
            {"updated_at", "cx20", "cy20", "date_lo", "date_hi", "area", "verified_at"} | _changed_fields(plan)
        )
        Entry.objects.bulk_update(updates, fields, batch_size=500)

    events = []
    for number, entry in plan.creates:
        changes = {
            "title": [None, entry.title],
            "category": [None, entry.category.name],
            "lat": [None, entry.lat],
            "lng": [None, entry.lng],
            "status": [None, entry.status],
        }
        if entry.external_id and not entry.external_id.startswith("auto:"):
            changes["external_id"] = [None, entry.external_id]
        events.append((entry.pk, entry.title, changes, f"{note}, row {number}."))
    for number, entry, changes in plan.updates:
        events.append((entry.pk, entry.title, changes, f"{note}, row {number}: updated."))
    _insert_events(events, actor_id=actor_id, now=now)

    touched = len(creates) + len(updates)
    if touched > REBUILD_OVER and touched * REBUILD_SHARE > Entry.objects.count():
        clusters.rebuild()
    elif touched:
        if len(creates) > SQL_ADD_OVER:
            clusters.add_entries([e.pk for e in creates])
            creates = []
        afters = [clusters.snapshot(e) for e in creates] + [clusters.snapshot(e) for e in updates]
        clusters.apply_many([None] * len(creates) + befores, afters)


def _columns(model) -> list:
    return [f for f in model._meta.concrete_fields if not f.primary_key and not getattr(f, "generated", False)]


def _constants(fields) -> dict:
    """Each column's default, ready for the database (for the columns an import does not set)."""
    return {f.attname: f.get_db_prep_save(f.get_default(), connection) for f in fields}


def _executemany(model, fields, rows: list[list]) -> None:
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {table} ({names}) VALUES "  # noqa: S608 - names from the model, values bound
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # In-process: one prepared statement run per row is the fastest way in.
            for start in range(0, len(rows), 2000):
                cursor.executemany(sql + f"({marks})", rows[start : start + 2000])
            return
        # Over the network: many rows per statement, so 100,000 rows are 200 round trips, not 100,000.
        per = max(1, 30_000 // len(fields))
        for start in range(0, len(rows), per):
            batch = rows[start : start + per]
            cursor.execute(sql + ", ".join([f"({marks})"] * len(batch)), [v for row in batch for v in row])


def _insert_entries(entries: list[NewEntry], *, now, publish: bool) -> None:
    """Insert new entries with one prepared statement (no model instances: ten times faster than
    bulk_create for 100,000 rows), then read their ids back by external id (every imported entry
    has one)."""
    from squaremile.mapping import clusters

    if not entries:
        return
    fields = _columns(Entry)
    const = _constants(fields)
    answers = Entry._meta.get_field("answers")
    stamp = connection.ops.adapt_datetimefield_value(now)
    day = connection.ops.adapt_datefield_value
    attnames = [f.attname for f in fields]
    rows = []
    for e in entries:
        values = {
            "title": e.title, "description": e.description, "category_id": e.category.pk, "status": e.status,
            "verified": e.verified, "lat": e.lat, "lng": e.lng, "area_id": e.area_id,
            "organisation_id": e.organisation_id, "start_date": day(e.start_date), "end_date": day(e.end_date),
            "announced_on": day(e.announced_on), "takes_effect_on": day(e.takes_effect_on),
            "answers": answers.get_db_prep_save(e.answers, connection), "external_id": e.external_id,
            "source": e.source, "published_at": stamp if publish else None,
            "verified_at": stamp if e.verified else None, "created_at": stamp, "updated_at": stamp,
            **clusters.cell_columns(e.lat, e.lng),
            **{k: day(v) for k, v in date_columns(e.start_date, e.end_date, e.announced_on, e.takes_effect_on).items()},
        }  # fmt: skip
        rows.append([values[a] if a in values else const[a] for a in attnames])
    _executemany(Entry, fields, rows)
    ids: dict[str, int] = {}
    external_ids = [e.external_id for e in entries]
    for start in range(0, len(external_ids), 900):
        chunk = external_ids[start : start + 900]
        ids.update(Entry.objects.filter(external_id__in=chunk).values_list("external_id", "pk"))
    for e in entries:
        e.pk = ids[e.external_id]


def _insert_events(events: list[tuple[int, str, dict, str]], *, actor_id, now) -> None:
    """One "imported" history event per entry in the audit log: (entry id, title, changes, note)."""
    if not events:
        return
    fields = _columns(AuditEvent)
    const = _constants(fields)
    changes_field = AuditEvent._meta.get_field("changes")
    stamp = connection.ops.adapt_datetimefield_value(now)
    content_type_id = ContentType.objects.get_for_model(Entry).pk
    attnames = [f.attname for f in fields]
    rows = []
    for entry_id, title, changes, note in events:
        values = {
            "content_type_id": content_type_id, "object_id": entry_id, "target_label": (title or "")[:300],
            "actor_id": actor_id, "action": audit_action(EntryAction.IMPORTED.value),
            "changes": changes_field.get_db_prep_save(changes, connection), "note": note, "created_at": stamp,
        }  # fmt: skip
        rows.append([values[a] if a in values else const[a] for a in attnames])
    _executemany(AuditEvent, fields, rows)


def _changed_fields(plan: Plan) -> set[str]:
    names = set()
    for _, _, changes in plan.updates:
        for key in changes:
            names.add({"category": "category", "organisation": "organisation"}.get(key, key))
    return names


# ---- the web wizard's job -----------------------------------------------------------------
def import_questions():
    from squaremile.mapping.selectors import category_questions

    return category_questions()


def _urls(job) -> dict:
    return {
        "columns": reverse("mapping:import_columns", args=[job.pk]),
        "preview": reverse("mapping:import_preview", args=[job.pk]),
        "start": reverse("mapping:import_start"),
    }


def start_import(*, by, upload, filename: str):
    """Read an uploaded file (ImportFileError if it cannot be read) and keep it in a new job that
    waits for the column choice."""
    from squaremile.core.jobs import job_create
    from squaremile.core.models import JobStatus

    require(by, "entry.import")
    data = upload.read() if hasattr(upload, "read") else upload
    table = read_table(data, filename)
    from django.core.files.base import ContentFile

    job = job_create(
        kind="mapping.import",
        owner=by,
        status=JobStatus.WAITING,
        message="Choose which column holds what.",
        input_file=ContentFile(data),
        input_filename=filename,
        total=len(table.rows),
        params={"title": "Import to the map", "stage": "mapping", **_table_params(table)},
    )
    job.params.update(continue_url=_urls(job)["columns"], continue_label="Choose the columns")
    job.save(update_fields=["params"])
    return job, table


def _table_params(table: Table) -> dict:
    return {
        "format": table.kind,
        "columns": table.columns,
        "row_count": len(table.rows),
        "sample": table.sample(),
        "guess": guess_mapping(table.columns, import_questions(), geojson=table.kind == "geojson"),
    }


def replace_file(*, job, by, upload, filename: str) -> Table:
    """A corrected file for the same import: kept if readable; the column choice stays where the
    columns still exist. The job goes back to the column step (or preview, via check)."""
    from django.core.files.base import ContentFile

    from squaremile.core.models import JobStatus

    require(by, "entry.import")
    data = upload.read() if hasattr(upload, "read") else upload
    table = read_table(data, filename)
    if job.input_file:
        job.input_file.delete(save=False)
    from squaremile.core.jobs import _safe_name

    job.input_file.save(_safe_name(filename), ContentFile(data), save=False)
    job.input_filename = filename[:200]
    options = ImportOptions.from_params(job.params)
    options.mapping = {k: v for k, v in options.mapping.items() if v in table.columns}
    options.source = filename[:200]
    job.params.update(_table_params(table))
    job.params.update(options.as_params())
    job.params.update(stage="mapping", continue_url=_urls(job)["columns"], continue_label="Choose the columns")
    job.status = JobStatus.WAITING
    job.total, job.progress = len(table.rows), 0
    job.report = {}
    job.message = "Choose which column holds what."
    job.save()
    return table


def job_table(job) -> Table:
    from squaremile.core.jobs import JobError

    try:
        with job.input_file.open("rb") as handle:
            data = handle.read()
    except (FileNotFoundError, OSError, ValueError):
        raise JobError("The uploaded file is no longer kept. Upload it again.") from None
    try:
        return read_table(data, job.input_filename)
    except ImportFileError as exc:
        raise JobError(str(exc)) from None


def save_options(*, job, by, options: ImportOptions) -> None:
    """Keep the column choice and queue the check. TooManyJobs (nothing changed) when the owner
    already has as many jobs queued or running as allowed."""
    from squaremile.core.jobs import job_room_check
    from squaremile.core.models import JobStatus

    require(by, "entry.import")
    with transaction.atomic():
        job_room_check(job.owner, exclude=job)
        job.params.update(options.as_params())
        # Shown only if the check fails (a finished check points to the preview instead).
        job.params.update(stage="checking", continue_url=_urls(job)["start"], continue_label="Start a new import")
        job.status = JobStatus.QUEUED
        job.message = "Checking every row…"
        job.save(update_fields=["params", "status", "message", "updated_at"])


def check_import_job(job_id: int) -> None:
    """Check every row of the job's file (the preview); the job then waits for "apply"."""
    from squaremile.core.jobs import Progress, job_finish, job_running
    from squaremile.core.models import Job, JobStatus

    job = Job.objects.select_related("owner").get(pk=job_id)
    with job_running(job, message="Checking every row…") as job:
        table = job_table(job)
        options = ImportOptions.from_params(job.params)
        progress = Progress(job, total=len(table.rows))
        plan = import_preview(table=table, options=options, by=job.owner, progress=progress.update)
        progress.done()
        job.params.update(stage="preview", continue_url=_urls(job)["preview"], continue_label="See the preview")
        job.save(update_fields=["params"])
        c = plan.counts()
        message = (
            f"Checked {c['rows']:,} rows: ready to apply."
            if plan.ok
            else f"Checked {c['rows']:,} rows: {c['bad']:,} have problems. Nothing can be applied until they are fixed."
        )
        job_finish(job, message=message, report=plan.report(), status=JobStatus.WAITING)


def apply_import_job(job_id: int) -> None:
    """Apply the job's file whole, or nothing (the preview is then refreshed with every bad row)."""
    from squaremile.core.jobs import Progress, job_finish, job_message, job_running
    from squaremile.core.models import Job, JobStatus

    job = Job.objects.select_related("owner").get(pk=job_id)
    with job_running(job, message="Checking every row again…") as job:
        table = job_table(job)
        options = ImportOptions.from_params(job.params)
        progress = Progress(job, total=len(table.rows))
        try:
            _allowed(job.owner)
            plan = plan_import(table, options, progress=progress.update)
            if plan.ok:
                job_message(job, f"Saving {len(plan.creates) + len(plan.updates):,} entries…")
            result = import_apply(table=table, options=options, by=job.owner, plan=plan)
        except ImportRejected as rejected:
            job.params.update(stage="preview", continue_url=_urls(job)["preview"], continue_label="See the problems")
            job.save(update_fields=["params"])
            job_finish(job, message=str(rejected), report=rejected.plan.report(), status=JobStatus.WAITING)
            return
        except PermissionDenied:
            from squaremile.core.jobs import JobError

            raise JobError("You are no longer allowed to import entries.") from None
        progress.done()
        job.params.update(stage="applied", continue_url=reverse("mapping:map"), continue_label="See the map")
        job.save(update_fields=["params"])
        job_finish(
            job,
            message=f"Imported: {result.created:,} new, {result.updated:,} updated, {result.unchanged:,} unchanged.",
            report={"summary": result.summary(), "counts": {"create": result.created, "update": result.updated,
                                                             "unchanged": result.unchanged, "rows": result.rows}},
        )  # fmt: skip
