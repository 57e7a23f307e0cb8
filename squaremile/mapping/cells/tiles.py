"""Cell arithmetic: pure functions of a point or a day, with no database and no import from this app.

The map's cells are Web-Mercator tiles; an entry stores its tile at FINE_LEVEL (`cx20`, `cy20`), and any
coarser level is a right shift. `models.Entry.save()` and the bulk paths set them with `cell_columns`;
`clusters.py` keeps the precomputed counts per cell.
"""

from __future__ import annotations

import math
from datetime import date

FINE_LEVEL = 20  # the level of the per-entry columns
MAX_MERCATOR_LAT = 85.0511287798066


def tile(lat: float, lng: float, level: int) -> tuple[int, int]:
    n = 1 << level
    lat = max(-MAX_MERCATOR_LAT, min(MAX_MERCATOR_LAT, float(lat)))
    lng = max(-180.0, min(180.0, float(lng)))
    x = int((lng + 180.0) / 360.0 * n)
    rad = math.radians(lat)
    y = int((1.0 - math.log(math.tan(rad) + 1.0 / math.cos(rad)) / math.pi) / 2.0 * n)
    return min(max(x, 0), n - 1), min(max(y, 0), n - 1)


def cell_columns(lat: float, lng: float) -> dict:
    """The per-entry cell columns for a point: set them on Entry objects before bulk_create."""
    x, y = tile(lat, lng, FINE_LEVEL)
    return {"cx20": x, "cy20": y}


def tile_bounds(level: int, x: int, y: int) -> tuple[float, float, float, float]:
    """(west, south, east, north) of one cell."""
    n = 1 << level

    def lat_of(ty):
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * ty / n))))

    return (x / n * 360.0 - 180.0, lat_of(y + 1), (x + 1) / n * 360.0 - 180.0, lat_of(y))


def month_index(day: date) -> int:
    """DateCell.month of a day: year * 12 + month - 1."""
    return day.year * 12 + day.month - 1
