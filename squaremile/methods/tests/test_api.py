import pytest

from squaremile.accounts import services as accounts
from squaremile.accounts.tests.factories import UserFactory
from squaremile.methods.models import UsageReport
from squaremile.methods.tests.factories import MethodFactory, StepFactory

pytestmark = pytest.mark.django_db


def test_list_filter_and_detail(client, django_assert_max_num_queries):
    for _ in range(12):
        MethodFactory(purposes=",skills,")
    m = MethodFactory(purposes=",decide,", licence="CC0-1.0")
    StepFactory(method=m, title="Vote", minutes=5)
    with django_assert_max_num_queries(3):
        body = client.get("/api/v1/methods", {"purpose": "skills", "limit": 5}).json()
    assert body["count"] == 12 and len(body["items"]) == 5
    detail = client.get(f"/api/v1/methods/{m.slug}").json()
    assert detail["licence"] == "CC0-1.0" and detail["steps"] == [{"title": "Vote", "minutes": 5, "text": ""}]
    assert client.get("/api/v1/methods", {"purpose": "nonsense"}).status_code == 400
    assert client.get("/api/v1/methods/nope").status_code == 404


def test_helper_and_reports(client):
    m = MethodFactory(purposes=",skills,", min_people=2, max_people=50, minutes=30)
    found = client.get("/api/v1/methods-helper", {"people": 10, "minutes": 45, "words": "our skills"}).json()
    assert found[0]["method"]["slug"] == m.slug and found[0]["reasons"]
    user = UserFactory()
    _, key = accounts.api_token_create(user=user, by=user, name="test")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    made = client.post(
        f"/api/v1/methods/{m.slug}/reports",
        {"used_on": "2026-02-01", "people": 9},
        content_type="application/json",
        **auth,
    )
    assert made.status_code == 201 and UsageReport.objects.get().people == 9
    bad = client.post(
        f"/api/v1/methods/{m.slug}/reports",
        {"used_on": "2999-02-01", "people": 9},
        content_type="application/json",
        **auth,
    )
    assert bad.status_code == 400 and "used_on" in bad.json()["errors"]
    assert (
        client.post(
            f"/api/v1/methods/{m.slug}/reports", {"used_on": "2026-02-01", "people": 9}, content_type="application/json"
        ).status_code
        == 401
    )


def _auth(user):
    _, key = accounts.api_token_create(user=user, by=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_propose_a_method_and_an_edit_through_the_moderation_queue(client):
    from squaremile.methods.models import Method, MethodRevision
    from squaremile.moderation.models import ModerationState as S

    member = UserFactory()
    auth = _auth(member)
    body = {
        "name": "Skills bingo", "summary": "Find who can do what.", "purposes": ["skills", "relationships"],
        "min_people": 8, "max_people": 60, "minutes": 30, "links": ["https://example.org/bingo"],
        "steps": [{"title": "Hand out cards", "minutes": 5},
                  {"title": "Mingle", "minutes": 20, "text": "Ask <b>everyone</b>"}],
    }  # fmt: skip
    made = client.post("/api/v1/methods", body, content_type="application/json", **auth)
    assert made.status_code == 201, made.content
    method = Method.objects.get(slug=made.json()["slug"])
    assert method.status == S.PENDING and method.owner == member and method.purpose_list == ["relationships", "skills"]
    assert [s.title for s in method.steps.all()] == ["Hand out cards", "Mingle"]
    assert client.get(f"/api/v1/methods/{method.slug}").status_code == 404  # not public until accepted
    # errors are 4xx JSON, nothing written
    for bad, field in (
        ({**body, "max_people": 2}, "max_people"),
        ({**body, "purposes": ["juggling"]}, "purposes"),
        ({**body, "name": ""}, "name"),
        ({**body, "steps": [{"title": "x", "minutes": 5000}]}, "steps"),
    ):
        answer = client.post("/api/v1/methods", bad, content_type="application/json", **auth)
        assert answer.status_code == 400 and answer.json()["message"], (field, answer.content)
    assert client.post("/api/v1/methods", body, content_type="application/json").status_code == 401
    assert client.post("/api/v1/methods", "{", content_type="application/json", **auth).status_code == 400
    assert Method.objects.count() == 1
    # an edit to a published method waits for a moderator; the method is unchanged meanwhile
    published = MethodFactory(name="World café", minutes=90)
    StepFactory(method=published, title="Tables of four", minutes=20)
    edit = client.post(
        f"/api/v1/methods/{published.slug}/edits", {"minutes": 60, "note": "Shorter works"},
        content_type="application/json", **auth,
    )  # fmt: skip
    assert edit.status_code == 201, edit.content
    revision = MethodRevision.objects.get()
    assert (
        revision.status == S.PENDING
        and revision.data["minutes"] == 60
        and revision.data["steps"][0]["title"] == "Tables of four"
    )
    published.refresh_from_db()
    assert published.minutes == 90
    assert client.post(f"/api/v1/methods/{published.slug}/edits", {"minutes": 0}, content_type="application/json",
                       **auth).status_code == 400  # fmt: skip
    assert client.post("/api/v1/methods/nope/edits", {"minutes": 60}, content_type="application/json",
                       **auth).status_code == 404  # fmt: skip
    schema = client.get("/api/v1/openapi.json").json()["paths"]
    for path in ("/api/v1/methods", "/api/v1/methods/{slug}/edits", "/api/v1/games", "/api/v1/games/{pk}/tables",
                 "/api/v1/game-tables/{code}/players", "/api/v1/game-tables/{code}/sort"):  # fmt: skip
        assert "post" in schema[path], path


def test_a_game_through_the_api_open_join_sort(client):
    import datetime

    from squaremile.methods.game import cards, selectors
    from squaremile.methods.models import Placement
    from squaremile.methods.tests.factories import organiser

    full, short = cards.standard_decks()
    boss = organiser()
    boss_auth = _auth(boss)
    body = {"name": "API night", "deck": short.pk, "played_on": str(datetime.date.today()),
            "tables": [{"name": "Table 1"}, {"name": "Screen", "mode": "screen"}],
            "group": "Millbrook Tenants"}  # fmt: skip
    made = client.post("/api/v1/games", body, content_type="application/json", **boss_auth)
    assert made.status_code == 201, made.content
    game = made.json()
    assert game["group_name"] == "Millbrook Tenants" and [t["mode"] for t in game["tables"]] == ["phones", "screen"]
    code = game["tables"][0]["code"]
    member = UserFactory()
    member_auth = _auth(member)
    assert client.post("/api/v1/games", body, content_type="application/json", **member_auth).status_code == 403
    assert client.post("/api/v1/games", {**body, "deck": 99999}, content_type="application/json",
                       **boss_auth).status_code == 404  # fmt: skip
    assert client.post("/api/v1/games", {**body, "tables": []}, content_type="application/json",
                       **boss_auth).status_code == 400  # fmt: skip
    added = client.post(f"/api/v1/games/{game['id']}/tables", {"name": "Paper", "mode": "paper"},
                        content_type="application/json", **boss_auth)  # fmt: skip
    assert added.status_code == 201 and added.json()["mode"] == "paper"
    assert client.post(f"/api/v1/games/{game['id']}/tables", {"name": "Mine"}, content_type="application/json",
                       **member_auth).status_code == 403  # fmt: skip
    # sorting before joining is refused; joining is once
    card = client.get(f"/api/v1/game-tables/{code}").json()["card"]
    sort = {"card": card["id"], "pile": "can"}
    assert client.post(f"/api/v1/game-tables/{code}/sort", sort, content_type="application/json",
                       **member_auth).status_code == 403  # fmt: skip
    joined = client.post(f"/api/v1/game-tables/{code}/players", {"name": "Ann"}, content_type="application/json",
                         **member_auth)  # fmt: skip
    assert joined.status_code == 201
    again = client.post(f"/api/v1/game-tables/{code}/players", {"name": "Ann"}, content_type="application/json",
                        **member_auth)  # fmt: skip
    assert again.status_code == 200 and again.json()["id"] == joined.json()["id"]
    state = client.post(f"/api/v1/game-tables/{code}/sort", sort, content_type="application/json", **member_auth)
    assert state.status_code == 200 and state.json()["sorted"] == 1 and state.json()["card"]["id"] != card["id"]
    assert Placement.objects.get().player.user == member
    for bad in ({"card": card["id"], "pile": "maybe"}, {"card": 10**9, "pile": "can"}, {"pile": "can"}):
        answer = client.post(f"/api/v1/game-tables/{code}/sort", bad, content_type="application/json", **member_auth)
        assert answer.status_code == 400 and answer.json()["message"], bad
    assert client.post("/api/v1/game-tables/ZZZZZZ/sort", sort, content_type="application/json",
                       **member_auth).status_code == 404  # fmt: skip
    assert client.post(f"/api/v1/game-tables/{code}/sort", sort, content_type="application/json").status_code == 401
    assert selectors.table_state(selectors.table_by_code(code))["sorted"] == 1
