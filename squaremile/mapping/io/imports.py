"""The map's importer: entries from a CSV or GeoJSON file, on the shared pipeline
(`squaremile.imports`: read -> map columns -> check every row -> apply whole or not at all).

Only what is the map's lives here: what a row holds (`TARGETS`, plus each category question),
how a row is checked (`MapImporter.check_row`), how rows are matched to stored entries and how the
plan is written. The steps, usable without the web layer (the management command and the benchmark
call them):

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
point comes from one vectorised shapely query over every area's boundary (`places.area_index`);
entries and their history are written with one prepared statement each, and the map's cluster
cells are adjusted at the end (`clusters.apply_many`, or `clusters.rebuild()` for large imports).

The web wizard keeps the uploaded file and the column choice in a `core.Job` (`imports.jobs`);
large files are checked and applied by the pipeline's background tasks with progress on the job page.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from squaremile.audit.models import AuditEvent
from squaremile.core.text import clean_text
from squaremile.imports import jobs as import_jobs
from squaremile.imports import pipeline, reading
from squaremile.imports.pipeline import OPERATOR, ImportRejected, ImportResult, Plan, Row, Target, quote
from squaremile.imports.reading import ImportFileError, Limits, Table
from squaremile.imports.reading import cell as _cell
from squaremile.imports.reading import read_table as _read_table
from squaremile.imports.reading import unique_columns as _unique_columns
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
from squaremile.places.area_index import AreaIndex
from squaremile.questions.answers import NO_WORDS, YES_WORDS, parse_answer
from squaremile.questions.models import Question
from squaremile.questions.selectors import questions_for_model

logger = logging.getLogger(__name__)

EXTERNAL_ID_MAX = 200
ANSWER_TEXT_MAX = 2_000
# The verified column: the one set of yes/no words (squaremile.questions.answers), "verified", and
# an empty cell for no.
YES = YES_WORDS | {"verified"}
NO = NO_WORDS | {""}
COLUMN_NAME_MAX = reading.COLUMN_NAME_MAX  # a longer column name is cut (in `imports.reading`)

__all__ = [
    "OPERATOR", "AreaIndex", "ImportFileError", "ImportRejected", "ImportResult", "Plan", "Table", "_cell",
    "_unique_columns",
]  # fmt: skip


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


def map_limits() -> Limits:
    return Limits(max_bytes=max_bytes(), max_rows=max_rows(), max_columns=max_columns())


def read_table(data: bytes, filename: str = "") -> Table:
    """Read a CSV (any common encoding; comma, semicolon or tab) or a GeoJSON FeatureCollection of
    points (properties become columns), within the map's limits."""
    return _read_table(data, filename, limits=map_limits())


# ---- column mapping -----------------------------------------------------------------------
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


def _target(key: str, label: str, help: str = "") -> Target:
    return Target(key, label, help, synonyms=SYNONYMS.get(key, ()))


TARGETS: tuple[Target, ...] = (
    _target("title", "Title", "Needed for every row."),
    _target("description", "Description"),
    _target("category", "Category", "A category's name or short name; rows without one get the default below."),
    _target("lat", "Latitude", "Between -90 and 90, such as 53.8008."),
    _target("lng", "Longitude", "Between -180 and 180, such as -1.5491."),
    _target("external_id", "External id", "The row's id in your own data; used to update rows imported before."),
    _target("start_date", "Start date"),
    _target("end_date", "End date"),
    _target("announced_on", "Announced on", "For a threat or cut."),
    _target("takes_effect_on", "Takes effect on", "For a threat or cut."),
    _target("organisation", "Organisation", "The name of an organisation in the directory."),
    _target("verified", "Verified", "yes / no"),
)
TARGET_KEYS = {t.key for t in TARGETS}


def question_key(question) -> str:
    return f"q{question.pk}"


def guess_mapping(columns: list[str], questions: Iterable[Question] = (), *, geojson: bool = False) -> dict:
    """target key -> column name, guessed from the header names. Each column is used at most once."""
    mapping = pipeline.guess_mapping(columns, TARGETS, skip=("lat", "lng") if geojson else ())
    used = set(mapping.values())
    by_norm: dict[str, str] = {}
    for column in columns:
        by_norm.setdefault(pipeline.norm(column), column)
    for question in questions:
        column = by_norm.get(pipeline.norm(question.label))
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
    return MAP.options_errors(table, options)


class _Lookups:
    """Everything a row is checked against, loaded once per import."""

    def __init__(self, options: ImportOptions):
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


def _check_row(row: Row, options: ImportOptions, lk: _Lookups) -> tuple[dict | None, list[str]]:
    """The entry values of a row (only the mapped fields) or what is wrong with it."""
    mapping = options.mapping
    get = row.get
    problems: list[str] = []
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
    if row.point is not None and not (mapping.get("lat") and mapping.get("lng")):
        point = row.point
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
                problems.append(f"the latitude {quote(raw_lat)} is not a number")
        if not raw_lng:
            problems.append("the longitude is missing")
        else:
            lng = _number(raw_lng)
            if lng is None:
                problems.append(f"the longitude {quote(raw_lng)} is not a number")
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
            problems.append(f"there is no category called {quote(raw_category)}")
    else:
        category = lk.default
        if category is None:
            problems.append("the category is missing and no default category was chosen")
    if category is not None and not category.is_active:
        problems.append(f"the category {quote(category.name)} is closed for new entries")
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
            problems.append(f"the {label} {quote(raw)} is not a date (write it as YYYY-MM-DD, such as 2026-03-31)")
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
                problems.append(f"there is no organisation called {quote(raw)} in the directory")
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
            problems.append(f"verified should be yes or no, not {quote(get('verified') or '')}")

    # extra questions: only those of the row's category
    answers = {}
    for key, question in lk.questions.items():
        if not mapping.get(key) or category is None or question.owner_id != category.pk:
            continue
        raw = get(key) or ""
        if not raw:
            if question.required:
                problems.append(f"{quote(question.label)} needs an answer")
            continue
        try:
            value = _answer(question, raw)
        except ValueError as exc:
            problems.append(f"{quote(question.label)}: {exc}")
            continue
        if value is not None:
            answers[str(question.pk)] = value
    if any(k.startswith("q") for k in mapping if mapping.get(k)):
        values["answers"] = answers

    return (None, problems) if problems else (values, [])


def auto_external_id(title: str, lat: float, lng: float) -> str:
    digest = hashlib.sha1(f"{title.strip().casefold()}|{lat:.6f}|{lng:.6f}".encode(), usedforsecurity=False)
    return "auto:" + digest.hexdigest()[:24]


COMPARED = ("title", "description", "category_id", "lat", "lng", "start_date", "end_date", "announced_on",
            "takes_effect_on", "organisation_id", "verified")  # fmt: skip


def _existing(external_ids: list[str]) -> dict[str, Entry]:
    found: dict[str, Entry] = {}
    for start in range(0, len(external_ids), 900):
        chunk = external_ids[start : start + 900]
        for entry in Entry.objects.filter(external_id__in=chunk):
            found[entry.external_id] = entry
    return found


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


# ---- the importer -------------------------------------------------------------------------
class MapImporter(pipeline.Importer):
    key = "mapping.import"  # also the kind of its jobs (kept from before the shared pipeline)
    title = "Import to the map"
    permission = "entry.import"
    words = ("entry", "entries")
    targets = TARGETS
    options_class = ImportOptions
    file_help = (
        "A CSV file (any common text encoding; commas, semicolons or tabs between cells; the first row names the "
        "columns) or a GeoJSON file of points."
    )

    @property
    def inline_rows(self) -> int:  # type: ignore[override]
        return inline_rows()

    def limits(self) -> Limits:
        return map_limits()

    def all_targets(self, **kwargs) -> list[Target]:
        return [*TARGETS, *(Target(question_key(q), f"{q.category.name}: {q.label}") for q in import_questions())]

    def guess(self, table: Table) -> dict[str, str]:
        return guess_mapping(table.columns, import_questions(), geojson=table.kind == "geojson")

    def options_errors(self, table: Table, options: ImportOptions) -> dict[str, str]:
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

    def prepare(self, table: Table, options: ImportOptions) -> _Lookups:
        return _Lookups(options)

    def check_row(self, row: Row, context: _Lookups, options: ImportOptions):
        values, problems = _check_row(row, options, context)
        if values is not None:
            values["external_id"] = values["external_id"] or auto_external_id(
                values["title"], values["lat"], values["lng"]
            )
        return values, problems

    def key_of(self, values: dict) -> str:
        return values["external_id"]

    def duplicate(self, key: str, other_number: int, table: Table) -> str:
        what = f"the external id {quote(key)}" if not key.startswith("auto:") else "the same title and coordinates"
        return f"{what} is also used in {table.row_word.lower()} {other_number}"

    def match(self, checked: list[tuple[int, dict]], context: _Lookups, options: ImportOptions, plan: Plan) -> None:
        from squaremile.mapping.cells import clusters

        existing = _existing([values["external_id"] for _, values in checked])
        areas = AreaIndex()
        new_points = []
        for number, values in checked:
            entry = existing.get(values["external_id"])
            if entry is None:
                plan.creates.append((number, _new_entry(values, options)))
                new_points.append((values["lat"], values["lng"]))
            else:
                entry._import_before = clusters.snapshot(entry)
                changes = _changes(entry, values, context)
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

    def write(self, plan: Plan, *, by, options: ImportOptions) -> None:
        _write(plan, by=by, options=options)

    def describe(self, record) -> str:
        return record.title

    def columns_initial(self, params: dict) -> dict:
        initial = {"publish": "publish" if params.get("publish") else "queue"}
        if params.get("default_category"):
            initial["default_category"] = params["default_category"]
        return initial

    def columns_context(self, form) -> dict:
        return {
            "target_fields": [form[name] for name in form.target_fields],
            "question_fields": [form[name] for name in form.question_fields],
        }

    url_names = "mapping:import"
    done_url = "mapping:map"
    done_label = "See the map"


MAP = pipeline.register(MapImporter())


def plan_import(table: Table, options: ImportOptions, *, progress: Callable[[int], None] | None = None) -> Plan:
    """Check every row and work out what applying would do. Reads only."""
    return pipeline.plan_rows(MAP, table, options, progress=progress)


def import_preview(*, table: Table, options: ImportOptions, by, progress=None) -> Plan:
    """What applying would do (reads only). `by` needs `entry.import` (or is OPERATOR)."""
    return pipeline.preview(MAP, table=table, options=options, by=by, progress=progress)


def import_apply(*, table: Table, options: ImportOptions, by, progress=None, plan: Plan | None = None) -> ImportResult:
    """Check every row, then apply all of them in one transaction, or none: raises ImportRejected
    (nothing written) when any row is bad. `by` needs `entry.import` (or is OPERATOR)."""
    return pipeline.apply(MAP, table=table, options=options, by=by, plan=plan, progress=progress)


def import_rows(*, rows: list[dict], options: ImportOptions, by) -> ImportResult:
    """Apply rows given as dicts (column -> value), e.g. from the benchmark's generator."""
    return import_apply(table=Table.from_dicts(rows), options=options, by=by)


# Keeping the cluster cells: updated entries are adjusted one by one (clusters.apply_many, about
# 2 ms each); new entries too when few, else counted in by SQL (clusters.add_entries, regrouping
# only the new rows). Recomputing every cell (clusters.rebuild, about 0.1 ms per stored entry)
# only pays when the import changes most of the map: more than REBUILD_OVER changes and more than
# 1 in REBUILD_SHARE of the entries.
SQL_ADD_OVER = 500
REBUILD_OVER = 1_000
REBUILD_SHARE = 2


def _write(plan: Plan, *, by, options: ImportOptions) -> None:
    """Write the plan (inside the pipeline's one transaction)."""
    from squaremile.mapping.cells import clusters

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
    from squaremile.mapping.cells import clusters

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


# ---- the web wizard's job (the pipeline's jobs, with the map's importer) ---------------------
def import_questions():
    from squaremile.mapping.entries.selectors import category_questions

    return category_questions()


def start_import(*, by, upload, filename: str):
    """Read an uploaded file (ImportFileError if it cannot be read) and keep it in a new job that
    waits for the column choice."""
    return import_jobs.start(MAP, by=by, upload=upload, filename=filename)


def replace_file(*, job, by, upload, filename: str) -> Table:
    return import_jobs.replace_file(MAP, job=job, by=by, upload=upload, filename=filename)


def job_table(job) -> Table:
    return import_jobs.job_table(MAP, job)


def save_options(*, job, by, options: ImportOptions) -> None:
    import_jobs.save_options(MAP, job=job, by=by, options=options)


def check_import_job(job_id: int) -> None:
    import_jobs.run_check(job_id)


def apply_import_job(job_id: int) -> None:
    import_jobs.run_apply(job_id)
