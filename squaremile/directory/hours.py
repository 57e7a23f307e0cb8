"""Opening hours of an organisation: when people can drop in or phone.

Stored as a small dict on the organisation (`Organisation.opening_hours`), one entry per day that
it opens, in the site's time zone: `{"mo": ["09:00", "17:00"], "sa": ["10:00", "13:00"]}`. A day
missing is a closed day. `validate_hours` is the model field's validator (forms and API alike);
`grouped` joins days with the same hours ("Monday to Friday, 9:00 to 17:00"), which the page, the
Open Referral schedules and schema.org all use.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError

DAYS = ("mo", "tu", "we", "th", "fr", "sa", "su")
DAY_NAMES = dict(zip(DAYS, ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"), strict=True))
ICAL_DAYS = {d: d.upper() for d in DAYS}  # MO, TU… (RFC 5545 BYDAY, as HSDS uses)
SCHEMA_ORG_DAYS = {d: f"https://schema.org/{DAY_NAMES[d]}" for d in DAYS}
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class Opening:
    days: tuple[str, ...]
    opens: str
    closes: str

    @property
    def day_words(self) -> str:
        first, last = DAY_NAMES[self.days[0]], DAY_NAMES[self.days[-1]]
        if len(self.days) == 1:
            return first
        if len(self.days) == 2:
            return f"{first} and {last}"
        return f"{first} to {last}"

    @property
    def words(self) -> str:
        return f"{self.day_words}, {_short(self.opens)} to {_short(self.closes)}"


def _short(hhmm: str) -> str:
    hours, minutes = hhmm.split(":")
    return f"{int(hours)}:{minutes}"


def validate_hours(value) -> None:
    """The stored shape: known days only, each with an opening time before its closing time."""
    if value in (None, {}):
        return
    if not isinstance(value, dict):
        raise ValidationError("Opening hours are a list of days with their times.")
    problems = []
    for day, times in value.items():
        if day not in DAYS:
            problems.append(f"“{str(day)[:10]}” is not a day (use mo, tu, we, th, fr, sa, su).")
            continue
        ok = (isinstance(times, list | tuple) and len(times) == 2
              and all(isinstance(t, str) and _TIME.match(t) for t in times))  # fmt: skip
        if not ok:
            problems.append(f"{DAY_NAMES[day]}: give an opening and a closing time, like 09:00 and 17:00.")
        elif times[0] >= times[1]:
            problems.append(f"{DAY_NAMES[day]}: the closing time must be after the opening time.")
    if problems:
        raise ValidationError(problems)


def well_formed(hours) -> dict:
    """Only the days whose times are right (what the validator lets in). Rows written around the
    services (the admin, bulk SQL) may hold anything: what is wrong is left out, never shown."""
    if not isinstance(hours, dict):
        return {}
    out = {}
    for day in DAYS:
        times = hours.get(day)
        if (isinstance(times, list | tuple) and len(times) == 2
                and all(isinstance(t, str) and _TIME.match(t) for t in times) and times[0] < times[1]):  # fmt: skip
            out[day] = [times[0], times[1]]
    return out


def grouped(hours: dict | None) -> list[Opening]:
    """Consecutive days with the same times, as one opening each, Monday first."""
    hours = well_formed(hours)
    out: list[Opening] = []
    run: list[str] = []
    previous = None
    for day in (*DAYS, None):
        times = tuple((hours or {}).get(day) or ()) if day else None
        if run and (times != previous or not times):
            out.append(Opening(days=tuple(run), opens=previous[0], closes=previous[1]))
            run = []
        if times:
            run.append(day)
        previous = times
    return out


def is_open(hours: dict | None, when: datetime.datetime) -> bool | None:
    """Open at this local time? None when no hours are known."""
    hours = well_formed(hours)
    if not hours:
        return None
    times = hours.get(DAYS[when.weekday()])
    return bool(times) and times[0] <= when.strftime("%H:%M") < times[1]
