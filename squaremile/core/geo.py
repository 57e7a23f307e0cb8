"""Small, dependency-free geographic helpers shared by every app (WGS84 degrees)."""

import math

EARTH_RADIUS_M = 6_371_008.8
MILE_M = 1609.344


def valid_lat(lat) -> bool:
    return isinstance(lat, (int, float)) and math.isfinite(lat) and -90 <= lat <= 90


def valid_lng(lng) -> bool:
    return isinstance(lng, (int, float)) and math.isfinite(lng) and -180 <= lng <= 180


def haversine_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def bbox_around(lat: float, lng: float, radius_m: float) -> tuple[float, float, float, float]:
    """(min_lat, min_lng, max_lat, max_lng) of a box that holds the circle; used to prefilter
    on indexed columns before the exact distance test."""
    dlat = math.degrees(radius_m / EARTH_RADIUS_M)
    coslat = max(math.cos(math.radians(lat)), 1e-6)
    dlng = min(180.0, math.degrees(radius_m / (EARTH_RADIUS_M * coslat)))
    return (max(-90.0, lat - dlat), max(-180.0, lng - dlng), min(90.0, lat + dlat), min(180.0, lng + dlng))
