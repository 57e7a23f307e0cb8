from urllib.parse import urlencode

from django.shortcuts import get_object_or_404, render

from squaremile.core.pagination import paginate
from squaremile.places import selectors
from squaremile.places.forms import NearForm
from squaremile.places.listings import listing_for, listings
from squaremile.places.models import Area


def area_list(request):
    areas = list(selectors.areas_with_counts())
    by_parent: dict = {}
    for area in areas:
        by_parent.setdefault(area.parent_id, []).append(area)
    known = {a.pk for a in areas}
    roots = [a for a in areas if a.parent_id is None or a.parent_id not in known]
    return render(request, "places/area_list.html", {"roots": roots, "by_parent": by_parent, "count": len(areas)})


def area_detail(request, slug):
    area = get_object_or_404(Area.objects.select_related("parent"), slug=slug)
    listing = listing_for(request.GET.get("show", ""))
    return render(
        request,
        "places/area_detail.html",
        {
            "area": area,
            "ancestors": selectors.ancestors(area),
            "children": area.children.defer("boundary").order_by("name"),
            "listings": listings(),
            "listing": listing,
            "page": paginate(request, listing.in_area(area)) if listing else None,
        },
    )


def near(request):
    """What is near a point ("my square mile"): one section per app that registered a listing."""
    data = request.GET if {"lat", "lng", "place"} & set(request.GET) else None
    if data is None and request.user.is_authenticated:
        profile = getattr(request.user, "profile", None)
        if profile and profile.lat is not None:
            data = {"lat": profile.lat, "lng": profile.lng, "radius": profile.radius_m}
    form = NearForm(data)
    # Kept on the "did you mean" links of an ambiguous place name.
    context = {"form": form, "radius_param": "&" + urlencode({"radius": (data or {}).get("radius", 1609)})}
    if data is not None and form.is_valid():
        lat, lng, radius = form.cleaned_data["lat"], form.cleaned_data["lng"], form.cleaned_data["radius"]
        sections = []
        for listing in listings():
            if listing.near is not None:
                items, total = listing.near(lat=lat, lng=lng, radius_m=radius)
                sections.append({"template": listing.near_template, "items": items, "total": total})
        context.update(
            searched=True, lat=lat, lng=lng, radius=radius, sections=sections,
            areas=selectors.areas_containing(lat=lat, lng=lng),
        )  # fmt: skip
    return render(request, "places/near.html", context, status=400 if data is not None and not form.is_valid() else 200)
