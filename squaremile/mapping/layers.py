"""Other apps' records on the community map, as layers a person switches on.

The map knows entries only. An app above it (stories, wants and offers, events, civic reports) registers
a layer once, from its `AppConfig.ready()`:

    register_layer(MapLayer(key="stories", label="Stories", url=lambda: reverse("stories:map_layer"),
                            colour="#7b3fa0"))

Its endpoint answers `GET <url>?bbox=west,south,east,north` with a GeoJSON FeatureCollection of at most
`MAX_FEATURES` point features whose properties are `{"title", "url", "kind"}` (plain text: the map
escapes it; `url` is a path on this site). The map page lists a switch per layer (off unless the page's
`?layers=` names it) and asks the endpoint for the view whenever the map moves. `feature()` and
`parse_bbox()` are here so that every layer answers the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import JsonResponse

MAX_FEATURES = 500


@dataclass(frozen=True)
class MapLayer:
    key: str  # [a-z0-9-]+, in the page's `?layers=a,b`
    label: str  # "Stories"
    url: Callable[[], str]  # the endpoint's path (a callable: URLs are not loaded when apps register)
    colour: str = "#555555"  # the markers' fill, a #rrggbb colour
    description: str = ""  # one short line under the switch


_layers: dict[str, MapLayer] = {}


def register_layer(layer: MapLayer) -> None:
    _layers[layer.key] = layer


def layers() -> list[MapLayer]:
    return list(_layers.values())


def config(selected: str = "") -> list[dict]:
    """What the map page gives its script: one dict per layer, `on` for those named in `?layers=`."""
    chosen = {part.strip() for part in (selected or "").split(",") if part.strip()}
    return [
        {
            "key": layer.key,
            "label": layer.label,
            "url": layer.url(),
            "colour": layer.colour,
            "description": layer.description,
            "on": layer.key in chosen,
        }
        for layer in _layers.values()
    ]


def parse_bbox(value: str | None) -> tuple[float, float, float, float] | None:
    """`west,south,east,north` in degrees, or None when it is missing or not a box on the Earth."""
    try:
        west, south, east, north = (float(part) for part in (value or "").split(","))
    except ValueError:
        return None
    if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= north <= 90):
        return None
    if any(v != v for v in (west, south, east, north)):  # NaN
        return None
    return west, south, east, north


def feature(*, lat: float, lng: float, title: str, url: str, kind: str, **extra) -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [round(float(lng), 6), round(float(lat), 6)]},
        "properties": {"title": title, "url": url, "kind": kind, **extra},
    }


def layer_response(features: list[dict], *, truncated: bool = False) -> JsonResponse:
    """The answer of a layer's endpoint (at most MAX_FEATURES features; `truncated` says more exist)."""
    body = {
        "type": "FeatureCollection",
        "features": features[:MAX_FEATURES],
        "truncated": truncated or len(features) > MAX_FEATURES,
    }
    return JsonResponse(body)


def bad_bbox() -> JsonResponse:
    return JsonResponse(
        {"message": "Give the view as bbox=west,south,east,north in degrees.", "errors": {"bbox": ["Not a box."]}},
        status=400,
    )
