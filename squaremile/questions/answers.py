"""The one answer parser for custom questions, the one set of yes/no words, and how answers are shown.

Every way an answer arrives goes through `parse_answer(question, raw)`: a form field (text), the
map import (a spreadsheet cell), the API (JSON: text, numbers, booleans, lists) and the paper entry.
It returns the value as stored (in the owner's `answers` JSON under `str(question.pk)`):

    text, long text -> str          number -> int, or float when it has a fraction
    date            -> "YYYY-MM-DD" yes/no -> True / False
    one of          -> the option as the organiser wrote it
    any of          -> list of options, in the organiser's order
    scale           -> int 0..4

An empty answer (None, "", spaces, []) is None, or "This question needs an answer." when the question
is required. Anything else that cannot be read raises `ValidationError` with a plain message (no
question label: callers put it next to the field or before the message).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.dateformat import format as date_format

from squaremile.questions.models import NUMBER_LIMIT, Kind, Question

TEXT_MAX = 2_000
LONGTEXT_MAX = 4_000
SCALE = range(0, 5)

# The one set of yes/no words (compared without case or surrounding spaces). The union of what the
# map's entry form and API ("yes y true 1 on") and the map import ("yes y true 1 on", and the same
# for no) accepted; the network's questionnaire sent "yes"/"no", which are in both.
YES_WORDS = frozenset({"yes", "y", "true", "1", "on"})
NO_WORDS = frozenset({"no", "n", "false", "0", "off"})

REQUIRED_MESSAGE = "This question needs an answer."
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%Y/%m/%d", "%d.%m.%Y", "%d-%m-%Y")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


def is_empty(raw) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip()) or (isinstance(raw, list | tuple) and not raw)


def parse_yes_no(raw) -> bool | None:
    """True or False for a yes/no word (or a JSON boolean), None for anything else."""
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int) and raw in (0, 1):
        return bool(raw)
    if isinstance(raw, str):
        text = raw.strip().casefold()
        if text in YES_WORDS:
            return True
        if text in NO_WORDS:
            return False
    return None


def parse_number(raw) -> int | float | None:
    """A number as people type it: "12", "3.5", "-2", "1,000" (thousands), "3,5" (decimal comma);
    None when it is not one. A comma followed by groups of three digits separates thousands;
    any other single comma is a decimal comma."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        number = Decimal(str(raw)) if isinstance(raw, float) else Decimal(raw)
    else:
        text = str(raw).strip().replace(" ", "").replace("\u00a0", "")
        if _THOUSANDS.match(text):
            text = text.replace(",", "")
        elif text.count(",") == 1 and "." not in text:
            text = text.replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation:
            return None
    if not number.is_finite() or abs(number) > Decimal(str(NUMBER_LIMIT)):
        return None
    if number == number.to_integral_value():
        return int(number)
    value = float(number)
    return value if math.isfinite(value) else None


def parse_date(raw) -> dt.date | None:
    """A date as YYYY-MM-DD, or DD/MM/YYYY and DD.MM.YYYY as UK spreadsheets write it (a time after
    the date is ignored); None when it is not one."""
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    text = str(raw).strip()
    if len(text) > 10 and text[10:11] in ("T", " "):
        text = text[:10]
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _option(question: Question, raw) -> str | None:
    text = str(raw).strip().casefold()
    for option in question.choice_list:
        if option.casefold() == text:
            return option
    return None


def _options_text(question: Question) -> str:
    return ", ".join(question.choice_list)


def _range_words(question: Question) -> str:
    low, high = question.min_value, question.max_value
    shown = [_show_number(v) for v in (low, high)]
    if low is not None and high is not None:
        return f"Give a number from {shown[0]} to {shown[1]}."
    if low is not None:
        return f"Give a number of {shown[0]} or more."
    return f"Give a number of {shown[1]} or less."


def _show_number(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}" if isinstance(value, int) else str(value)


def parse_answer(question: Question, raw):
    """The stored value of an answer to `question` (see the module's docstring), None when empty;
    `ValidationError` with a plain message when it cannot be read."""
    if is_empty(raw):
        if question.required:
            raise ValidationError(REQUIRED_MESSAGE, code="required")
        return None
    kind = question.kind
    if isinstance(raw, str):
        raw = raw.strip()
    if kind in (Kind.TEXT, Kind.LONGTEXT):
        if isinstance(raw, list | tuple | dict):
            raise ValidationError("Type your answer as text.", code="invalid")
        text = str(raw)
        limit = LONGTEXT_MAX if kind == Kind.LONGTEXT else TEXT_MAX
        if len(text) > limit:
            raise ValidationError(f"Please keep it to {limit:,} characters or fewer.", code="max_length")
        return text
    if kind == Kind.NUMBER:
        number = None if isinstance(raw, list | tuple | dict) else parse_number(raw)
        if number is None:
            raise ValidationError("Give a number, such as 12 or 3.5.", code="invalid")
        if (question.min_value is not None and number < question.min_value) or (
            question.max_value is not None and number > question.max_value
        ):
            raise ValidationError(_range_words(question), code="range")
        return number
    if kind == Kind.DATE:
        day = None if isinstance(raw, bool | int | float | list | tuple | dict) else parse_date(raw)
        if day is None:
            raise ValidationError("Give a date as YYYY-MM-DD, for example 2026-03-31.", code="invalid")
        return day.isoformat()
    if kind == Kind.YESNO:
        answer = parse_yes_no(raw)
        if answer is None:
            raise ValidationError("Answer yes or no.", code="invalid")
        return answer
    if kind == Kind.CHOICE:
        option = None if isinstance(raw, list | tuple | dict) else _option(question, raw)
        if option is None:
            raise ValidationError(f"Choose one of: {_options_text(question)}.", code="invalid_choice")
        return option
    if kind == Kind.MULTIPLE:
        parts = _parts(question, raw)
        chosen = set()
        for part in parts:
            option = _option(question, part) if not isinstance(part, list | tuple | dict) else None
            if option is None:
                raise ValidationError(f"Choose any of: {_options_text(question)}.", code="invalid_choice")
            chosen.add(option)
        picked = [o for o in question.choice_list if o in chosen]
        if not picked:
            if question.required:
                raise ValidationError(REQUIRED_MESSAGE, code="required")
            return None
        return picked
    if kind == Kind.SCALE:
        number = None if isinstance(raw, list | tuple | dict) else parse_number(raw)
        if not isinstance(number, int) or number not in SCALE:
            raise ValidationError("Choose a number from 0 to 4.", code="invalid")
        return number
    raise ValidationError("This kind of question is not known.", code="invalid")


def _parts(question: Question, raw) -> list:
    """The options of an "any of" answer: a list, or text with the options separated by semicolons,
    new lines or (when no option holds one) commas."""
    if isinstance(raw, list | tuple):
        return [p for p in raw if not is_empty(p)]
    text = str(raw)
    if _option(question, text) is not None:
        return [text]
    pieces = re.split(r"[;\n|]", text)
    if len(pieces) == 1 and not any("," in o for o in question.choice_list):
        pieces = text.split(",")
    return [p for p in pieces if p.strip()]


def parse_answers(questions: Iterable[Question], raw: dict | None) -> tuple[dict, dict[str, list[str]]]:
    """Every answer of a set of questions: `(answers, errors)`, both keyed by `str(question.pk)`.
    `answers` holds the answered ones (stored values); `errors` the problems in words, including
    answers to questions that are not in `questions`."""
    raw = {str(k): v for k, v in (raw or {}).items()}
    questions = list(questions)
    known = {str(q.pk) for q in questions}
    errors: dict[str, list[str]] = {}
    for key in raw:
        if key not in known:
            errors[key] = ["There is no such question here."]
    clean: dict = {}
    for question in questions:
        key = str(question.pk)
        try:
            value = parse_answer(question, raw.get(key))
        except ValidationError as exc:
            errors[key] = list(exc.messages)
            continue
        if value is not None:
            clean[key] = value
    return clean, errors


def display_answer(question: Question, value) -> str:
    """An answer in words for a page or a spreadsheet ("" when there is none)."""
    if is_empty(value):
        return ""
    if question.kind == Kind.YESNO:
        answer = parse_yes_no(value)
        return "" if answer is None else ("Yes" if answer else "No")
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if question.kind == Kind.DATE:
        day = parse_date(value)
        return date_format(day, "j F Y") if day else str(value)
    if question.kind == Kind.NUMBER and isinstance(value, int | float) and not isinstance(value, bool):
        return _show_number(value)
    return str(value)


def initial_value(question: Question, value):
    """A stored answer as its form field shows it (yes/no as "yes"/"no")."""
    if question.kind == Kind.YESNO:
        answer = parse_yes_no(value)
        return None if answer is None else ("yes" if answer else "no")
    if question.kind == Kind.MULTIPLE and isinstance(value, str):
        return [value]
    return value


def answer_text(question: Question, value):
    """An answer for a file that may be imported again (CSV, KML): yes/no as "yes"/"no", "any of"
    as the options joined by "; ", numbers as numbers, dates as YYYY-MM-DD (all read back by
    `parse_answer`)."""
    if is_empty(value):
        return None
    if question.kind == Kind.YESNO:
        answer = parse_yes_no(value)
        return None if answer is None else ("yes" if answer else "no")
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    return value
