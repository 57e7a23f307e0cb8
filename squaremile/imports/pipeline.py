"""The one import pipeline: read -> map columns -> check every row -> apply all or nothing.

An `Importer` (one per kind of record, declared and registered by its feature app) says what a row
holds (`targets`), how to check one row (`check_row`), how to match the good rows to stored records
(`match`) and how to write the plan (`write`). Everything else is here, the same for every importer:

    table = read_table(data, filename)                       # reading.py
    options = ImportOptions(mapping=guess_mapping(table.columns, importer.all_targets()))
    plan = preview(importer, table=table, options=options, by=user)   # reads only; every bad row named
    result = apply(importer, table=table, options=options, by=user)   # one transaction; ImportRejected
                                                                     # (nothing written) if any row is bad

Idempotent: every row has an external key (`Importer.key_of`: an id column, or one made from the
row's values), two rows with the same key are refused, and a row whose values equal the stored
record's is "unchanged" — importing the same file again changes nothing and says so.

The `jobs` module runs the same steps as a background `core.Job` with progress (the web wizard).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from squaremile.core.permissions import require
from squaremile.imports.reading import Limits, Table

logger = logging.getLogger(__name__)

ERRORS_KEPT = 10_000  # bad rows stored in a job's report (the count is always exact)
SAMPLE_KEPT = 10


# ---- columns ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Target:
    """One thing a row can hold: its key, its label on the columns page, help, whether every import
    needs a column for it, and the header names that are guessed to hold it (compared by `norm`)."""

    key: str
    label: str
    help: str = ""
    required: bool = False
    synonyms: tuple[str, ...] = ()


def norm(name: str) -> str:
    """A header name as guessing compares it: "Post Code " -> "postcode"."""
    return re.sub(r"[^a-z0-9]", "", (name or "").casefold())


def guess_mapping(columns: list[str], targets: Iterable[Target], *, skip: Iterable[str] = ()) -> dict[str, str]:
    """target key -> column name, guessed from the header names (a target's key, its label and its
    synonyms, in that order). Each column is used at most once; targets in `skip` are not guessed."""
    by_norm: dict[str, str] = {}
    for column in columns:
        by_norm.setdefault(norm(column), column)
    skipped = set(skip)
    used: set[str] = set()
    mapping: dict[str, str] = {}
    for target in targets:
        if target.key in skipped:
            continue
        for name in (*target.synonyms, target.key, target.label):
            column = by_norm.get(norm(name))
            if column and column not in used:
                mapping[target.key] = column
                used.add(column)
                break
    return mapping


@dataclass
class ImportOptions:
    """The person's choices: which column holds what, the file's name, and importer-specific
    settings (`extra`, e.g. a default category)."""

    mapping: dict[str, str]
    source: str = ""
    extra: dict = field(default_factory=dict)

    def as_params(self) -> dict:
        return {"mapping": self.mapping, "source": self.source, "extra": self.extra}

    @classmethod
    def from_params(cls, params: dict) -> ImportOptions:
        return cls(
            mapping=dict(params.get("mapping") or {}),
            source=params.get("source") or "",
            extra=dict(params.get("extra") or {}),
        )


class Row:
    """One row as an importer's `check_row` sees it: `get(key)` is the mapped cell ("" when empty,
    None when no column is chosen for that target); `point` is a GeoJSON feature's (lat, lng) or a
    message saying what is wrong with its geometry (None for CSV)."""

    __slots__ = ("index", "number", "cells", "point", "_columns", "_mapping")

    def __init__(self, table: Table, index: int, columns: dict[str, int], mapping: dict[str, str]):
        self.index = index
        self.number = table.numbers[index]
        self.cells = table.rows[index]
        self.point = table.points[index] if table.points is not None else None
        self._columns = columns
        self._mapping = mapping

    def get(self, key: str) -> str | None:
        column = self._mapping.get(key)
        if not column:
            return None
        return self.cells[self._columns[column]]

    def mapped(self, key: str) -> bool:
        return bool(self._mapping.get(key))


def quote(value: str) -> str:
    """A cell quoted in a message, cut to 60 characters."""
    value = value if len(value) <= 60 else value[:57] + "…"
    return f"“{value}”"


def sentence(problems: list[str]) -> str:
    text = "; ".join(problems)
    return text[0].upper() + text[1:] + "."


# ---- plan and result ----------------------------------------------------------------------------
@dataclass
class Plan:
    """What applying would do: records to create and to update (with their changes), the unchanged
    count and every bad row. `context` is what the importer loaded to check the rows (kept for
    `write`)."""

    rows: int = 0
    creates: list = field(default_factory=list)  # [(row number, new record)]
    updates: list = field(default_factory=list)  # [(row number, record, {field: [old, new]})]
    unchanged: int = 0
    errors: list[dict] = field(default_factory=list)  # [{"row": n, "message": "..."}]
    context: object = None
    words: tuple[str, str] = ("record", "records")

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

    def report(self, describe: Callable | None = None) -> dict:
        c = self.counts()
        plural = self.words[1]
        describe = describe or (lambda record: str(getattr(record, "title", None) or getattr(record, "name", "")))
        return {
            "counts": c,
            "words": list(self.words),
            "summary": [
                ["Rows in the file", c["rows"]],
                [f"New {plural}", c["create"]],
                [f"{plural.capitalize()} to update", c["update"]],
                ["Unchanged", c["unchanged"]],
                ["Rows with problems", c["bad"]],
            ],
            "errors": self.errors[:ERRORS_KEPT],
            "errors_total": len(self.errors),
            "errors_truncated": len(self.errors) > ERRORS_KEPT,
            "creates_sample": [{"row": n, "title": describe(r)} for n, r in self.creates[:SAMPLE_KEPT]],
            "updates_sample": [
                {"row": n, "title": describe(r), "fields": sorted(changes)}
                for n, r, changes in self.updates[:SAMPLE_KEPT]
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
    words: tuple[str, str] = ("record", "records")

    def summary(self) -> list:
        return [
            ["Rows in the file", self.rows],
            [f"New {self.words[1]}", self.created],
            ["Updated", self.updated],
            ["Unchanged", self.unchanged],
        ]

    @property
    def message(self) -> str:
        text = f"Imported: {self.created:,} new, {self.updated:,} updated, {self.unchanged:,} unchanged."
        if not self.created and not self.updated:
            text += " Nothing changed: everything in the file was already here."
        return text


# ---- the importer -------------------------------------------------------------------------------
class _Operator:
    """Stands for the operator at the command line: no account, no permission check."""

    is_authenticated = False
    pk = None

    def __repr__(self):
        return "OPERATOR"


OPERATOR = _Operator()


class Importer:
    """Subclass per kind of record and `register()` an instance from the feature app (see README)."""

    key: str = ""  # registry key and the kind of its jobs, e.g. "directory.organisations"
    title: str = "Import"  # "Import organisations"
    permission: str = ""  # the core.permissions action needed to preview or apply
    words: tuple[str, str] = ("record", "records")  # one, many
    targets: tuple[Target, ...] = ()
    options_class: type = ImportOptions
    inline_rows: int = 2_000  # files with more rows are checked and applied by a background task
    help_template: str = ""  # shown on the shared upload page: what the file should look like
    file_help: str = (
        "A CSV file (saved from a spreadsheet in any common text encoding; commas, semicolons or tabs between "
        "cells; the first row names the columns)."
    )

    # -- what the person may choose --
    def all_targets(self, **kwargs) -> list[Target]:
        """Every target, including any made from data (e.g. the map's category questions)."""
        return list(self.targets)

    def guess(self, table: Table) -> dict[str, str]:
        return guess_mapping(table.columns, self.all_targets())

    def limits(self) -> Limits:
        return Limits.default()

    def allowed(self, by, options) -> None:
        """PermissionDenied unless `by` may import (OPERATOR always may)."""
        if by is OPERATOR:
            return
        require(by, self.permission)

    def options_errors(self, table: Table, options) -> dict[str, str]:
        """What is wrong with the column choice as a whole (not with rows)."""
        errors: dict[str, str] = {}
        known = set(table.columns)
        for key, column in options.mapping.items():
            if column and column not in known:
                errors[key] = f"The file has no column “{column}”."
        for target in self.targets:
            if target.required and not options.mapping.get(target.key):
                errors.setdefault(target.key, f"Choose the column that holds the {target.label.lower()}.")
        return errors

    # -- checking --
    def prepare(self, table: Table, options):
        """Load, once, everything the rows are checked against (bulk reads). Returns a context."""
        return None

    def check_row(self, row: Row, context, options) -> tuple[dict | None, list[str]]:
        """(values, []) for a good row, (None, [problems in plain words]) for a bad one."""
        raise NotImplementedError

    def key_of(self, values: dict) -> str:
        """The row's external key: equal keys are the same record (re-imports match on it)."""
        raise NotImplementedError

    def duplicate(self, key: str, other_number: int, table: Table) -> str:
        return f"it is the same as {table.row_word.lower()} {other_number}"

    def match(self, checked: list[tuple[int, dict]], context, options, plan: Plan) -> None:
        """Fill plan.creates / plan.updates / plan.unchanged from the good rows (bulk reads)."""
        raise NotImplementedError

    # -- applying --
    def write(self, plan: Plan, *, by, options) -> None:
        """Write the plan (called inside the one transaction)."""
        raise NotImplementedError

    def describe(self, record) -> str:
        return str(getattr(record, "title", None) or getattr(record, "name", None) or record)

    def result(self, plan: Plan) -> ImportResult:
        return ImportResult(
            created=len(plan.creates), updated=len(plan.updates), unchanged=plan.unchanged, rows=plan.rows,
            words=self.words,
        )  # fmt: skip

    # -- pages (the shared wizard) --
    def columns_initial(self, params: dict) -> dict:
        """Initial values of the columns form's own fields (beyond the column choices)."""
        return {}

    def columns_context(self, form) -> dict:
        """More context for the columns page (e.g. the fields in groups)."""
        return {}

    # The wizard's pages, by URL name: "<url_names>_columns", "_preview", "_apply", "_file" (each takes
    # the job's id) and "<url_names>_start"; after applying, a link to `done_url` saying `done_label`.
    url_names: str = ""
    start_url: str = ""  # when the first page is not "<url_names>_start"
    done_url: str = ""
    done_label: str = "Done"

    def urls(self, job) -> dict:
        """{"columns", "preview", "apply", "file", "start", "done", "done_label"}: the wizard's pages.
        Set `url_names` and `done_url`, or override this (an importer with pages of its own)."""
        if not self.url_names or not self.done_url:
            raise NotImplementedError(f"{type(self).__name__} names no wizard pages (url_names, done_url).")
        from django.urls import reverse

        steps = {step: reverse(f"{self.url_names}_{step}", args=[job.pk]) for step in WIZARD_STEPS}
        return {**steps, "start": reverse(self.start_url or f"{self.url_names}_start"), "done": reverse(self.done_url),
                "done_label": self.done_label}  # fmt: skip


WIZARD_STEPS = ("columns", "preview", "apply", "file")
_REGISTRY: dict[str, Importer] = {}


def register(importer: Importer) -> Importer:
    """Declare an importer (from the feature app's AppConfig.ready() or a module it imports)."""
    if not importer.key:
        raise ValueError("An importer needs a key.")
    _REGISTRY[importer.key] = importer
    return importer


def get(key: str) -> Importer:
    return _REGISTRY[key]


def registered() -> dict[str, Importer]:
    return dict(_REGISTRY)


# ---- the steps ----------------------------------------------------------------------------------
PROGRESS_EVERY = 500


def plan_rows(importer: Importer, table: Table, options, *, progress: Callable[[int], None] | None = None) -> Plan:
    """Check every row and work out what applying would do. Reads only; no permission check."""
    plan = Plan(rows=len(table.rows), words=importer.words)
    wrong = importer.options_errors(table, options)
    if wrong:
        plan.errors = [{"row": 0, "message": message} for message in wrong.values()]
        return plan
    context = importer.prepare(table, options)
    plan.context = context
    columns = {name: n for n, name in enumerate(table.columns)}
    mapping = options.mapping
    checked: list[tuple[int, dict]] = []
    seen: dict[str, int] = {}
    for i in range(len(table.rows)):
        row = Row(table, i, columns, mapping)
        values, problems = importer.check_row(row, context, options)
        if i in table.problems:
            problems = [table.problems[i], *problems]
            values = None
        if values is not None:
            key = importer.key_of(values)
            if key in seen:
                problems = [importer.duplicate(key, seen[key], table)]
            else:
                seen[key] = row.number
        if problems:
            plan.errors.append({"row": row.number, "message": sentence(problems)})
        else:
            checked.append((row.number, values))
        if progress and i % PROGRESS_EVERY == 0:
            progress(i)
    # The good rows are matched even when others are bad, so the preview can say what they would do.
    importer.match(checked, context, options, plan)
    if progress:
        progress(len(table.rows))
    return plan


def preview(importer: Importer, *, table: Table, options, by, progress=None) -> Plan:
    """What applying would do (reads only). `by` needs the importer's permission (or is OPERATOR)."""
    importer.allowed(by, options)
    return plan_rows(importer, table, options, progress=progress)


def apply(importer: Importer, *, table: Table, options, by, plan: Plan | None = None, progress=None) -> ImportResult:
    """Check every row, then apply all of them in one transaction, or none: ImportRejected (nothing
    written) when any row is bad or the data changed underneath."""
    importer.allowed(by, options)
    if plan is None:
        plan = plan_rows(importer, table, options, progress=progress)
    if not plan.ok:
        raise ImportRejected(plan)
    try:
        with transaction.atomic():
            importer.write(plan, by=by, options=options)
    except IntegrityError:
        logger.warning("Import (%s) clashed with a concurrent change", importer.key, exc_info=True)
        plan.errors = [
            {"row": 0, "message": f"Some of these {importer.words[1]} were changed while the import ran. Nothing "
             "was applied; check the file again and apply it again."}
        ]  # fmt: skip
        raise ImportRejected(plan) from None
    return importer.result(plan)


__all__ = [
    "OPERATOR",
    "ImportOptions",
    "ImportRejected",
    "ImportResult",
    "Importer",
    "PermissionDenied",
    "Plan",
    "Row",
    "Target",
    "apply",
    "get",
    "guess_mapping",
    "norm",
    "plan_rows",
    "preview",
    "quote",
    "register",
    "registered",
    "sentence",
]
