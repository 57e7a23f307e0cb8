"""Reading an uploaded file into a `Table`: CSV in any common encoding, GeoJSON points, or JSON
records.

    table = read_table(data, "halls.csv")     # ImportFileError (plain words) if it cannot be read

CSV: UTF-8 with or without a byte-order mark, UTF-16 (with a BOM, as Excel's "Unicode text"
writes it, or without one when every other byte is zero), else Windows-1252 (which covers
Latin-1's letters) — the encoding a UK spreadsheet saves "CSV" in; comma, semicolon or tab between
cells (whichever the header row uses most). GeoJSON: a FeatureCollection (or one Feature) of points,
whose properties become columns. JSON records: a list of objects, or an object holding one such list
(`{"methods": [...], "exported_at": ...}`, as the platform's own JSON exports are): each object is a
row, its keys the columns; a list or an object inside a record becomes one cell holding its JSON
text, for the importer to read. Every cell passes through `core.text.clean_text`.

XLSX is not read: a spreadsheet file is refused with words that say how to save it as CSV (a
reader would need a new dependency; see the app's README).

Limits (settings, read at each call so tests can change them): IMPORT_MAX_BYTES, IMPORT_MAX_ROWS,
IMPORT_MAX_COLUMNS; an importer may pass its own.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from dataclasses import dataclass, field

from django.conf import settings

from squaremile.core.text import clean_text

SAMPLE_ROWS = 5
SAMPLE_CELL_MAX = 80  # characters of a cell shown in the sample on the columns page
COLUMN_NAME_MAX = 100  # a longer column name is cut (the column page lists every name in every choice)


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message says why in plain words."""


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_rows: int
    max_columns: int

    @classmethod
    def default(cls) -> Limits:
        return cls(
            max_bytes=int(getattr(settings, "IMPORT_MAX_BYTES", 100 * 1024 * 1024)),
            max_rows=int(getattr(settings, "IMPORT_MAX_ROWS", 200_000)),
            max_columns=int(getattr(settings, "IMPORT_MAX_COLUMNS", 200)),
        )


@dataclass
class Table:
    kind: str  # "csv", "geojson" or "json"
    columns: list[str]
    rows: list[list[str]]  # cells in column order, every row as long as `columns`
    numbers: list[int]  # the number a person sees for each row (spreadsheet line; GeoJSON feature)
    points: list | None = None  # GeoJSON: (lat, lng) per feature, or a message saying what is wrong
    problems: dict[int, str] = field(default_factory=dict)  # row index -> a problem with the row's shape
    encoding: str = "utf-8"

    @property
    def row_word(self) -> str:
        return {"geojson": "Feature", "json": "Record"}.get(self.kind, "Row")

    def sample(self, n: int = SAMPLE_ROWS) -> list[list[str]]:
        return [[cell[:SAMPLE_CELL_MAX] for cell in row] for row in self.rows[:n]]

    @classmethod
    def from_dicts(cls, rows: list[dict]) -> Table:
        """A table from rows given as dicts (column -> value), e.g. from a benchmark's generator."""
        columns: dict[str, None] = {}
        for row in rows:
            for key in row:
                columns.setdefault(key, None)
        names = list(columns)
        return cls(
            kind="csv",
            columns=names,
            rows=[[cell(row.get(name)) for name in names] for row in rows],
            numbers=list(range(2, len(rows) + 2)),
        )


_BINARY_SIGNATURES = {
    b"PK\x03\x04": "a spreadsheet or other zipped file (such as .xlsx or .ods)",
    b"\xd0\xcf\x11\xe0": "an old-style Excel or Word file (.xls)",
    b"%PDF": "a PDF document",
    b"\x89PNG": "a picture",
    b"\xff\xd8\xff": "a picture",
    b"GIF8": "a picture",
}
SAVE_AS_CSV = "In your spreadsheet choose “Save as” → “CSV UTF-8 (comma delimited)” and upload that."


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding name) of a text file in any common encoding; ImportFileError if it is not text."""
    if data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        head = data[:4096]
        even, odd = head[0::2], head[1::2]
        if len(head) >= 4 and odd.count(0) > len(odd) * 0.3 and even.count(0) == 0:
            candidates = ["utf-16-le"]
        elif len(head) >= 4 and even.count(0) > len(even) * 0.3 and odd.count(0) == 0:
            candidates = ["utf-16-be"]
        else:
            if b"\x00" in head:
                raise ImportFileError("This is not a text file. Upload a CSV or GeoJSON file.")
            candidates = ["utf-8", "cp1252", "latin-1"]
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            raise ImportFileError("This is not a text file (it holds binary data). Upload a CSV or GeoJSON file.")
        return text, {"utf-8-sig": "utf-8", "latin-1": "cp1252"}.get(encoding, encoding)
    raise ImportFileError(f"The file's text could not be read. {SAVE_AS_CSV}")


def read_table(data: bytes, filename: str = "", *, limits: Limits | None = None) -> Table:
    """Read a CSV or a GeoJSON FeatureCollection of points (see the module's docstring)."""
    limits = limits or Limits.default()
    if len(data) > limits.max_bytes:
        raise ImportFileError(
            f"The file is larger than {limits.max_bytes // (1024 * 1024)} MB. Split it into smaller files."
        )
    if not data.strip():
        raise ImportFileError("The file is empty.")
    for signature, what in _BINARY_SIGNATURES.items():
        if data.startswith(signature):
            raise ImportFileError(f"This looks like {what}, not a CSV or GeoJSON file. {SAVE_AS_CSV}")
    text, encoding = decode(data)
    if not text.strip():
        raise ImportFileError("The file is empty.")
    name = (filename or "").lower()
    looks_json = text.lstrip().startswith(("{", "["))
    if name.endswith((".geojson", ".json")) or (looks_json and not name.endswith((".csv", ".tsv", ".txt"))):
        table = _read_json(text, limits)
    else:
        table = _read_csv(text, limits)
    table.encoding = encoding
    return table


def _check_column_count(count: int, limits: Limits) -> None:
    if count > limits.max_columns:
        raise ImportFileError(
            f"The file has {count:,} columns; at most {limits.max_columns:,} can be imported. Keep only the "
            "columns you want to import (delete the others in your spreadsheet) and upload it again."
        )


def unique_columns(raw: list[str]) -> list[str]:
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


def delimiter_of(text: str) -> str:
    header = text.split("\n", 1)[0]
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _read_csv(text: str, limits: Limits) -> Table:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter_of(text))
    try:
        header = next(reader, None)
        while header is not None and not any(cell.strip() for cell in header):
            header = next(reader, None)
        if header is None:
            raise ImportFileError("The file is empty.")
        _check_column_count(len(header), limits)
        columns = unique_columns(header)
        width = len(columns)
        rows, numbers, problems = [], [], {}
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) >= limits.max_rows:
                raise ImportFileError(f"The file has more than {limits.max_rows:,} rows. Split it into smaller files.")
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


def cell(value) -> str:
    """A JSON value as the text of a cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    if isinstance(value, str):
        return clean_text(value, multiline=True).strip()
    return clean_text(json.dumps(value, ensure_ascii=False), multiline=True)


def _load_json(text: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFileError(
            f"The file is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})."
        ) from None
    except RecursionError:
        raise ImportFileError("The file is not valid JSON: it is nested far too deeply.") from None


def _read_json(text: str, limits: Limits) -> Table:
    """GeoJSON when the document says it is one, else JSON records."""
    doc = _load_json(text)
    if isinstance(doc, dict) and doc.get("type") in ("FeatureCollection", "Feature"):
        return _read_geojson(doc, limits)
    return _read_records(doc, limits)


def _records_of(doc) -> list:
    if isinstance(doc, list):
        return doc
    if isinstance(doc, dict):
        lists = [key for key, value in doc.items() if isinstance(value, list) and value and isinstance(value[0], dict)]
        if len(lists) == 1:
            return doc[lists[0]]
        if len(lists) > 1:
            names = ", ".join(f"“{k}”" for k in lists[:5])
            raise ImportFileError(
                f"The JSON file holds several lists of records ({names}): upload a file with one list."
            )
    raise ImportFileError(
        "The file is JSON but holds no records to import: it needs a list of objects, such as "
        '[{"name": ...}, ...] or {"methods": [{"name": ...}, ...]}, or a GeoJSON FeatureCollection.'
    )


def _read_records(doc, limits: Limits) -> Table:
    records = _records_of(doc)
    if not records:
        raise ImportFileError("The JSON file has an empty list: no records to import.")
    if len(records) > limits.max_rows:
        raise ImportFileError(f"The file has more than {limits.max_rows:,} records. Split it into smaller files.")
    keys: dict[str, None] = {}
    for record in records:
        if isinstance(record, dict):
            for key in record:
                keys.setdefault(str(key), None)
            if len(keys) > limits.max_columns:
                _check_column_count(len(keys), limits)
    raw = list(keys)
    _check_column_count(len(raw), limits)
    columns = unique_columns(raw)
    rows, numbers, problems = [], [], {}
    for index, record in enumerate(records):
        numbers.append(index + 1)
        if not isinstance(record, dict):
            rows.append([""] * len(columns))
            problems[index] = 'it is not an object of names and values (like {"name": ...})'
            continue
        by_key = {str(k): v for k, v in record.items()}
        rows.append([cell(by_key.get(key)) for key in raw])
    return Table(kind="json", columns=columns, rows=rows, numbers=numbers, problems=problems)


def _read_geojson(doc, limits: Limits) -> Table:
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
    if len(features) > limits.max_rows:
        raise ImportFileError(f"The file has more than {limits.max_rows:,} features. Split it into smaller files.")
    keys: dict[str, None] = {}
    has_id = False
    for feature in features:
        props = feature.get("properties") if isinstance(feature, dict) else None
        if isinstance(props, dict):
            for key in props:
                keys.setdefault(str(key), None)
            if len(keys) > limits.max_columns:
                _check_column_count(len(keys), limits)
        if isinstance(feature, dict) and feature.get("id") is not None:
            has_id = True
    prop_keys = list(keys)
    id_column = None
    if has_id:
        id_column = "id" if "id" not in keys else "feature id"
    raw_columns = prop_keys + ([id_column] if id_column else [])
    _check_column_count(len(raw_columns), limits)
    columns = unique_columns(raw_columns)
    rows, numbers, points = [], [], []
    for index, feature in enumerate(features):
        numbers.append(index + 1)
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            rows.append([""] * len(columns))
            points.append("it is not a GeoJSON Feature")
            continue
        props = feature.get("properties")
        props = props if isinstance(props, dict) else {}
        cells = [cell(props.get(key)) for key in prop_keys]
        if id_column:
            cells.append(cell(feature.get("id")))
        rows.append(cells)
        points.append(_point(feature.get("geometry")))
    return Table(kind="geojson", columns=columns, rows=rows, numbers=numbers, points=points)


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
