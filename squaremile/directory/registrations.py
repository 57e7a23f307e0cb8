"""What the directory adds to the apps below it, registered once from `DirectoryConfig.ready()`:
organisations and projects on an area's page and on "near me" (`places.listings`), and the
organisations and projects a person added in their data download (`accounts.data_export`)."""

from __future__ import annotations

from squaremile.accounts.data_export import register_part
from squaremile.directory import selectors
from squaremile.directory.models import Organisation, Project
from squaremile.places import selectors as place_selectors
from squaremile.places.listings import Listing, register

NEAR_FIELDS = ("id", "name", "slug", "lat", "lng", "description")


def organisations_near(*, lat: float, lng: float, radius_m: float) -> tuple[list, int]:
    return place_selectors.near(Organisation.objects.only(*NEAR_FIELDS, "stream"), lat=lat, lng=lng, radius_m=radius_m)


def projects_near(*, lat: float, lng: float, radius_m: float) -> tuple[list, int]:
    return place_selectors.near(
        Project.objects.only(*NEAR_FIELDS, "status"), lat=lat, lng=lng, radius_m=radius_m, limit=20
    )


def register_all() -> None:
    register(
        Listing(
            key="organisations",
            label="Organisations",
            in_area=lambda area: selectors.organisation_list(area=area),
            template="directory/includes/_organisation_results.html",
            near=organisations_near,
            near_template="directory/includes/_near_organisations.html",
        )
    )
    register(
        Listing(
            key="projects",
            label="Projects",
            in_area=lambda area: selectors.project_list(area=area),
            template="directory/includes/_project_results.html",
            near=projects_near,
            near_template="directory/includes/_near_projects.html",
        )
    )
    register_part(
        "organisations_added", lambda user: list(Organisation.objects.filter(owner=user).values_list("slug", flat=True))
    )
    register_part("organisation_roles", _organisation_roles)
    register_part(
        "projects_added", lambda user: list(Project.objects.filter(owner=user).values_list("slug", flat=True))
    )


def _organisation_roles(user) -> list[dict]:
    """The organisations a person belongs to (organiser or member), for their data download."""
    from squaremile.core.spaces import roles_of

    held = list(roles_of(user, Organisation))
    slugs = dict(Organisation.objects.filter(pk__in=[r.object_id for r in held]).values_list("pk", "slug"))
    return [{"organisation": slugs[r.object_id], "role": r.role} for r in held if r.object_id in slugs]
