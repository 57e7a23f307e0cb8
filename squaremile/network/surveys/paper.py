"""Paper answers imported from a spreadsheet (CSV): one row per respondent.

Columns (a header row is required; the order does not matter; only `name` and `consent` must be
filled in; column names are case-insensitive):

| column      | what to write                                                                   |
|-------------|---------------------------------------------------------------------------------|
| name        | the respondent's name                                                           |
| email       | optional; they are not emailed                                                  |
| stream      | individual, community, public or business (or empty)                            |
| role        | their role or organisation                                                      |
| consent     | named, anonymous or hidden (as ticked on paper)                                 |
| willingness | 0 to 4 (0 not at the moment … 4 whatever helps), or empty                       |
| works_with  | `Name:strength:sharing; Name 2:strength` — strength 1 now and then, 2 regularly, |
|             | 3 closely (2 if left out); sharing 1 to 3, optional                             |
| skills      | `skill-slug:strong; other-skill:some` (the level is "some" if left out)         |
| resources   | `resource-slug:strong; other:some`                                              |
| needs       | skill or resource slugs they need: `cooking; van`                               |
| needs_text  | anything else they need                                                         |

The whole file is checked first; every bad row is listed with its number and reason, and nothing
is saved unless every row is good (then all rows are saved in one transaction).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from squaremile.core.text import clean_text
from squaremile.directory.models import Stream
from squaremile.network.models import Consent, Survey
from squaremile.network.surveys.names import normalise
from squaremile.network.surveys.services import ResponseData, TieData

MAX_BYTES = 2_000_000
MAX_ROWS = 5_000
COLUMNS = [
    ("name", "The respondent's name (required)."),
    ("email", "Optional. They are not emailed."),
    ("stream", "individual, community, public or business; or empty."),
    ("role", "Their role or organisation."),
    ("consent", "named, anonymous or hidden, as ticked on paper (required)."),
    ("willingness", "0 to 4, or empty."),
    ("works_with", "Name:strength:sharing; Name 2:strength — strength 1 to 3 (2 if left out), sharing 1 to 3."),
    ("skills", "skill-slug:strong; other-skill:some"),
    ("resources", "resource-slug:strong; other:some"),
    ("needs", "Skill or resource slugs they need: cooking; van"),
    ("needs_text", "Anything else they need."),
]
CONSENT_WORDS = {
    "named": Consent.NAMED, "name": Consent.NAMED, "with my name": Consent.NAMED,
    "anonymous": Consent.ANONYMOUS, "without my name": Consent.ANONYMOUS, "anon": Consent.ANONYMOUS,
    "hidden": Consent.HIDDEN, "not shown": Consent.HIDDEN, "not at all": Consent.HIDDEN,
}  # fmt: skip


@dataclass
class Row:
    number: int  # the line in the file (the header is line 1)
    name: str
    data: ResponseData | None = None
    errors: list[str] = field(default_factory=list)


@dataclass
class Preview:
    text: str
    rows: list[Row] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # about the whole file

    @property
    def bad_rows(self) -> list[Row]:
        return [r for r in self.rows if r.errors]

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows) and not self.bad_rows


def _items(value: str) -> list[str]:
    return [part.strip() for part in (value or "").replace("\n", ";").split(";") if part.strip()]


def _levels(value: str, known: dict, what: str, errors: list[str]) -> dict:
    out = {}
    for item in _items(value):
        slug, _, level = item.partition(":")
        slug, level = slug.strip().lower(), (level.strip().lower() or "some")
        obj = known.get(slug)
        if obj is None:
            errors.append(f"unknown {what} “{slug}”")
            continue
        if level not in ("strong", "some"):
            errors.append(f"the level of {what} “{slug}” must be strong or some, not “{level}”")
            continue
        out[obj] = level
    return out


def _ties(value: str, own_name: str, errors: list[str]) -> list[TieData]:
    ties, seen = [], set()
    own = normalise(own_name)
    for item in _items(value):
        parts = [p.strip() for p in item.split(":")]
        name = parts[0]
        if not normalise(name):
            errors.append(f"works_with: “{item}” has no name")
            continue
        if len(parts) > 3:
            errors.append(f"works_with: “{item}” is malformed (write Name:strength:sharing)")
            continue
        try:
            strength = int(parts[1]) if len(parts) > 1 and parts[1] else 2
            sharing = int(parts[2]) if len(parts) > 2 and parts[2] else None
        except ValueError:
            errors.append(f"works_with: “{item}” is malformed (strength and sharing are numbers)")
            continue
        if strength not in (1, 2, 3) or (sharing is not None and sharing not in (1, 2, 3)):
            errors.append(f"works_with: “{item}”: strength and sharing go from 1 to 3")
            continue
        key = normalise(name)
        if key == own:
            errors.append(f"works_with: “{name}” is the respondent themself (a tie to oneself)")
            continue
        if key in seen:
            errors.append(f"works_with: “{name}” is listed twice")
            continue
        seen.add(key)
        ties.append(TieData(name=name, strength=strength, sharing=sharing))
    return ties


def parse_csv(survey: Survey, text: str) -> Preview:
    """Check every row; nothing is written."""
    from squaremile.network.surveys.forms import Taxonomy

    preview = Preview(text=text)
    try:
        sample = text[:4096]
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t") if sample.strip() else csv.excel
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        preview.errors.append("The file is empty.")
        return preview
    columns = [clean_text(h, multiline=False).strip().lower().replace(" ", "_") for h in header]
    known_columns = {name for name, _ in COLUMNS}
    unknown = [c for c in columns if c and c not in known_columns]
    if unknown:
        preview.errors.append("Unknown columns: " + ", ".join(unknown) + ". See the column list below.")
    for needed in ("name", "consent"):
        if needed not in columns:
            preview.errors.append(f"The header row has no “{needed}” column.")
    if preview.errors:
        return preview
    taxonomy = Taxonomy(survey)
    needs_known = {**taxonomy.resources_by_slug, **taxonomy.skills_by_slug}
    try:
        for number, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue
            if len(preview.rows) >= MAX_ROWS:
                preview.errors.append(f"At most {MAX_ROWS} rows at a time.")
                break
            row_data = {
                columns[i]: clean_text(v, multiline=True).strip()
                for i, v in enumerate(values)
                if i < len(columns) and columns[i]
            }
            errors: list[str] = []
            if len(values) > len(columns) and any(v.strip() for v in values[len(columns) :]):
                errors.append("more values than columns in the header")
            name = " ".join(row_data.get("name", "").split())
            row = Row(number=number, name=name)
            if not normalise(name):
                errors.append("the name is empty")
            consent = CONSENT_WORDS.get(row_data.get("consent", "").lower())
            if consent is None:
                errors.append(f"unknown consent “{row_data.get('consent', '')}” (write named, anonymous or hidden)")
            email = row_data.get("email", "")
            if email:
                try:
                    validate_email(email)
                except ValidationError:
                    errors.append(f"“{email}” is not an email address")
            stream = row_data.get("stream", "").lower()
            if stream and stream not in Stream.values:
                errors.append(f"unknown stream “{stream}” (individual, community, public or business)")
            willingness = row_data.get("willingness", "")
            willingness_value = None
            if willingness:
                if willingness.isdigit() and 0 <= int(willingness) <= 4:
                    willingness_value = int(willingness)
                else:
                    errors.append(f"willingness “{willingness}” must be a number from 0 to 4")
            skills = _levels(row_data.get("skills", ""), taxonomy.skills_by_slug, "skill", errors)
            resources = _levels(row_data.get("resources", ""), taxonomy.resources_by_slug, "resource", errors)
            needs = []
            for slug in _items(row_data.get("needs", "")):
                obj = needs_known.get(slug.lower())
                if obj is None:
                    errors.append(f"unknown need “{slug}” (a skill or resource slug)")
                else:
                    needs.append(obj)
            ties = _ties(row_data.get("works_with", ""), name, errors)
            row.errors = errors
            if not errors:
                row.data = ResponseData(
                    display_name=name[:120],
                    consent=consent,
                    email=email,
                    stream=stream,
                    role=row_data.get("role", "")[:120],
                    willingness=willingness_value,
                    needs_text=row_data.get("needs_text", ""),
                    needed_skills=[n for n in needs if n in taxonomy.skills.values()],
                    needed_resources=[n for n in needs if n in taxonomy.resources.values()],
                    skills=skills,
                    resources=resources,
                    ties=ties,
                )
            preview.rows.append(row)
    except csv.Error as exc:
        preview.errors.append(f"The file is not a readable CSV file ({exc}).")
    if not preview.rows and not preview.errors:
        preview.errors.append("There are no rows under the header.")
    return preview


def apply(*, survey: Survey, by, preview: Preview):
    """Save every row, all or nothing (see `services.responses_import`)."""
    from squaremile.network.surveys.services import responses_import

    if not preview.ok:
        raise ValidationError("Fix the rows listed first: nothing was imported.")
    return responses_import(survey=survey, by=by, rows=[r.data for r in preview.rows])


def template_csv(survey: Survey) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([name for name, _ in COLUMNS])
    writer.writerow(
        ["Sam Patel", "", "community", "Volunteer, food bank", "named", "3",
         "Kettleby Food Bank:3:2; Jo Bloggs:1", "cooking-for-groups:strong; first-aid:some", "minibus:some",
         "bid-writing; meeting-room", "A room on Tuesdays"]
    )  # fmt: skip
    return out.getvalue()
