"""Several skills and resources on one item, or none: matching on any shared term, words alone for
items without one; forms, API and open data carry the list; willing people without a square mile."""

import json

import pytest
from django.urls import reverse

from squaremile.core.models import Visibility
from squaremile.exchange import jsonld, matching, services
from squaremile.exchange.models import Ask, Item, ItemKey, Match, Side, Where
from squaremile.exchange.tests.factories import HOME, ItemFactory, car, person, skill
from squaremile.notifications.models import Notification

pytestmark = pytest.mark.django_db

WANT = {
    "side": Side.WANT, "kind": "help", "where": Where.POINT, "lat": HOME[0], "lng": HOME[1], "radius_m": 1609,
    "visibility": Visibility.PUBLIC,
}  # fmt: skip


def test_any_shared_term_matches_and_the_reason_names_it():
    first_aid = skill("first-aid")
    by_car = ItemFactory(side=Side.OFFER, title="Roof box", terms=[car()], lat=HOME[0] + 0.002)
    by_aid = ItemFactory(side=Side.OFFER, title="Trained first aider", terms=[first_aid], lat=HOME[0] + 0.003)
    other = ItemFactory(side=Side.OFFER, title="Something else", terms=[skill("childcare")])
    want = services.item_create(
        by=person(), fields={**WANT, "title": "Trip to the coast", "skills": [first_aid], "resources": [car()]}
    )
    assert set(want.terms) == {f"s{first_aid.pk}", f"r{car().pk}"}
    found = {f.item.pk: f for f in matching.find_matches(want)}
    assert set(found) == {by_car.pk, by_aid.pk} and other.pk not in found
    assert found[by_car.pk].reason.startswith("offers Car or van · 0.1 miles away")
    assert found[by_aid.pk].reason.startswith("offers First aid ·")
    assert Match.objects.filter(want=want).count() == 2
    assert {f.item.pk for f in matching.baseline_matches(want)} == set(found)


def test_without_a_term_the_words_match_and_rank_below_a_term():
    ladder_tagged = ItemFactory(side=Side.OFFER, title="Long ladder to lend", terms=[car()], lat=HOME[0] + 0.001)
    ladder_free = ItemFactory(side=Side.OFFER, title="Ladders, any height", terms=[], lat=HOME[0] + 0.002)
    unrelated = ItemFactory(side=Side.OFFER, title="Sewing machine", terms=[], lat=HOME[0] + 0.001)
    want = services.item_create(by=person(), fields={**WANT, "title": "Need a ladder for the gutters"})
    assert want.terms == [] and want.what_label == ""
    assert ItemKey.objects.filter(item=want, key="w:ladder", tagged=False).exists()
    found = matching.find_matches(want)
    assert [f.item.pk for f in found] == [ladder_tagged.pk, ladder_free.pk] or [f.item.pk for f in found] == [
        ladder_free.pk,
        ladder_tagged.pk,
    ]
    assert unrelated.pk not in {f.item.pk for f in found}
    assert all("mentions ladder" in f.reason for f in found)
    assert {f.item.pk for f in matching.baseline_matches(want)} == {f.item.pk for f in found}


def test_two_items_with_different_terms_do_not_match_on_words_alone():
    ItemFactory(side=Side.OFFER, title="Ladder and van for moving", terms=[car()])
    want = services.item_create(
        by=person(), fields={**WANT, "title": "Ladder lessons for climbing", "skills": [skill("first-aid")]}
    )
    assert matching.find_matches(want) == []


def test_editing_replaces_the_terms_and_the_keys():
    owner = person()
    want = services.item_create(by=owner, fields={**WANT, "title": "Lift to town", "resources": [car()]})
    services.item_update(item=want, by=owner, fields={"skills": [skill("first-aid")], "resources": []})
    want = Item.objects.get(pk=want.pk)
    assert want.terms == [f"s{skill('first-aid').pk}"]
    keys = set(ItemKey.objects.filter(item=want).values_list("key", flat=True))
    assert f"s{skill('first-aid').pk}" in keys and f"r{car().pk}" not in keys and "w:town" in keys
    # an edit that does not name the terms keeps them
    services.item_update(item=want, by=owner, fields={"title": "Lift to the market"})
    assert Item.objects.get(pk=want.pk).terms == [f"s{skill('first-aid').pk}"]
    assert ItemKey.objects.filter(item=want, key="w:market").exists()


def test_at_most_five_terms():
    from django.core.exceptions import ValidationError

    from squaremile.directory.models import Skill

    with pytest.raises(ValidationError):
        services.item_create(by=person(), fields={**WANT, "title": "Many", "skills": list(Skill.objects.all()[:6])})


def test_form_api_and_open_data_carry_several_terms(client):
    from datetime import timedelta

    from django.utils import timezone

    from squaremile.accounts import services as account_services
    from squaremile.exchange.tests.test_views import login

    me = person(date_joined=timezone.now() - timedelta(days=60))  # past the newcomers' limit
    login(client, me)
    first_aid = skill("first-aid")
    response = client.post(reverse("exchange:create"), {
        "side": "offer", "title": "Driver and first aider", "what": [f"r{car().pk}", f"s{first_aid.pk}"],
        "kind": "help", "where": "mine", "radius_m": "1609", "visibility": "public",
    })  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:3000]
    item = Item.objects.get(owner=me)
    assert set(item.terms) == {f"r{car().pk}", f"s{first_aid.pk}"}
    page = client.get(item.get_absolute_url())
    assert b"Car or van" in page.content and b"First aid" in page.content
    edit = client.get(reverse("exchange:edit", args=[item.pk]))
    assert edit.content.count(b"selected") >= 2
    # without any term: allowed
    response = client.post(reverse("exchange:create"), {
        "side": "want", "title": "Someone to water plants", "kind": "help", "where": "mine", "radius_m": "1609",
        "visibility": "public",
    })  # fmt: skip
    assert response.status_code == 302
    _, key = account_services.api_token_create(user=me, by=me, name="t")
    headers = {"Authorization": f"Bearer {key}"}
    created = client.post("/api/v1/exchange/items", json.dumps({
        "side": "want", "title": "Lift and a plaster", "terms": [f"r{car().pk}", f"s{first_aid.pk}"],
        "lat": HOME[0], "lng": HOME[1]}), content_type="application/json", headers=headers)  # fmt: skip
    assert created.status_code == 201, created.content
    assert sorted(created.json()["what"]) == ["Car or van", "First aid"]
    words_only = client.post("/api/v1/exchange/items", json.dumps({
        "side": "want", "title": "Plant watering", "lat": HOME[0], "lng": HOME[1]}),
        content_type="application/json", headers=headers)  # fmt: skip
    assert words_only.status_code == 201 and words_only.json()["what"] == []
    too_many = client.post("/api/v1/exchange/items", json.dumps({
        "side": "want", "title": "x", "terms": ["s1", "s2", "s3", "s4", "s5", "s6"], "where": "anywhere"}),
        content_type="application/json", headers=headers)  # fmt: skip
    assert too_many.status_code in (400, 422) and too_many.status_code != 500
    graph = jsonld.export(base="https://example.org")["@graph"]
    intent = next(n for n in graph if n.get("schema:name") == "Driver and first aider")
    assert sorted(intent["vf:resourceClassifiedAs"]) == ["Car or van", "First aid"]


def test_willing_people_without_a_square_mile_are_asked_in_their_local_home_area():
    from squaremile.places.tests.factories import AreaFactory

    county = AreaFactory(name="Shire", kind="county", lat=HOME[0], lng=HOME[1], half=0.5)
    village = AreaFactory(name="Kettleby", kind="village", lat=HOME[0], lng=HOME[1], half=0.02, parent=county)
    lives_here = person(email="here@example.org", resources=[car()])
    in_county = person(email="county@example.org", resources=[car()])
    nowhere = person(email="nowhere@example.org", resources=[car()])
    for who, area in ((lives_here, village), (in_county, county), (nowhere, None)):
        who.profile.lat = who.profile.lng = None
        who.profile.home_area = area
        who.profile.save()
    want = services.item_create(by=person(), fields={**WANT, "title": "Lift to the clinic", "resources": [car()]})
    assert want.area_id == village.pk
    asked = Ask.objects.filter(item=want)
    assert list(asked.values_list("person__email", flat=True)) == ["here@example.org"]
    assert "in Kettleby, where you live" in asked.get().reason
    assert Notification.objects.filter(recipient=lives_here, kind="exchange.asked").count() == 1
    # an "online or anywhere" want reaches willing people wherever they are, located or not
    online = services.item_create(
        by=person(), fields={**WANT, "title": "Advice on a car", "where": Where.ANYWHERE, "resources": [car()]}
    )
    assert set(Ask.objects.filter(item=online).values_list("person__email", flat=True)) >= {
        "here@example.org",
        "county@example.org",
        "nowhere@example.org",
    }


def test_my_wants_and_offers_are_paginated(client):
    from squaremile.exchange.tests.test_views import login

    me = person()
    for i in range(23):
        ItemFactory(owner=me, title=f"Mine number {i:02d}")
    login(client, me)
    first = client.get(reverse("exchange:mine"))
    assert first.status_code == 200 and first.content.count(b"Mine number") == 20
    assert b"Page 1 of 2" in first.content
    second = client.get(reverse("exchange:mine") + "?page=2")
    assert second.content.count(b"Mine number") == 3 and b"Mine number 00" in second.content
    assert client.get(reverse("exchange:mine") + "?page=zz").status_code == 200
