"""What the apps above `places` show on an area's page and on "near me".

`places` knows areas and points, not what is in them. An app that keeps records with an area or a
point registers a `Listing` once (in its `AppConfig.ready()`); the area page shows one tab per listing
and the "near me" page one section per listing that can answer `near`. So `places` never imports the
apps that use it.

    register(Listing(key="organisations", label="Organisations", in_area=..., template=...,
                     near=..., near_template=...))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Listing:
    key: str  # the tab's `?show=` value on the area page
    label: str  # the tab's name, e.g. "Organisations"
    in_area: Callable[[Any], Any]  # area -> queryset of what is in it (and in the areas inside it)
    template: str  # renders `page`, a page of `in_area(area)`
    # (lat=, lng=, radius_m=) -> (the nearest records, each with `distance_m`, and how many in all)
    near: Callable[..., tuple[list, int]] | None = None
    near_template: str = ""  # renders `items`, `total` and `radius` (metres)


_listings: dict[str, Listing] = {}


def register(listing: Listing) -> None:
    """Add (or, for the same key, replace) a listing; the order of registration is the order shown."""
    _listings[listing.key] = listing


def listings() -> list[Listing]:
    return list(_listings.values())


def listing_for(key: str) -> Listing | None:
    """The listing of a tab, else the first one (None when no app registered any)."""
    return _listings.get(key) or next(iter(_listings.values()), None)
