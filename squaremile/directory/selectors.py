"""Reads for the directory: the lists and pages, with their joins in one place."""

from django.db.models import Expression, F, IntegerField, Prefetch, QuerySet

from squaremile.core import search
from squaremile.core.permissions import RULES, owner_may_q, space_ids_q, space_roles_of
from squaremile.core.visibility import may_see
from squaremile.directory.models import Organisation, Project, ResourceKind, Skill, SkillFamily
from squaremile.places.selectors import descendant_ids

LIST_FIELDS = ("id", "name", "slug", "description", "area_id", "lat", "lng")


def _ranked(qs: QuerySet, q: str, kind: str) -> QuerySet:
    """Order by search relevance when there is a query, else by name."""
    if not q:
        return qs.order_by("name", "id")
    ids = search.ranked_ids(q, kind=kind)
    if not ids:
        return qs.none()
    return qs.filter(pk__in=ids).annotate(rank=_PositionIn(F("pk"), ids)).order_by("rank")


class _PositionIn(Expression):
    """The position of an expression's value in `ids`, as one SQL `CASE x WHEN .. THEN .. END`.

    (A `Case` of one `When` per id gives the same order, but Django resolves each `When` in
    Python: about 120 ms for the 500 ids a common word brings, on every query of the page. This
    compiles in well under a millisecond.)"""

    output_field = IntegerField()

    def __init__(self, expression, ids):
        super().__init__()
        self.expression = expression
        self.ids = [int(pk) for pk in ids]

    def get_source_expressions(self):
        return [self.expression]

    def set_source_expressions(self, exprs):
        (self.expression,) = exprs

    def as_sql(self, compiler, connection):
        sql, params = compiler.compile(self.expression)
        whens = " ".join(f"WHEN %s THEN {i}" for i in range(len(self.ids)))
        return f"CASE {sql} {whens} END", [*params, *self.ids]


def organisation_list(*, q: str = "", stream: str = "", org_type: str = "", area=None, skill=None,
                      resource=None) -> QuerySet[Organisation]:  # fmt: skip
    """Organisations for a list page: filtered in SQL, ranked by relevance when `q` is given,
    else by name. Only the columns a list row shows are loaded."""
    qs = Organisation.objects.select_related("area").only(
        *LIST_FIELDS, "stream", "org_type", "area__name", "area__slug"
    )
    if stream:
        qs = qs.filter(stream=stream)
    if org_type:
        qs = qs.filter(org_type=org_type)
    if area is not None:
        qs = qs.filter(area_id__in=descendant_ids(area))
    if skill is not None:
        qs = qs.filter(skills=skill)
    if resource is not None:
        qs = qs.filter(resources=resource)
    return _ranked(qs, q, "organisation")


def project_list(*, q: str = "", status: str = "", area=None, skill=None) -> QuerySet[Project]:
    qs = Project.objects.select_related("area").only(
        *LIST_FIELDS, "status", "start_date", "end_date", "area__name", "area__slug"
    )
    if status:
        qs = qs.filter(status=status)
    if area is not None:
        qs = qs.filter(area_id__in=descendant_ids(area))
    if skill is not None:
        qs = qs.filter(skills=skill)
    return _ranked(qs, q, "project")


def organisation_detail(slug: str) -> Organisation:
    return (
        Organisation.objects.select_related("area", "owner__profile")
        .prefetch_related(
            "areas_served",
            "skills__family",
            "resources",
            Prefetch("projects", queryset=Project.objects.only("id", "name", "slug", "status").order_by("name")),
        )
        .get(slug=slug)
    )


def project_detail(slug: str) -> Project:
    return (
        Project.objects.select_related("area", "owner__profile")
        .prefetch_related("organisations", "skills")
        .get(slug=slug)
    )


def can_see_contact(user, org: Organisation) -> bool:
    """The one visibility rule (core/visibility.py): the owner and moderators always see them."""
    return may_see(user, org.contact_visibility, obj=org, action="organisation.see_hidden")


def organisations_spoken_for(user) -> QuerySet[Organisation]:
    """The organisations `user` may post on behalf of ("On behalf of" in stories, "Posted by" in the
    exchange): the ones they added and the ones whose people they are (an organiser or a member:
    the `organisation.speak_for` row of core/permissions.py), by name. None for anonymous people."""
    rule = RULES["organisation.speak_for"]
    return Organisation.objects.filter(
        owner_may_q(user, "organisation.speak_for") | space_ids_q(user, Organisation, rule.space_roles)
    ).order_by("name", "id")


def roles_in(user, org: Organisation) -> frozenset[str]:
    """The roles `user` holds among the organisation's people (none for its owner, who needs none)."""
    return space_roles_of(user, org)


def taxonomy() -> QuerySet[SkillFamily]:
    return SkillFamily.objects.prefetch_related(Prefetch("skills", queryset=Skill.objects.order_by("name")))


def resource_kinds() -> QuerySet[ResourceKind]:
    return ResourceKind.objects.order_by("name")


# ---- people who can...: the directory of people, each part shown only to those its owner chose ----
def _people_visible_to(viewer):
    """Active people whose name and skills `viewer` may see (core.visibility, each part's own level)."""
    from squaremile.accounts.models import Profile
    from squaremile.core.visibility import visible_q

    rule = {"action": "profile.see_hidden", "owner_field": "user"}
    return Profile.objects.filter(user__is_active=True).filter(
        visible_q(viewer, visibility_field="profile_visibility", **rule),
        visible_q(viewer, visibility_field="skills_visibility", **rule),
    )


def people_who_can(
    viewer,
    *,
    skill: Skill | None = None,
    resource: ResourceKind | None = None,
    willing_at_least: int | None = None,
    near: tuple[float, float, float] | None = None,
    limit: int = 50,
) -> tuple[list, int]:
    """People who can do `skill` / share `resource`, as far as each chose to show it to `viewer`.

    Near a point (lat, lng, radius in metres), only people who let `viewer` see their square mile
    are matched — being found "near" would otherwise tell where they live — nearest first, each
    with `distance_m`. Returns (the first `limit`, how many in all)."""
    from squaremile.core.visibility import visible_q
    from squaremile.places.selectors import near as near_rows

    people = _people_visible_to(viewer).select_related("user", "home_area")
    if skill is not None:
        people = people.filter(skills=skill)
    if resource is not None:
        people = people.filter(resources=resource)
    if willing_at_least is not None:
        people = people.filter(willingness__gte=willing_at_least)
    people = people.prefetch_related(
        Prefetch("skills", queryset=Skill.objects.order_by("name")),
        Prefetch("resources", queryset=ResourceKind.objects.order_by("name")),
    )
    if near is not None:
        lat, lng, radius = near
        located = people.filter(
            visible_q(viewer, action="profile.see_hidden", owner_field="user", visibility_field="place_visibility"),
            lat__isnull=False,
        )
        return near_rows(located, lat=lat, lng=lng, radius_m=radius, limit=limit)
    people = people.order_by("display_name", "user_id")
    return list(people[:limit]), people.count()


def people_named(viewer, q: str, *, limit: int = 5) -> list:
    """People whose shown name matches `q`, for the site-wide search (only those `viewer` may see)."""
    from squaremile.accounts.models import Profile
    from squaremile.core.visibility import visible_q

    q = (q or "").strip()[:100]
    if len(q) < 2:
        return []
    return list(
        Profile.objects.filter(user__is_active=True, display_name__icontains=q)
        .filter(
            visible_q(viewer, action="profile.see_hidden", owner_field="user", visibility_field="profile_visibility")
        )
        .order_by("display_name", "user_id")[:limit]
    )
