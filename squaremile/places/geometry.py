"""Boundary geometry: parse and check GeoJSON, derive centroid and bounding box (shapely)."""

import json
import math
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from shapely.geometry import Point, shape
from shapely.validation import explain_validity

MAX_BOUNDARY_POINTS = 200_000


@dataclass
class BoundaryFacts:
    geometry: dict
    centroid_lat: float
    centroid_lng: float
    min_lat: float
    min_lng: float
    max_lat: float
    max_lng: float
    area_sq_deg: float


def _count_points(coords, depth: int = 0) -> int:
    # A MultiPolygon nests four deep (polygons, rings, points, numbers); anything deeper is not
    # GeoJSON, and counting it must not exhaust the stack.
    if depth > 4:
        raise ValidationError("The boundary's coordinates are nested too deeply for a Polygon or MultiPolygon.")
    if isinstance(coords, (list, tuple)) and coords and isinstance(coords[0], (int, float)):
        return 1
    if isinstance(coords, (list, tuple)):
        return sum(_count_points(c, depth + 1) for c in coords)
    return 0


def _position(p):
    if (
        not isinstance(p, list)
        or len(p) < 2
        or not all(isinstance(n, (int, float)) and not isinstance(n, bool) for n in p)
    ):
        raise ValidationError(
            "The boundary's coordinates are malformed: each position must be a [longitude, latitude] pair of numbers."
        )
    try:
        return [float(p[0]), float(p[1])]
    except OverflowError:
        raise ValidationError("The boundary's coordinates are malformed: a number is far too large.") from None


def _closed_ring(ring):
    if not isinstance(ring, list):
        raise ValidationError("The boundary's coordinates are malformed: each ring must be a list of positions.")
    if len(ring) < 3:
        raise ValidationError("The boundary is not a valid shape: each ring needs at least three positions.")
    ring = [_position(p) for p in ring]
    if ring[0] != ring[-1]:
        ring.append(ring[0])  # GeoJSON rings end where they start; close one that was left open
    if len(ring) < 4:
        raise ValidationError("The boundary is not a valid shape: each ring needs at least three different positions.")
    return ring


def _closed_polygons(coords, *, multi: bool):
    """The coordinates as stored: numbers only, every ring closed (RFC 7946)."""

    def polygon(rings):
        if not isinstance(rings, list) or not rings:
            raise ValidationError("The boundary's coordinates are malformed: each polygon needs at least one ring.")
        return [_closed_ring(r) for r in rings]

    return [polygon(p) for p in coords] if multi else polygon(coords)


def parse_boundary(value) -> BoundaryFacts:
    """Check a GeoJSON Polygon/MultiPolygon (as text, a geometry, a Feature, or a one-feature
    FeatureCollection) and return it with its derived facts. Raises ValidationError in words a
    person can act on."""
    if isinstance(value, (str, bytes)):
        try:
            value = json.loads(value)
        except (ValueError, RecursionError) as exc:
            raise ValidationError(f"The boundary is not valid JSON ({exc}).") from None
    if not isinstance(value, dict):
        raise ValidationError("The boundary must be a GeoJSON object.")
    if value.get("type") == "FeatureCollection":
        features = value.get("features")
        if not isinstance(features, list) or len(features) != 1:
            raise ValidationError("A boundary FeatureCollection must hold exactly one feature.")
        value = features[0]
    if isinstance(value, dict) and value.get("type") == "Feature":
        value = value.get("geometry")
    if not isinstance(value, dict) or value.get("type") not in {"Polygon", "MultiPolygon"}:
        raise ValidationError("The boundary must be a GeoJSON Polygon or MultiPolygon.")
    coords = value.get("coordinates")
    if not isinstance(coords, list) or not coords:
        raise ValidationError("The boundary has no coordinates.")
    if _count_points(coords) > MAX_BOUNDARY_POINTS:
        raise ValidationError(f"The boundary has more than {MAX_BOUNDARY_POINTS:,} points; simplify it first.")
    coords = _closed_polygons(coords, multi=value["type"] == "MultiPolygon")
    try:
        geom = shape({"type": value["type"], "coordinates": coords})
    except (ValueError, TypeError, IndexError, AttributeError, KeyError) as exc:
        raise ValidationError(f"The boundary's coordinates are malformed ({exc}).") from None
    except Exception as exc:  # shapely raises its own errors for degenerate rings
        raise ValidationError(f"The boundary's coordinates are malformed ({exc}).") from None
    if geom.is_empty:
        raise ValidationError("The boundary is empty.")
    min_lng, min_lat, max_lng, max_lat = geom.bounds
    if not all(math.isfinite(v) for v in geom.bounds):
        raise ValidationError("The boundary has coordinates that are not numbers.")
    if not (-180 <= min_lng <= max_lng <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise ValidationError(
            "The boundary has coordinates out of range: GeoJSON is [longitude, latitude], "
            "longitude between -180 and 180, latitude between -90 and 90."
        )
    if not geom.is_valid:
        raise ValidationError(f"The boundary is not a valid shape: {explain_validity(geom)}.")
    if geom.area <= 0:
        raise ValidationError("The boundary encloses no area.")
    c = geom.representative_point() if not geom.centroid.within(geom) else geom.centroid
    return BoundaryFacts(
        geometry={"type": value["type"], "coordinates": coords},
        centroid_lat=c.y,
        centroid_lng=c.x,
        min_lat=min_lat,
        min_lng=min_lng,
        max_lat=max_lat,
        max_lng=max_lng,
        area_sq_deg=geom.area,
    )


def contains(boundary: dict, lat: float, lng: float) -> bool:
    try:
        return shape(boundary).covers(Point(lng, lat))
    except Exception:  # a stored boundary is checked on save; treat anything odd as "no"
        return False
