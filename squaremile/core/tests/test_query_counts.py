"""No N+1 queries: every list page, API list and detail page makes as many queries for 30 rows as
for 3. Nothing here hard-codes a number; each case compares the page with itself at two sizes."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from squaremile.accounts.services import api_token_create, profile_for
from squaremile.accounts.tests.factories import UserFactory
from squaremile.core.models import Visibility
from squaremile.directory.models import ResourceKind, Skill, SkillFamily
from squaremile.directory.tests.factories import OrganisationFactory, ProjectFactory, index
from squaremile.places.models import AreaKind
from squaremile.places.tests.factories import AreaFactory

pytestmark = pytest.mark.django_db

LAT, LNG = 53.8, -1.55


class Directory:
    """A directory that can grow: every call to grow(n) adds n areas, skills, kinds of resource,
    organisations and projects, each linked to the others."""

    def __init__(self):
        self.owner = UserFactory()
        self.city = AreaFactory(name="Leeds", slug="leeds", kind=AreaKind.TOWN, lat=LAT, lng=LNG, half=0.3)
        self.family = SkillFamily.objects.create(name="Test family", slug="test-family", position=99)
        self.skill = Skill.objects.create(family=self.family, name="Shared skill", slug="shared-skill")
        self.resource = ResourceKind.objects.create(name="Shared resource", slug="shared-resource")
        self.size = 0

    def grow(self, n):
        for i in range(self.size, self.size + n):
            lat = LAT + (i % 10) * 0.0005
            area = AreaFactory(name=f"Patch {i:03d}", slug=f"patch-{i}", parent=self.city, lat=LAT, lng=LNG, half=0.02)
            skill = Skill.objects.create(family=self.family, name=f"Skill {i:03d}", slug=f"skill-{i}")
            resource = ResourceKind.objects.create(name=f"Resource {i:03d}", slug=f"resource-{i}")
            org = OrganisationFactory(
                name=f"Common Org {i:03d}",
                slug=f"common-org-{i}",
                owner=self.owner,
                area=area,
                lat=lat,
                lng=LNG,
                description="Common ground for all.",
            )
            org.skills.set([skill, self.skill])
            org.resources.set([resource, self.resource])
            org.areas_served.set([area, self.city])
            index(org)
            project = ProjectFactory(
                name=f"Common Project {i:03d}",
                slug=f"common-project-{i}",
                owner=self.owner,
                area=area,
                lat=lat,
                lng=LNG,
                description="Common cause.",
            )
            project.organisations.set([org])
            project.skills.set([skill, self.skill])
            index(project)
        self.size += n


@pytest.fixture
def directory():
    return Directory()


def measure(client, url, **headers):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, headers=headers)
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    return [q["sql"] for q in ctx.captured_queries], len(response.content)


def difference(small, large, url, *, grows=True) -> str | None:
    """Why the two measurements of a page differ, or None when its queries did not grow."""
    (q_small, len_small), (q_large, len_large) = small, large
    if len(q_small) != len(q_large):
        extra = "\n    ".join(q[:300] for q in q_large if q not in q_small)
        return f"{url}: {len(q_small)} queries for few rows, {len(q_large)} for many; extra:\n    {extra}"
    if grows and len_large <= len_small:
        return f"{url}: the bigger directory should show more (the test is not measuring what it should)"
    return None


def compare_all(directory, cases, sizes, *, grows=True):
    """Measure every (client, url, headers) case with the directory at two sizes, rows added in
    between; return what differed."""
    small, large = sizes
    directory.grow(small - directory.size)
    for client, url, headers in cases:
        client.get(url, headers=headers)  # warm what fills once per process (sites, content types)
    at_small = [measure(client, url, **headers) for client, url, headers in cases]
    directory.grow(large - directory.size)
    at_large = [measure(client, url, **headers) for client, url, headers in cases]
    found = [difference(a, b, url, grows=grows) for (_, url, _), a, b in zip(cases, at_small, at_large, strict=True)]
    return [f for f in found if f]


LIST_PAGES = [
    "/",
    "/organisations/",
    "/organisations/?stream=community",
    "/organisations/?area=leeds",
    "/organisations/?skill=shared-skill",
    "/organisations/?q=common",
    "/organisations/?q=common&stream=community&area=leeds&skill=shared-skill&page=2",
    "/projects/",
    "/projects/?q=common&status=active",
    "/areas/",
    "/areas/leeds/",
    "/areas/leeds/?show=projects",
    "/skills/",
    "/skills/shared-skill/",
    "/resources/shared-resource/",
    f"/areas/near/?lat={LAT}&lng={LNG}&radius=16093",
]
API_LISTS = [
    "/api/v1/organisations?limit=100",
    "/api/v1/organisations?limit=100&q=common&stream=community&area=leeds&skill=shared-skill",
    "/api/v1/projects?limit=100",
    "/api/v1/projects?limit=100&q=common&area=leeds",
    "/api/v1/areas?limit=100",
    "/api/v1/areas?limit=100&parent=leeds",
    "/api/v1/skills",
    "/api/v1/resources",
    "/api/v1/search?q=common&limit=100",
    f"/api/v1/near?lat={LAT}&lng={LNG}&radius=20000&limit=100",
    f"/api/v1/near?lat={LAT}&lng={LNG}&radius=20000&limit=100&kind=project",
    f"/api/v1/areas/lookup?lat={LAT}&lng={LNG}",
]


def test_list_queries_do_not_grow_with_rows(client, directory):
    member = Client()
    member.force_login(directory.owner)
    _, key = api_token_create(user=directory.owner, by=directory.owner, name="t")
    cases = [(client, url, {}) for url in LIST_PAGES + API_LISTS]
    cases += [
        (member, url, {}) for url in ["/", "/organisations/", "/projects/", "/areas/leeds/", "/skills/shared-skill/"]
    ]
    cases += [(client, "/api/v1/organisations?limit=100", {"Authorization": f"Bearer {key}"})]
    problems = compare_all(directory, cases, (3, 30))
    assert not problems, "\n".join(problems)


def test_full_and_partial_pages(client, directory):
    """A page of results that is not full needs no count (and search then looks for close names);
    a full one asks for the total. Each kind of page is compared with itself."""
    partial = ["/search/?q=common", "/api/v1/search?q=common", "/api/v1/organisations", "/api/v1/projects"]
    problems = compare_all(directory, [(client, url, {}) for url in partial], (3, 9))
    full = [
        "/search/?q=common",
        "/search/?q=common&kind=organisation&page=2",
        "/api/v1/search?q=common",
        "/api/v1/organisations",
        "/api/v1/projects?offset=20",
        "/organisations/?page=2",
    ]
    problems += compare_all(directory, [(client, url, {}) for url in full], (30, 45), grows=False)
    assert not problems, "\n".join(problems)


# ---- detail pages: many skills, areas, projects, organisations ---------------------------------------
def test_detail_pages_do_not_grow_with_related_rows(client, directory):
    directory.grow(30)
    org = OrganisationFactory(
        name="Busy Org",
        slug="busy-org",
        owner=directory.owner,
        area=directory.city,
        lat=LAT,
        lng=LNG,
        email="busy@example.org",
    )
    project = ProjectFactory(name="Busy Project", slug="busy-project", owner=directory.owner, area=directory.city)
    person = directory.owner
    profile = profile_for(person)
    profile.profile_visibility = profile.skills_visibility = profile.place_visibility = Visibility.PUBLIC
    profile.home_area = directory.city
    profile.save()
    _, key = api_token_create(user=person, by=person, name="t")
    pages = [
        (org.get_absolute_url(), {}),
        (project.get_absolute_url(), {}),
        ("/api/v1/organisations/busy-org", {}),
        ("/api/v1/organisations/busy-org", {"Authorization": f"Bearer {key}"}),
        ("/api/v1/projects/busy-project", {}),
        ("/api/v1/areas/leeds", {}),
        (f"/people/{person.pk}/", {}),
    ]

    def link(n):
        skills = list(Skill.objects.filter(family=directory.family).order_by("pk")[:n])
        areas = list(directory.city.children.order_by("pk")[:n])
        resources = list(ResourceKind.objects.order_by("pk")[:n])
        orgs = list(type(org).objects.exclude(pk=org.pk).order_by("pk")[:n])
        org.skills.set(skills)
        org.areas_served.set(areas)
        org.resources.set(resources)
        project.skills.set(skills)
        project.organisations.set([org, *orgs])
        org.projects.set([project, *type(project).objects.exclude(pk=project.pk).order_by("pk")[:n]])
        profile.skills.set(skills)
        profile.resources.set(resources)

    owner = Client()
    owner.force_login(person)  # the owner's view of their pages: edit links, private details
    cases = [(client, url, headers) for url, headers in pages]
    own_pages = [
        org.get_absolute_url(),
        project.get_absolute_url(),
        "/people/me/",
        f"/organisations/{org.slug}/edit/",
        f"/projects/{project.slug}/edit/",
    ]
    cases += [(owner, url, {}) for url in own_pages]
    link(2)
    for c, url, headers in cases:
        c.get(url, headers=headers)
    few = [measure(c, url, **headers) for c, url, headers in cases]
    link(25)
    many = [measure(c, url, **headers) for c, url, headers in cases]
    problems = [difference(a, b, url, grows=False) for (_, url, _), a, b in zip(cases, few, many, strict=True)]
    assert not [p for p in problems if p], "\n".join(p for p in problems if p)
