"""Pages, feeds and the API of the exchange."""

import json

import pytest
from django.urls import reverse

from squaremile.accounts.tests.factories import PASSWORD
from squaremile.core.models import Visibility
from squaremile.exchange import services
from squaremile.exchange.models import Item, Side, Status
from squaremile.exchange.tests.factories import HOME, ItemFactory, car, person
from squaremile.places.tests.factories import AreaFactory

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def test_post_a_want_from_the_form_and_see_the_match(client):
    driver = person()
    offer = ItemFactory(owner=driver, side=Side.OFFER, title="Lifts to the hospital", lat=HOME[0] + 0.003)
    resident = person()
    login(client, resident)
    page = client.get(reverse("exchange:create") + "?side=want")
    assert page.status_code == 200 and b"Something I need" in page.content
    response = client.post(reverse("exchange:create"), {
        "side": "want", "title": "Need a lift to the hospital on Tuesday", "what": f"r{car().pk}",
        "kind": "transport", "where": "mine", "radius_m": "1609", "visibility": "public",
    })  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    want = Item.objects.get(owner=resident)
    detail = client.get(response["Location"])
    assert b"Offers that may match" in detail.content and b"Lifts to the hospital" in detail.content
    assert b"0.2 miles away" in detail.content
    assert offer.pk != want.pk


def test_the_form_keeps_what_was_typed_on_error(client):
    login(client, person())
    response = client.post(
        reverse("exchange:create"),
        {
            "side": "want",
            "title": "Kept text",
            "where": "point",
            "kind": "help",
            "radius_m": "1609",
            "visibility": "public",
        },
    )
    assert response.status_code == 400
    assert b"Kept text" in response.content and b"Type a place name or postcode" in response.content


def test_list_near_my_square_mile_filters_and_queries(client, django_assert_max_num_queries):
    me = person()
    ItemFactory(title="Near one", lat=HOME[0] + 0.001)
    ItemFactory(title="Far one", lat=HOME[0] + 1)
    for _ in range(5):
        ItemFactory(lat=HOME[0] + 0.002)
    ItemFactory(title="Online one", where="anywhere", lat=None, lng=None)
    login(client, me)
    with django_assert_max_num_queries(13):  # the near ones, and the newest online ones beside them
        page = client.get(reverse("exchange:list"))
    assert b"Near one" in page.content and b"Far one" not in page.content
    assert b'data-count="6"' in page.content and b"Online one" in page.content  # in its own box
    online = client.get(reverse("exchange:list") + "?online=on&radius=")
    assert b"Online one" in online.content and b"Near one" not in online.content
    everywhere = client.get(reverse("exchange:list") + "?radius=")
    assert b"Far one" in everywhere.content
    only_wants = client.get(reverse("exchange:list") + "?radius=&side=want")
    assert b"Near one" not in only_wants.content


def test_visitors_see_public_items_only(client):
    ItemFactory(title="For everyone")
    ItemFactory(title="Members only", visibility=Visibility.MEMBERS)
    page = client.get(reverse("exchange:list"))
    assert b"For everyone" in page.content and b"Members only" not in page.content
    hidden = Item.objects.get(title="Members only")
    assert client.get(hidden.get_absolute_url()).status_code == 404


def test_map_layer_rounds_people_and_is_bounded(client):
    ItemFactory(title="Spade to lend", lat=52.63123, lng=-1.13456)
    response = client.get(reverse("exchange:map_layer") + "?bbox=-1.2,52.6,-1.0,52.7")
    data = response.json()
    assert data["type"] == "FeatureCollection" and len(data["features"]) == 1
    feature = data["features"][0]
    assert feature["properties"] == {
        "title": "Offer: Spade to lend",
        "url": feature["properties"]["url"],
        "kind": "offer",
    }
    assert feature["geometry"]["coordinates"] != [-1.13456, 52.63123]
    assert client.get(reverse("exchange:map_layer") + "?bbox=nonsense").status_code == 400


def test_rss_and_jsonld_have_public_items_only(client):
    ItemFactory(title="Public <drill>")
    ItemFactory(title="Secret ladder", visibility=Visibility.MEMBERS)
    rss = client.get(reverse("exchange:feed"))
    assert rss.status_code == 200 and b"Public &lt;drill&gt;" in rss.content and b"Secret" not in rss.content
    data = json.loads(client.get(reverse("exchange:jsonld")).content)
    types = [n["@type"] for n in data["@graph"]]
    assert ["vf:Intent", "schema:Offer"] in types and "vf:Proposal" in types
    assert "Secret" not in json.dumps(data)


def test_more_with_more_and_noticeboard(client):
    from squaremile.directory.tests.factories import OrganisationFactory

    area = AreaFactory(lat=HOME[0], lng=HOME[1], half=0.05, slug="kettleby", name="Kettleby")
    org = OrganisationFactory(name="Kettleby Community Transport", area=area)
    org.resources.add(car())
    resident, helper = person(), person()
    want = services.item_create(by=resident, fields={
        "side": "want", "kind": "transport", "title": "Lift to the clinic", "resource": car(), "where": "point",
        "lat": HOME[0], "lng": HOME[1], "radius_m": 1609, "visibility": "public",
    })  # fmt: skip
    page = client.get(reverse("exchange:more", args=["kettleby"]))
    assert b"Asked for, never offered" in page.content and b"Kettleby Community Transport" in page.content
    services.item_promise(item=want, by=helper)
    services.item_done(item=want, by=resident)
    page = client.get(reverse("exchange:more", args=["kettleby"]))
    assert b'data-needs-met="1"' in page.content
    board = client.get(reverse("exchange:noticeboard", args=["kettleby"]))
    assert board.status_code == 200 and b"<svg" in board.content


def test_noticeboard_pdf(client):
    AreaFactory(lat=HOME[0], lng=HOME[1], half=0.05, slug="kettleby")
    ItemFactory(title="Ladder to lend")
    response = client.get(reverse("exchange:noticeboard_pdf", args=["kettleby"]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_lifecycle_buttons(client):
    owner, helper = person(), person()
    item = ItemFactory(owner=owner, side=Side.WANT)
    login(client, helper)
    client.post(reverse("exchange:promise", args=[item.pk]))
    item.refresh_from_db()
    assert item.status == Status.PROMISED and item.partner_id == helper.pk
    client.post(reverse("exchange:done", args=[item.pk]))
    login(client, owner)
    client.post(reverse("exchange:done", args=[item.pk]), {"thanks": "Thanks so much"})
    item.refresh_from_db()
    assert item.status == Status.DONE and item.thanks == "Thanks so much"
    assert client.post(reverse("exchange:withdraw", args=[item.pk])).status_code == 302


def test_alerts_page(client):
    me = person()
    login(client, me)
    response = client.post(reverse("exchange:alerts"), {"side": "offer", "what": f"r{car().pk}", "where": "mine",
                                                        "delivery": "immediate"})  # fmt: skip
    assert response.status_code == 302
    page = client.get(reverse("exchange:alerts"))
    assert b"Offers of Car or van within my square mile" in page.content


def test_api_list_post_and_errors(client, django_assert_max_num_queries):
    from squaremile.accounts import services as account_services

    me = person()
    _, key = account_services.api_token_create(user=me, by=me, name="t")
    for _ in range(4):
        ItemFactory()
    with django_assert_max_num_queries(4):
        listing = client.get(f"/api/v1/exchange/items?lat={HOME[0]}&lng={HOME[1]}&radius_m=2000")
    assert listing.status_code == 200 and listing.json()["count"] == 4
    headers = {"Authorization": f"Bearer {key}"}
    created = client.post("/api/v1/exchange/items", json.dumps({
        "side": "want", "title": "Need a ladder", "term": f"r{car().pk}", "lat": HOME[0], "lng": HOME[1]}),
        content_type="application/json", headers=headers)  # fmt: skip
    assert created.status_code == 201, created.content
    bad = client.post("/api/v1/exchange/items", json.dumps({"side": "want", "title": "x", "term": "zz"}),
                      content_type="application/json", headers=headers)  # fmt: skip
    assert bad.status_code == 400 and "terms" in bad.json()["errors"]
    matches = client.get(f"/api/v1/exchange/items/{created.json()['id']}/matches", headers=headers)
    assert matches.status_code == 200 and len(matches.json()) == 4
    assert client.get("/api/v1/exchange/items/99999999").status_code == 404


def test_password_constant_exists():
    assert PASSWORD


def test_reports_go_to_the_shared_queue_and_hide_the_item(client, settings):
    from squaremile.moderation import services as moderation

    settings.MODERATION_HIDE_AFTER_REPORTS = 2
    item = ItemFactory(title="Dodgy offer")
    for _ in range(2):
        moderation.report(user=person(), target=item, reason="spam")
    item.refresh_from_db()
    assert item.moderation == "hidden"
    assert b"Dodgy offer" not in client.get(reverse("exchange:list") + "?radius=").content
    moderator = person(role="moderator")
    login(client, moderator)
    queue = client.get(reverse("moderation:queue"))
    assert b"Dodgy offer" in queue.content


def test_item_page_queries_are_bounded(client, django_assert_max_num_queries):
    owner = person()
    want = ItemFactory(owner=owner, side=Side.WANT)
    for i in range(6):
        services.item_create(by=person(), fields={
            "side": "offer", "kind": "help", "title": f"Offer {i}", "resource": car(), "where": "point",
            "lat": HOME[0], "lng": HOME[1], "radius_m": 1609, "visibility": "public",
        }, check_rate=False)  # fmt: skip
    services.match_and_tell(item=want)
    login(client, owner)
    with django_assert_max_num_queries(25):
        page = client.get(want.get_absolute_url())
    assert page.content.count(b"ex-reason") == 6
