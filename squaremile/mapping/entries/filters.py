"""The map's filters: one parser for the page URL, the API and the exports, one way to apply them.

Parameters (the same names everywhere):
  category   category slugs, repeated (`?category=a&category=b`) or comma-separated; sub-categories included
  area       an area slug; its sub-areas are included
  from, to   dates (YYYY-MM-DD): entries whose dates overlap the range (see `_ends_on_or_after`)
  verified   1 for verified entries only
  q          free text, every word must appear in the title or the description (cells/textindex.py)
  threats    include (default), only (the threats-and-cuts layer alone) or exclude
  bbox       west,south,east,north in degrees
  zoom       the map zoom, 0..20
  status     moderators only (applied by `filtered_entries`): pending, rejected, archived ...; default published

`parse_filters` raises `FilterError` with one message per bad field; views and the API turn it
into a 400 that names the fields.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlencode

from django.db.models import Q, QuerySet

from squaremile.core.permissions import can
from squaremile.mapping.cells.textindex import text_q
from squaremile.mapping.models import Category, Entry, EntryStatus

MAX_ZOOM = 20
MAX_Q_CHARS = 200
MAX_TERMS = 8
THREAT_MODES = ("include", "only", "exclude")
TRUE_VALUES = {"1", "true", "yes", "on"}
FALSE_VALUES = {"", "0", "false", "no", "off"}
WORD_RE = re.compile(r"\w+", re.UNICODE)


class FilterError(ValueError):
    """Bad filter input: `errors` maps each parameter to what is wrong with it."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


@dataclass
class MapFilters:
    categories: list[Category] = field(default_factory=list)
    area: object | None = None  # places.Area
    area_ids: list[int] | None = None  # the area and every area below it
    date_from: date | None = None
    date_to: date | None = None
    verified: bool = False
    q: str = ""
    threats: str = "include"
    bbox: tuple[float, float, float, float] | None = None  # west, south, east, north (clamped)
    zoom: int | None = None
    status: str = EntryStatus.PUBLISHED.value
    # Every category (id -> Category), loaded once by parse_filters for slugs, colours and threats.
    all_categories: dict[int, Category] = field(default_factory=dict, repr=False)

    # -- what the filters select --------------------------------------------------------------
    @property
    def is_filtered(self) -> bool:
        return bool(self.categories or self.area or self.date_from or self.date_to or self.verified or self.q) or (
            self.threats != "include"
        )

    def effective_category_ids(self) -> list[int] | None:
        """The category ids an entry may be in, or None for "any". An empty list selects nothing."""
        if not self.categories and self.threats == "include":
            return None
        if self.categories:
            chosen = {c.pk for c in self.categories}
            # sub-categories of a chosen category are included
            changed = True
            while changed:
                changed = False
                for c in self.all_categories.values():
                    if c.parent_id in chosen and c.pk not in chosen:
                        chosen.add(c.pk)
                        changed = True
        else:
            chosen = set(self.all_categories)
        if self.threats == "only":
            chosen = {pk for pk in chosen if self.all_categories.get(pk) and self.all_categories[pk].is_threat}
        elif self.threats == "exclude":
            chosen = {pk for pk in chosen if not (self.all_categories.get(pk) and self.all_categories[pk].is_threat)}
        return sorted(chosen)

    def category_slugs_by_id(self) -> dict[int, str]:
        return {pk: c.slug for pk, c in self.all_categories.items()}

    def entry_q(self, *, status: str | None = None, narrow_view: bool = False, dates: bool = True) -> Q:
        """Every condition but the bounding box, as one Q over Entry. `narrow_view`: the caller also
        limits the entries to a small part of the map (see textindex.text_q). `dates=False` leaves
        the date range out (cells/clusters.py applies it its own way)."""
        cond = Q(status=status or EntryStatus.PUBLISHED.value)
        ids = self.effective_category_ids()
        if ids is not None:
            cond &= Q(category_id__in=ids)
        if self.verified:
            cond &= Q(verified=True)
        if self.area_ids is not None:
            cond &= Q(area_id__in=self.area_ids)
        terms = _terms(self.q)
        if terms:
            cond &= text_q(terms, narrow_view=narrow_view)
        if dates and self.date_from:
            cond &= _ends_on_or_after(self.date_from)
        if dates and self.date_to:
            cond &= _starts_on_or_before(self.date_to)
        return cond

    # -- writing them back ----------------------------------------------------------------------
    def params(self, *, view: bool = True) -> list[tuple[str, str]]:
        """The filters as query parameters (canonical order); `view=False` leaves out bbox and zoom."""
        out: list[tuple[str, str]] = [("category", c.slug) for c in self.categories]
        if self.area is not None:
            out.append(("area", self.area.slug))
        if self.date_from:
            out.append(("from", self.date_from.isoformat()))
        if self.date_to:
            out.append(("to", self.date_to.isoformat()))
        if self.verified:
            out.append(("verified", "1"))
        if self.q:
            out.append(("q", self.q))
        if self.threats != "include":
            out.append(("threats", self.threats))
        if self.status != EntryStatus.PUBLISHED.value:
            out.append(("status", self.status))
        if view and self.bbox is not None:
            out.append(("bbox", ",".join(_num(v) for v in self.bbox)))
        if view and self.zoom is not None:
            out.append(("zoom", str(self.zoom)))
        return out

    def query_string(self, *, view: bool = True) -> str:
        return urlencode(self.params(view=view))


def _num(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".")


def _terms(q: str) -> list[str]:
    return WORD_RE.findall(q or "")[:MAX_TERMS]


# An entry's dates span from Entry.date_lo to date_hi (see models.date_span: from its start date, or
# when a cut was announced, to its end date, open-ended, or when the cut takes effect). A date filter
# selects entries whose span overlaps the range; entries without any date are left out.
def _ends_on_or_after(day: date) -> Q:
    return Q(date_hi__gte=day)


def _starts_on_or_before(day: date) -> Q:
    return Q(date_lo__lte=day)


# ---- parsing --------------------------------------------------------------------------------
def _get(params, name: str) -> str:
    value = params.get(name, "")
    if isinstance(value, (list, tuple)):
        value = value[-1] if value else ""
    return "" if value is None else str(value).strip()


def _getlist(params, name: str) -> list[str]:
    if hasattr(params, "getlist"):
        raw = params.getlist(name)
    else:
        raw = params.get(name) or []
        if isinstance(raw, str):
            raw = [raw]
    out = []
    for value in raw:
        for part in str(value).split(","):
            part = part.strip()
            if part and part not in out:
                out.append(part)
    return out


def _clean_text(value: str, name: str, errors: dict) -> str:
    if "\x00" in value:
        errors[name] = "Text may not contain NUL characters."
        return ""
    return value


def _parse_bbox(raw: str, errors: dict):
    parts = raw.split(",")
    try:
        if len(parts) != 4:
            raise ValueError
        west, south, east, north = (float(p) for p in parts)
        if not all(math.isfinite(v) for v in (west, south, east, north)):
            raise ValueError
    except ValueError:
        errors["bbox"] = "Give the box as four numbers: west,south,east,north (degrees)."
        return None
    if not (-90 <= south <= 90 and -90 <= north <= 90):
        errors["bbox"] = "Latitudes must be between -90 and 90."
        return None
    if not (-360 <= west <= 360 and -360 <= east <= 360):
        errors["bbox"] = "Longitudes must be between -360 and 360."
        return None
    if south > north:
        errors["bbox"] = "The box is upside down: south must not be above north."
        return None
    if west > east:
        errors["bbox"] = "The box is inverted: west must not be east of east."
        return None
    # A box wider than the world, or reaching past the antimeridian, is clamped to the world's edges.
    if east - west >= 360:
        west, east = -180.0, 180.0
    west, east = max(-180.0, min(180.0, west)), max(-180.0, min(180.0, east))
    return (west, south, east, north)


def _parse_date(raw: str, name: str, errors: dict) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[name] = "Give a date as YYYY-MM-DD, for example 2025-03-31."
        return None


def parse_filters(params) -> MapFilters:
    """Read the filters from a QueryDict (or a plain dict). Raises FilterError for bad input."""
    from squaremile.places.models import Area
    from squaremile.places.selectors import descendant_ids

    errors: dict[str, str] = {}
    f = MapFilters()
    f.all_categories = {c.pk: c for c in Category.objects.all()}

    slugs = _getlist(params, "category")
    if slugs:
        by_slug = {c.slug: c for c in f.all_categories.values()}
        unknown = [s for s in slugs if s not in by_slug]
        if unknown:
            errors["category"] = "Unknown category: " + ", ".join(s[:60] for s in unknown[:5]) + "."
        f.categories = [by_slug[s] for s in slugs if s in by_slug]

    area_slug = _clean_text(_get(params, "area"), "area", errors)
    if area_slug:
        area = Area.objects.filter(slug=area_slug[:220]).only("id", "slug", "name", "parent_id").first()
        if area is None:
            errors["area"] = f"Unknown area: {area_slug[:60]}."
        else:
            f.area = area
            f.area_ids = descendant_ids(area)

    f.date_from = _parse_date(_get(params, "from"), "from", errors)
    f.date_to = _parse_date(_get(params, "to"), "to", errors)
    if f.date_from and f.date_to and f.date_from > f.date_to:
        errors["to"] = "The end date is before the start date."

    verified = _get(params, "verified").lower()
    if verified in TRUE_VALUES:
        f.verified = True
    elif verified not in FALSE_VALUES:
        errors["verified"] = "Use 1 for verified entries only, or leave it out."

    q = _clean_text(_get(params, "q"), "q", errors)
    if len(q) > MAX_Q_CHARS:
        errors["q"] = f"Search text is limited to {MAX_Q_CHARS} characters."
    else:
        f.q = q

    threats = _get(params, "threats").lower() or "include"
    if threats not in THREAT_MODES:
        errors["threats"] = "Use include, only or exclude."
    else:
        f.threats = threats

    raw_bbox = _get(params, "bbox")
    if raw_bbox:
        f.bbox = _parse_bbox(raw_bbox, errors)

    raw_zoom = _get(params, "zoom")
    if raw_zoom:
        try:
            zoom = int(raw_zoom)
        except ValueError:
            errors["zoom"] = "The zoom is a whole number."
        else:
            if not 0 <= zoom <= MAX_ZOOM:
                errors["zoom"] = f"The zoom must be between 0 and {MAX_ZOOM}."
            else:
                f.zoom = zoom

    status = _get(params, "status").lower()
    if status:
        if status not in EntryStatus.values:
            errors["status"] = "Unknown status: use " + ", ".join(EntryStatus.values) + "."
        else:
            f.status = status

    if errors:
        raise FilterError(errors)
    return f


def filtered_entries(filters: MapFilters, *, user=None) -> QuerySet[Entry]:
    """The entries the filters select, inside the bbox if one is given. Published only, unless a
    moderator asks for another status."""
    status = EntryStatus.PUBLISHED.value
    if filters.status != status and can(user, "entry.moderate"):
        status = filters.status
    qs = Entry.objects.filter(filters.entry_q(status=status))
    if filters.bbox is not None:
        west, south, east, north = filters.bbox
        qs = qs.filter(lat__gte=south, lat__lte=north, lng__gte=west, lng__lte=east)
    return qs.select_related("category", "area")
