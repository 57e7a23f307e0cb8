"""The JSON API under /api/v1/: reads for everyone, writes with a personal token, one error shape."""

import json

import pytest

from squaremile.accounts.models import ApiToken, Role
from squaremile.accounts.services import api_token_create
from squaremile.accounts.tests.factories import UserFactory
from squaremile.core.models import SearchDocument, Visibility
from squaremile.directory import services
from squaremile.directory.models import Organisation, Project, ResourceKind, Skill
from squaremile.places.models import AreaKind
from squaremile.places.tests.factories import AreaFactory

pytestmark = pytest.mark.django_db

API = "/api/v1"


def call(client, method, path, body=None, *, token=None, raw=None, content_type="application/json"):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    kwargs = {}
    if raw is not None:
        kwargs = {"data": raw, "content_type": content_type}
    elif body is not None:
        kwargs = {"data": json.dumps(body), "content_type": content_type}
    return getattr(client, method)(API + path, headers=headers, **kwargs)


def token_for(user) -> str:
    return api_token_create(user=user, by=user, name="test")[1]


def assert_error(response, status, *fields):
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["errors"], dict)
    for field in fields:
        matching = [k for k in body["errors"] if k == field or k.startswith(field + ".")]
        assert matching, f"no error for {field!r} in {body['errors']}"
        assert all(body["errors"][k] and all(isinstance(m, str) and m for m in body["errors"][k]) for k in matching)
    return body


@pytest.fixture
def owner():
    return UserFactory()


@pytest.fixture
def owner_token(owner):
    return token_for(owner)


@pytest.fixture
def other_token():
    return token_for(UserFactory())


@pytest.fixture
def moderator_token():
    return token_for(UserFactory(role=Role.MODERATOR))


@pytest.fixture
def places():
    city = AreaFactory(name="Leeds", slug="leeds", kind=AreaKind.TOWN, lat=53.8, lng=-1.55, half=0.2)
    hood = AreaFactory(name="Hyde Park", slug="hyde-park", parent=city, lat=53.81, lng=-1.57, half=0.01)
    far = AreaFactory(name="Faraway", slug="faraway", kind=AreaKind.VILLAGE, lat=51.5, lng=-0.1, half=0.01)
    return {"city": city, "hood": hood, "far": far}


@pytest.fixture
def org(owner, places):
    return services.organisation_create(
        by=owner,
        data={
            "name": "Hyde Park Gardeners",
            "description": "We grow vegetables in shared gardens.",
            "lat": 53.81,
            "lng": -1.57,
            "email": "hello@gardeners.example.org",
            "phone": "0113 000 0000",
            "skills": list(Skill.objects.filter(slug__in=["growing-vegetables", "baking"])),
            "areas_served": [places["hood"]],
        },
    )


@pytest.fixture
def project(owner, org):
    project = services.project_create(
        by=owner, data={"name": "Seed Swap", "description": "Swapping seeds in spring.", "lat": 53.811, "lng": -1.571}
    )
    project.organisations.set([org])
    return project


# ---- the schema ------------------------------------------------------------------------------------
def test_openapi_schema_lists_every_path(client):
    response = client.get(API + "/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Square Mile API"
    paths = schema["paths"]
    # The directory's and places' paths (the map and network apps check their own).
    assert set(paths) >= {
        f"{API}/areas",
        f"{API}/areas/lookup",
        f"{API}/areas/{{slug}}",
        f"{API}/skills",
        f"{API}/resources",
        f"{API}/organisations",
        f"{API}/organisations/{{slug}}",
        f"{API}/projects",
        f"{API}/projects/{{slug}}",
        f"{API}/search",
        f"{API}/near",
    }
    assert set(paths[f"{API}/organisations"]) == {"get", "post"}
    assert set(paths[f"{API}/organisations/{{slug}}"]) == {"get", "patch", "delete"}
    assert set(paths[f"{API}/projects"]) == {"get", "post"}
    assert set(paths[f"{API}/projects/{{slug}}"]) == {"get", "patch", "delete"}
    own = [p for p in paths if not p.startswith((f"{API}/map", f"{API}/network", f"{API}/jobs"))]
    for path in own:
        for method, operation in paths[path].items():
            writes = method in ("post", "patch", "delete")
            # every write needs a token; a read is open unless it is someone's own (e.g. an offer's matches)
            if writes or operation.get("security"):
                assert operation.get("security") == [{"TokenAuth": []}], (path, method)


# ---- reads -----------------------------------------------------------------------------------------
def test_list_organisations_is_paginated(client, owner):
    for name in ["Delta", "Alpha", "Echo", "Charlie", "Bravo"]:
        services.organisation_create(by=owner, data={"name": name})
    body = call(client, "get", "/organisations?limit=2").json()
    assert body["count"] == 5 and body["limit"] == 2 and body["offset"] == 0
    assert [o["name"] for o in body["items"]] == ["Alpha", "Bravo"]
    body = call(client, "get", "/organisations?limit=2&offset=4").json()
    assert [o["name"] for o in body["items"]] == ["Echo"] and body["count"] == 5
    body = call(client, "get", "/organisations?offset=50").json()
    assert body["items"] == [] and body["count"] == 5
    item = call(client, "get", "/organisations?limit=1").json()["items"][0]
    assert set(item) == {"name", "slug", "stream", "org_type", "description", "lat", "lng", "area", "url"}
    assert item["url"] == "/organisations/alpha/"


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "limit=x", "offset=-1", "offset=1.5"])
def test_list_rejects_bad_paging(client, query):
    field = query.split("=")[0]
    assert_error(call(client, "get", f"/organisations?{query}"), 400, field)


def test_filter_organisations(client, owner, org, places):
    services.organisation_create(by=owner, data={"name": "City Bank", "stream": "business", "org_type": "business"})
    services.organisation_create(by=owner, data={"name": "Far Choir", "lat": 51.5, "lng": -0.1})

    def names(query):
        response = call(client, "get", f"/organisations?{query}")
        assert response.status_code == 200, response.content
        return sorted(o["name"] for o in response.json()["items"])

    assert names("stream=business") == ["City Bank"]
    assert names("org_type=business") == ["City Bank"]
    assert names("area=hyde-park") == ["Hyde Park Gardeners"]
    assert names("area=leeds") == ["Hyde Park Gardeners"]  # the city holds the neighbourhood
    assert names("area=faraway") == ["Far Choir"]
    assert names("skill=growing-vegetables") == ["Hyde Park Gardeners"]
    assert names("q=vegetables") == ["Hyde Park Gardeners"]
    assert names("q=nothing-like-this") == []
    assert_error(call(client, "get", "/organisations?area=nowhere"), 404)
    assert_error(call(client, "get", "/organisations?skill=juggling-chainsaws"), 404)
    assert_error(call(client, "get", "/organisations?stream=martian"), 400, "stream")


def test_organisation_detail(client, org, project):
    body = call(client, "get", f"/organisations/{org.slug}").json()
    assert body["name"] == "Hyde Park Gardeners"
    assert body["area"] == "hyde-park"  # the most specific area holding the point
    assert body["areas_served"] == ["hyde-park"]
    assert sorted(body["skills"]) == ["baking", "growing-vegetables"]
    assert body["projects"] == [project.slug]
    assert body["lat"] == 53.81 and body["lng"] == -1.57


def test_unknown_slugs_are_json_404s(client):
    for path in ["/organisations/nope", "/projects/nope", "/areas/nope"]:
        body = assert_error(call(client, "get", path), 404)
        assert body["message"] == "Not found."


def test_projects_list_and_detail(client, owner, project, org):
    services.project_create(by=owner, data={"name": "Old Fair", "status": "ended"})
    body = call(client, "get", "/projects").json()
    assert body["count"] == 2 and [p["name"] for p in body["items"]] == ["Old Fair", "Seed Swap"]
    assert [p["name"] for p in call(client, "get", "/projects?status=ended").json()["items"]] == ["Old Fair"]
    assert [p["name"] for p in call(client, "get", "/projects?area=leeds").json()["items"]] == ["Seed Swap"]
    assert [p["name"] for p in call(client, "get", "/projects?q=seeds").json()["items"]] == ["Seed Swap"]
    assert_error(call(client, "get", "/projects?status=forgotten"), 400, "status")
    detail = call(client, "get", f"/projects/{project.slug}").json()
    assert detail["organisations"] == [org.slug] and detail["area"] == "hyde-park"


def test_areas(client, places):
    body = call(client, "get", "/areas").json()
    assert body["count"] == 3 and [a["slug"] for a in body["items"]] == ["faraway", "hyde-park", "leeds"]
    assert [a["slug"] for a in call(client, "get", "/areas?kind=town").json()["items"]] == ["leeds"]
    assert [a["slug"] for a in call(client, "get", "/areas?parent=leeds").json()["items"]] == ["hyde-park"]
    assert_error(call(client, "get", "/areas?kind=continent"), 400, "kind")
    detail = call(client, "get", "/areas/hyde-park").json()
    assert detail["parent"] == "leeds" and detail["boundary"]["type"] == "Polygon"
    assert detail["bbox"] == pytest.approx([-1.58, 53.8, -1.56, 53.82])


def test_area_lookup(client, places):
    found = call(client, "get", "/areas/lookup?lat=53.81&lng=-1.57").json()
    assert [a["slug"] for a in found] == ["hyde-park", "leeds"]  # smallest first
    assert found[0]["parent"] == "leeds"
    assert call(client, "get", "/areas/lookup?lat=0&lng=0").json() == []
    assert_error(call(client, "get", "/areas/lookup?lat=91&lng=0"), 400, "lat")
    assert_error(call(client, "get", "/areas/lookup?lat=0&lng=-181"), 400, "lng")
    assert_error(call(client, "get", "/areas/lookup?lat=53.8"), 400, "lng")
    assert_error(call(client, "get", "/areas/lookup?lat=north&lng=0"), 400, "lat")


def test_skills_and_resources(client):
    skills = call(client, "get", "/skills").json()
    assert len(skills) == Skill.objects.count() > 50
    assert {"name", "slug", "family", "description"} == set(skills[0])
    assert all(s["family"] for s in skills)
    resources = call(client, "get", "/resources").json()
    assert [r["slug"] for r in resources] == list(ResourceKind.objects.order_by("name").values_list("slug", flat=True))


def test_search_and_near(client, org, project):
    body = call(client, "get", "/search?q=gardeners").json()
    assert body["total"] == 1 and body["hits"][0]["title"] == "Hyde Park Gardeners"
    assert body["hits"][0]["kind"] == "organisation" and body["hits"][0]["url"] == org.get_absolute_url()
    assert call(client, "get", "/search?q=seed&kind=project").json()["hits"][0]["title"] == "Seed Swap"
    assert call(client, "get", "/search?q=seed&kind=organisation").json()["total"] == 0
    assert call(client, "get", "/search?q=gardners").json()["hits"][0]["fuzzy"] is True
    assert_error(call(client, "get", "/search"), 400, "q")
    assert_error(call(client, "get", "/search?q="), 400, "q")
    assert_error(call(client, "get", "/search?q=x&kind=person"), 400, "kind")

    near = call(client, "get", "/near?lat=53.81&lng=-1.57&radius=500").json()
    assert near["total"] == 1 and near["items"][0]["slug"] == org.slug and near["items"][0]["distance_m"] < 1
    near = call(client, "get", "/near?lat=53.81&lng=-1.57&kind=project").json()
    assert [p["slug"] for p in near["items"]] == [project.slug]
    assert call(client, "get", "/near?lat=0&lng=0").json() == {"total": 0, "items": []}
    assert_error(call(client, "get", "/near?lat=100&lng=0"), 400, "lat")
    assert_error(call(client, "get", "/near?lat=0&lng=0&radius=10"), 400, "radius")
    assert_error(call(client, "get", "/near?lng=0"), 400, "lat")


# ---- contact details follow contact_visibility --------------------------------------------------------
@pytest.mark.parametrize(
    ("visibility", "anonymous", "member", "owner_sees", "moderator"),
    [
        (Visibility.PUBLIC, True, True, True, True),
        (Visibility.MEMBERS, False, True, True, True),
        (Visibility.NOBODY, False, False, True, True),
    ],
)
def test_contact_details_follow_visibility(
    client, org, owner_token, other_token, moderator_token, visibility, anonymous, member, owner_sees, moderator
):
    Organisation.objects.filter(pk=org.pk).update(contact_visibility=visibility)
    for token, shown in [
        (None, anonymous),
        ("sqm_not-a-real-token", anonymous),
        (other_token, member),
        (owner_token, owner_sees),
        (moderator_token, moderator),
    ]:
        body = call(client, "get", f"/organisations/{org.slug}", token=token).json()
        if shown:
            assert (body["email"], body["phone"]) == ("hello@gardeners.example.org", "0113 000 0000"), token
        else:
            assert body["email"] is None and body["phone"] is None, token
            assert "gardeners.example.org" not in json.dumps(body)


# ---- writes ------------------------------------------------------------------------------------------
def test_create_organisation(client, owner, owner_token, places):
    response = call(
        client,
        "post",
        "/organisations",
        {
            "name": "  Little Library  ",
            "description": "Books to borrow.",
            "stream": "individual",
            "org_type": "informal_group",
            "lat": 53.81,
            "lng": -1.57,
            "skills": ["baking", "baking"],
            "areas_served": ["leeds", "hyde-park"],
            "resources": [ResourceKind.objects.first().slug],
            "email": "books@example.org",
            "contact_visibility": "nobody",
            "website": "https://library.example.org",
        },
        token=owner_token,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "Little Library" and body["slug"] == "little-library"
    assert body["area"] == "hyde-park" and body["skills"] == ["baking"]
    assert sorted(body["areas_served"]) == ["hyde-park", "leeds"]
    assert body["email"] == "books@example.org"  # the owner sees their own private details
    org = Organisation.objects.get(slug="little-library")
    assert org.owner == owner and org.stream == "individual"
    # listed, findable, and its private contact details hidden from everyone else
    assert call(client, "get", "/organisations/little-library").json()["email"] is None
    hits = call(client, "get", "/search?q=library").json()["hits"]
    assert [h["title"] for h in hits] == ["Little Library"]
    assert call(client, "get", "/search?q=books").json()["hits"][0]["url"] == "/organisations/little-library/"
    # the same name again gets its own address
    again = call(client, "post", "/organisations", {"name": "Little Library"}, token=owner_token).json()
    assert again["slug"] == "little-library-2"


def test_update_organisation(client, org, owner_token, other_token, moderator_token):
    response = call(client, "patch", f"/organisations/{org.slug}", {"description": "Now with bees."}, token=owner_token)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["description"] == "Now with bees." and body["name"] == "Hyde Park Gardeners"
    assert sorted(body["skills"]) == ["baking", "growing-vegetables"]  # untouched fields are kept
    assert call(client, "get", "/search?q=bees").json()["total"] == 1

    response = call(
        client, "patch", f"/organisations/{org.slug}", {"name": "Gardeners United", "skills": []}, token=moderator_token
    )
    assert response.status_code == 200 and response.json()["skills"] == []
    assert response.json()["slug"] == org.slug  # the address does not change with the name

    response = call(client, "patch", f"/organisations/{org.slug}", {"lat": None, "lng": None}, token=owner_token)
    assert response.status_code == 200 and response.json()["area"] is None


def test_update_someone_elses_organisation_is_forbidden(client, org, other_token):
    before = Organisation.objects.values().get(pk=org.pk)
    body = assert_error(call(client, "patch", f"/organisations/{org.slug}", {"name": "Mine"}, token=other_token), 403)
    assert "can do this" in body["message"]
    assert_error(call(client, "delete", f"/organisations/{org.slug}", token=other_token), 403)
    assert Organisation.objects.values().get(pk=org.pk) == before


def test_delete_organisation(client, org, owner_token, moderator_token, owner):
    assert call(client, "delete", f"/organisations/{org.slug}", token=owner_token).status_code == 204
    assert not Organisation.objects.filter(pk=org.pk).exists()
    assert not SearchDocument.objects.filter(kind="organisation", object_id=org.pk).exists()
    assert call(client, "get", "/search?q=gardeners").json()["total"] == 0
    assert_error(call(client, "delete", f"/organisations/{org.slug}", token=owner_token), 404)
    another = services.organisation_create(by=owner, data={"name": "Another"})
    assert call(client, "delete", f"/organisations/{another.slug}", token=moderator_token).status_code == 204


def test_writes_to_unknown_slugs_are_404(client, owner_token):
    assert_error(call(client, "patch", "/organisations/nope", {"name": "x"}, token=owner_token), 404)
    assert_error(call(client, "delete", "/organisations/nope", token=owner_token), 404)
    assert_error(call(client, "patch", "/projects/nope", {"name": "x"}, token=owner_token), 404)
    assert_error(call(client, "delete", "/projects/nope", token=owner_token), 404)


def test_project_crud(client, org, owner_token, other_token, moderator_token):
    response = call(
        client,
        "post",
        "/projects",
        {
            "name": "Bulb Planting",
            "status": "starting",
            "start_date": "2025-03-01",
            "end_date": "2025-03-01",
            "organisations": [org.slug],
            "skills": ["growing-vegetables"],
            "lat": 53.81,
            "lng": -1.57,
        },
        token=owner_token,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["organisations"] == [org.slug] and body["status"] == "starting" and body["area"] == "hyde-park"
    slug = body["slug"]
    assert call(client, "get", "/search?q=bulb&kind=project").json()["total"] == 1

    assert_error(call(client, "patch", f"/projects/{slug}", {"status": "ended"}, token=other_token), 403)
    assert_error(call(client, "delete", f"/projects/{slug}", token=other_token), 403)
    response = call(
        client, "patch", f"/projects/{slug}", {"status": "ended", "end_date": "2025-04-01"}, token=owner_token
    )
    assert response.status_code == 200 and response.json()["end_date"] == "2025-04-01"
    response = call(client, "patch", f"/projects/{slug}", {"organisations": []}, token=moderator_token)
    assert response.status_code == 200 and response.json()["organisations"] == []
    assert call(client, "delete", f"/projects/{slug}", token=owner_token).status_code == 204
    assert not Project.objects.filter(slug=slug).exists()
    assert call(client, "get", "/search?q=bulb").json()["total"] == 0


# ---- authentication ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "header",
    [
        None,
        "Bearer ",
        "Bearer sqm_wrong",
        "Bearer not-even-the-prefix",
        "Token sqm_x",
        "Basic dXNlcjpwYXNz",
        "Bearer " + "sqm_" + "x" * 5000,
    ],
)
def test_writes_need_a_valid_token(client, org, header):
    headers = {"Authorization": header} if header is not None else {}
    count = Organisation.objects.count()
    for method, path, body in [
        ("post", "/organisations", {"name": "Sneaky"}),
        ("patch", f"/organisations/{org.slug}", {"name": "Sneaky"}),
        ("delete", f"/organisations/{org.slug}", None),
        ("post", "/projects", {"name": "Sneaky"}),
        ("patch", "/projects/any", {"name": "Sneaky"}),
        ("delete", "/projects/any", None),
    ]:
        kwargs = {"data": json.dumps(body), "content_type": "application/json"} if body else {}
        response = getattr(client, method)(API + path, headers=headers, **kwargs)
        body = assert_error(response, 401)
        assert "token" in body["message"].lower()
    assert Organisation.objects.count() == count
    assert Organisation.objects.get(pk=org.pk).name == "Hyde Park Gardeners"


def test_token_of_an_inactive_or_deleted_account_does_not_work(client, owner, owner_token):
    assert call(client, "post", "/organisations", {"name": "One"}, token=owner_token).status_code == 201
    owner.is_active = False
    owner.save()
    assert_error(call(client, "post", "/organisations", {"name": "Two"}, token=owner_token), 401)
    owner.is_active = True
    owner.save()
    ApiToken.objects.filter(user=owner).delete()
    assert_error(call(client, "post", "/organisations", {"name": "Three"}, token=owner_token), 401)
    assert list(Organisation.objects.values_list("name", flat=True)) == ["One"]


def test_token_records_its_last_use(client, owner, owner_token):
    token = ApiToken.objects.get(user=owner)
    assert token.last_used_at is None
    call(client, "post", "/organisations", {"name": "One"}, token=owner_token)
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert owner_token not in json.dumps(list(ApiToken.objects.values()), default=str)  # only a hash is kept


# ---- bad input: 400 with field messages, nothing saved ------------------------------------------------
BAD_ORGANISATIONS = [
    ({}, "name"),
    ({"name": ""}, "name"),
    ({"name": "   "}, "name"),
    ({"name": None}, "name"),
    ({"name": 5}, "name"),
    ({"name": ["a"]}, "name"),
    ({"name": {"first": "a"}}, "name"),
    ({"name": "x" * 100_000}, "name"),
    ({"name": "ok", "description": "x" * 100_000}, "description"),
    ({"name": "ok", "address": "x" * 301}, "address"),
    ({"name": "ok", "phone": "1" * 41}, "phone"),
    ({"name": "ok", "website": "x" * 501}, "website"),
    ({"name": "ok", "skills": ["no-such-skill", "baking"]}, "skills"),
    ({"name": "ok", "skills": "baking"}, "skills"),
    ({"name": "ok", "skills": [1, 2]}, "skills"),
    ({"name": "ok", "skills": ["x"] * 201}, "skills"),
    ({"name": "ok", "areas_served": ["nowhere"]}, "areas_served"),
    ({"name": "ok", "resources": ["no-such-thing"]}, "resources"),
    ({"name": "ok", "lat": 91, "lng": 0}, "lat"),
    ({"name": "ok", "lat": -90.0001, "lng": 0}, "lat"),
    ({"name": "ok", "lat": 0, "lng": 180.5}, "lng"),
    ({"name": "ok", "lat": 1e308, "lng": 0}, "lat"),
    ({"name": "ok", "lat": 10**400, "lng": 0}, "lat"),
    ({"name": "ok", "lat": "north", "lng": 0}, "lat"),
    ({"name": "ok", "lat": 53.8}, "lng"),
    ({"name": "ok", "lng": -1.5}, "lat"),
    ({"name": "ok", "stream": "martian"}, "stream"),
    ({"name": "ok", "org_type": 3}, "org_type"),
    ({"name": "ok", "contact_visibility": "everyone"}, "contact_visibility"),
    ({"name": "ok", "email": "not-an-email"}, "email"),
    ({"name": "ok", "website": "javascript:alert(1)"}, "website"),
    ({"name": "ok", "website": "not a url"}, "website"),
    ({"name": "nul\x00byte"}, "name"),
    ({"name": "ok", "skills": ["bak\x00ing"]}, "skills"),
    ({"name": "lone \ud800 surrogate"}, "name"),
]


@pytest.mark.parametrize(("payload", "field"), BAD_ORGANISATIONS, ids=[str(i) for i in range(len(BAD_ORGANISATIONS))])
def test_bad_organisation_payloads(client, owner_token, payload, field):
    fields = [field] if field else []
    assert_error(call(client, "post", "/organisations", payload, token=owner_token), 400, *fields)
    assert not Organisation.objects.exists()
    assert not SearchDocument.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": None}, "name"),
        ({"stream": None}, "stream"),
        ({"lat": 95}, "lat"),
        ({"lat": None}, "lat"),  # the org has a point: taking away half of it is refused
        ({"skills": ["baking", "no-such-skill"]}, "skills"),
        ({"email": "@"}, "email"),
        ({"description": 12}, "description"),
    ],
)
def test_bad_organisation_patches_change_nothing(client, org, owner_token, payload, field):
    before = Organisation.objects.values().get(pk=org.pk)
    skills = sorted(org.skills.values_list("slug", flat=True))
    assert_error(call(client, "patch", f"/organisations/{org.slug}", payload, token=owner_token), 400, field)
    assert Organisation.objects.values().get(pk=org.pk) == before
    assert sorted(org.skills.values_list("slug", flat=True)) == skills


BAD_PROJECTS = [
    ({"name": "p", "start_date": "2025-05-01", "end_date": "2025-01-01"}, "end_date"),
    ({"name": "p", "start_date": "yesterday"}, "start_date"),
    ({"name": "p", "start_date": "2025-02-30"}, "start_date"),
    ({"name": "p", "end_date": 20250101.5}, "end_date"),
    ({"name": "p", "status": "dreaming"}, "status"),
    ({"name": "p", "organisations": ["no-such-org"]}, "organisations"),
    ({"name": "p", "organisations": ["o"] * 21}, "organisations"),
    ({"name": "p", "lat": -91, "lng": 0}, "lat"),
    ({"status": "active"}, "name"),
]


@pytest.mark.parametrize(("payload", "field"), BAD_PROJECTS)
def test_bad_project_payloads(client, owner_token, payload, field):
    assert_error(call(client, "post", "/projects", payload, token=owner_token), 400, field)
    assert not Project.objects.exists()


def test_patch_end_date_before_existing_start_date(client, owner, owner_token):
    project = services.project_create(by=owner, data={"name": "Fair", "start_date": "2025-06-01"})
    body = assert_error(
        call(client, "patch", f"/projects/{project.slug}", {"end_date": "2025-05-01"}, token=owner_token),
        400,
        "end_date",
    )
    assert "start date" in body["errors"]["end_date"][0]
    project.refresh_from_db()
    assert project.end_date is None


@pytest.mark.parametrize(
    ("raw", "content_type"),
    [
        ("not json at all", "application/json"),
        ("{'name': 'single quotes'}", "application/json"),
        ('{"name": "truncated"', "application/json"),
        ("", "application/json"),
        ("[]", "application/json"),
        ('"just a string"', "application/json"),
        ("null", "application/json"),
        ("42", "application/json"),
        ('{"name": NaN}', "application/json"),
        ("name=form-encoded", "application/x-www-form-urlencoded"),
        ("\xff\xfe binary", "application/json"),
        ("[" * 5000 + "]" * 5000, "application/json"),
    ],
)
def test_bodies_that_are_not_json_objects(client, owner_token, raw, content_type):
    response = call(client, "post", "/organisations", raw=raw, content_type=content_type, token=owner_token)
    assert_error(response, 400)
    assert not Organisation.objects.exists()
