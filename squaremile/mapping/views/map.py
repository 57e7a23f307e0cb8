"""Pages of the community map: the map, the list (works without JavaScript), one entry."""

from __future__ import annotations

import math

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from squaremile.core.pagination import paginate
from squaremile.core.permissions import can
from squaremile.core.site import absolute_url
from squaremile.mapping import layers as map_layers
from squaremile.mapping.entries import selectors
from squaremile.mapping.entries.filters import MAX_ZOOM, FilterError, MapFilters, parse_filters
from squaremile.mapping.models import CategoryIcon
from squaremile.places.models import Area

LIST_PAGE_SIZE = 20
DEFAULT_ZOOM = 12


def _float(raw, low, high):
    try:
        value = float(raw)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) and low <= value <= high else None


def _initial_view(request) -> dict:
    """Where the map opens: the URL's lat/lng/zoom when given and sane, else the default centre."""
    lat = _float(request.GET.get("lat"), -85, 85)
    lng = _float(request.GET.get("lng"), -180, 180)
    zoom = _float(request.GET.get("zoom"), 0, 19)
    centre = getattr(settings, "MAP_DEFAULT_CENTER", [53.8, -1.55])
    from_url = lat is not None and lng is not None
    return {
        "lat": lat if from_url else centre[0],
        "lng": lng if from_url else centre[1],
        "zoom": int(zoom) if zoom is not None else DEFAULT_ZOOM,
        "from_url": from_url,
    }


def _entry_param(request) -> int | None:
    """The entry whose pop-up the map opens with (?entry=<id>, from "See it on the community map").
    Only a number is passed on: the map asks the read API for it, which says what the visitor may see."""
    raw = request.GET.get("entry", "")
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < int(raw) < 2**31 else None


def _home(request) -> dict | None:
    """The signed-in person's square mile (point and radius), when they have set one."""
    user = request.user
    if not user.is_authenticated:
        return None
    profile = getattr(user, "profile", None)
    if profile is None or profile.lat is None or profile.lng is None:
        return {"set": False}
    return {"set": True, "lat": profile.lat, "lng": profile.lng, "radius_m": profile.radius_m}


def _parse(request, *, drop=("zoom",)) -> tuple[MapFilters, dict]:
    """The filters of the request. The view (lat, lng, zoom) of a page URL is not a filter: a
    nonsense view opens the default one instead of an error."""
    params = request.GET.copy()
    for name in drop:
        params.pop(name, None)
    try:
        return parse_filters(params), {}
    except FilterError as exc:
        return MapFilters(), exc.errors


def _chosen_categories(request, filters: MapFilters) -> list[str]:
    """The categories to tick in the filter form. Threats and cuts are categories like the others
    (one control, not a second "threats" switch that could contradict them): a link that still says
    threats=only or threats=exclude (the API and old links do) ticks the categories it selects."""
    typed = request.GET.getlist("category")
    chosen = typed if len(typed) > 1 else [s for s in request.GET.get("category", "").split(",") if s]
    if filters.threats != "include" and filters.all_categories:
        ids = filters.effective_category_ids() or []
        chosen = [filters.all_categories[pk].slug for pk in ids if pk in filters.all_categories]
    return chosen


def _filter_context(request, filters: MapFilters, errors: dict) -> dict:
    """What the filter form needs: choices, and what the visitor chose (kept even when wrong)."""
    if filters.all_categories:  # already loaded by parse_filters: no second query
        categories = sorted(
            (c for c in filters.all_categories.values() if c.is_active), key=lambda c: (c.position, c.name)
        )
    else:
        categories = selectors.active_categories()
    return {
        "categories": categories,
        "areas": Area.objects.only("id", "slug", "name").order_by("name"),
        "chosen": {
            "category": _chosen_categories(request, filters),
            "area": request.GET.get("area", ""),
            "from": request.GET.get("from", ""),
            "to": request.GET.get("to", ""),
            "verified": request.GET.get("verified", "") in ("1", "true", "on", "yes"),
            "q": request.GET.get("q", ""),
            "threats": request.GET.get("threats", "") or "include",
        },
        "errors": errors,
        "filters": filters,
        "filter_qs": filters.query_string(view=False),
        "icons": CategoryIcon.values,
    }


def map_page(request):
    filters, errors = _parse(request, drop=("zoom", "bbox"))
    initial = _initial_view(request)
    context = _filter_context(request, filters, errors)
    categories_json = [
        {"slug": c.slug, "name": c.name, "colour": c.colour, "icon": c.icon, "threat": c.is_threat}
        for c in context["categories"]
    ]
    config = {
        "clustersUrl": reverse("api:map_clusters"),
        "entriesUrl": reverse("api:map_entries"),
        "entryUrl": reverse("api:map_entry", args=[0]),
        "entry": _entry_param(request),
        "listUrl": reverse("mapping:entry_list"),
        "tiles": settings.MAP_TILE_URL,
        "attribution": settings.MAP_TILE_ATTRIBUTION,
        "view": initial,
        "home": _home(request),
        "categories": categories_json,
        "maxZoom": MAX_ZOOM - 1,
    }
    context |= {
        "layers": map_layers.config(request.GET.get("layers", "")),
        "config": config,
        "home": config["home"],
        "can_import": can(request.user, "entry.import"),
        "can_moderate": can(request.user, "entry.moderate"),
    }
    return render(request, "mapping/map.html", context, status=400 if errors else 200)


def entry_list(request):
    """Entries matching the filters (and the map's bbox when given), newest first, a page at a time.
    With ?fragment=1 (the map's list beside the map) only the list itself is rendered."""
    filters, errors = _parse(request)
    page = None
    if not errors:
        page = paginate(request, selectors.entry_list(filters, user=request.user), per_page=LIST_PAGE_SIZE)
    context = _filter_context(request, filters, errors) | {"page": page}
    if request.GET.get("fragment"):
        return render(request, "mapping/includes/_map_list.html", context, status=400 if errors else 200)
    return render(request, "mapping/entry_list.html", context, status=400 if errors else 200)


def entry_detail(request, pk: int):
    try:
        entry = selectors.entry_for_viewer(pk, user=request.user)
    except Http404:
        # An old link to an entry merged into another one leads to that one.
        target = selectors.merged_into_id(pk)
        if target is None:
            raise
        return redirect("mapping:entry_detail", pk=target)
    return render(
        request,
        "mapping/entry_detail.html",
        {
            "entry": entry,
            "answers": selectors.entry_answers(entry),
            "share_url": absolute_url(entry.get_absolute_url(), request),
            "entry_map_url": reverse("mapping:map")
            + f"?lat={entry.lat:.5f}&lng={entry.lng:.5f}&zoom=17&entry={entry.pk}",
        },
    )
