from urllib.parse import urlencode

from django.shortcuts import get_object_or_404, render

from squaremile.core.pagination import paginate
from squaremile.directory import selectors as directory_selectors
from squaremile.directory.models import Organisation, Project
from squaremile.places import selectors
from squaremile.places.forms import NearForm
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
    tab = request.GET.get("show", "organisations")
    if tab == "projects":
        page = paginate(request, directory_selectors.project_list(area=area))
    else:
        tab = "organisations"
        page = paginate(request, directory_selectors.organisation_list(area=area))
    return render(
        request,
        "places/area_detail.html",
        {
            "area": area,
            "ancestors": selectors.ancestors(area),
            "children": area.children.defer("boundary").order_by("name"),
            "page": page,
            "tab": tab,
        },
    )


def near(request):
    """Organisations and projects near a point: "my square mile"."""
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
        fields = ("id", "name", "slug", "lat", "lng", "description")
        orgs, org_total = selectors.near(
            Organisation.objects.only(*fields, "stream"), lat=lat, lng=lng, radius_m=radius
        )
        projects, project_total = selectors.near(
            Project.objects.only(*fields, "status"), lat=lat, lng=lng, radius_m=radius, limit=20
        )
        context.update(
            searched=True, lat=lat, lng=lng, radius=radius, organisations=orgs, org_total=org_total,
            projects=projects, project_total=project_total, areas=selectors.areas_containing(lat=lat, lng=lng),
        )  # fmt: skip
    return render(request, "places/near.html", context, status=400 if data is not None and not form.is_valid() else 200)
