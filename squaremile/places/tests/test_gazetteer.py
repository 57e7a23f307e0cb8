"""The gazetteer: a place name or postcode typed instead of a point tapped (issue 13, point 7)."""

import pytest
from django.urls import reverse

from squaremile.places.forms import NearForm
from squaremile.places.models import Place, PlaceKind, lookup_key
from squaremile.places.selectors import lookup_places, resolve_place
from squaremile.places.tests.factories import AreaFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def gazetteer():
    AreaFactory(name="Hebden Bridge", slug="hebden-bridge", lat=53.742, lng=-2.012)
    AreaFactory(name="Old Town", slug="old-town", lat=53.75, lng=-2.02)
    rows = [
        ("Market Street", PlaceKind.STREET, 53.7412, -2.014, "Hebden Bridge"),
        ("Market Place", PlaceKind.STREET, 53.75, -2.02, "Heptonstall"),
        ("HX7 8AD", PlaceKind.POSTCODE, 53.7418, -2.0117, "Hebden Bridge"),
        ("Old Town Park", PlaceKind.LANDMARK, 53.751, -2.021, "Old Town"),
        ("St. Mary's Road", PlaceKind.STREET, 53.74, -2.01, "Hebden Bridge"),
    ]
    for name, kind, lat, lng, context in rows:
        Place.objects.create(name=name, kind=kind, lat=lat, lng=lng, context=context)


def test_names_match_whatever_the_spacing_punctuation_and_case():
    assert lookup_key("St. Mary's Rd") == "stmarysrd"
    assert lookup_key(" hx7  8ad ") == lookup_key("HX78AD") == "hx78ad"


def test_lookup_puts_exact_names_first_then_areas_then_shorter_names(gazetteer):
    assert [m.label for m in lookup_places("hx78")] == ["HX7 8AD, Hebden Bridge"]
    assert [m.label for m in lookup_places("st marys")] == ["St. Mary's Road, Hebden Bridge"]
    assert [m.name for m in lookup_places("old town")] == ["Old Town", "Old Town Park"]  # exact area first
    assert [m.name for m in lookup_places("market")] == ["Market Place", "Market Street"]
    assert lookup_places("m") == [] and lookup_places("  ") == [] and lookup_places("zzz") == []


def test_resolve_takes_an_exact_or_only_match_and_names_the_candidates_otherwise(gazetteer):
    match, _ = resolve_place("Market Street")
    assert (match.lat, match.lng) == (53.7412, -2.014)
    match, _ = resolve_place("hx7 8")  # the only one that starts so
    assert match.name == "HX7 8AD"
    match, candidates = resolve_place("Market")
    assert match is None and [c.name for c in candidates] == ["Market Place", "Market Street"]
    assert resolve_place("Nowhere") == (None, [])


def test_the_lookup_stays_a_couple_of_queries(gazetteer, django_assert_max_num_queries):
    for i in range(200):
        Place.objects.create(name=f"Mill Lane {i}", kind=PlaceKind.STREET, lat=53.7, lng=-2.0)
    with django_assert_max_num_queries(2):
        found = lookup_places("mill lane", limit=8)
    assert len(found) == 8


def test_the_api_answers_json_and_refuses_an_empty_query(client, gazetteer):
    response = client.get(reverse("api:search_places"), {"q": "Hebden"})
    assert response.status_code == 200
    first = response.json()[0]
    assert first["label"] == "Hebden Bridge" and first["kind"] == "neighbourhood" and first["zoom"] == 15
    assert {"lat", "lng", "kind_label", "context", "name"} <= set(first)
    refused = client.get(reverse("api:search_places"), {"q": ""})
    assert refused.status_code == 400 and "message" in refused.json()
    hostile = client.get(reverse("api:search_places"), {"q": "<script>alert(1)</script>"})
    assert hostile.status_code == 200 and hostile.json() == []


def test_near_me_form_finds_the_point_from_a_place_name(gazetteer):
    form = NearForm({"place": "hx7 8ad", "radius": "1609"})
    assert form.is_valid(), form.errors
    assert (form.cleaned_data["lat"], form.cleaned_data["lng"]) == (53.7418, -2.0117)
    typed = NearForm({"place": "Market", "lat": "53.1", "lng": "-2.1", "radius": "1609"})
    assert typed.is_valid() and typed.cleaned_data["lat"] == 53.1  # a point given wins over the name
    ambiguous = NearForm({"place": "Market", "radius": "1609"})
    assert not ambiguous.is_valid()
    assert (
        "Several places match: Market Place, Heptonstall; Market Street, Hebden Bridge" in ambiguous.errors["place"][0]
    )
    assert [c.name for c in ambiguous.place_candidates] == ["Market Place", "Market Street"]


def test_near_me_page_by_place_name_and_its_did_you_mean_links(client, gazetteer):
    found = client.get(reverse("places:near"), {"place": "Market Street", "radius": "1609"})
    assert found.status_code == 200 and "organisations within" in found.content.decode()
    ambiguous = client.get(reverse("places:near"), {"place": "Market", "radius": "3219"})
    assert ambiguous.status_code == 400
    html = ambiguous.content.decode()
    assert "Did you mean" in html
    assert "?lat=53.741200&amp;lng=-2.014000&amp;place=Market%20Street%2C%20Hebden%20Bridge&amp;radius=3219" in html


def test_profile_form_sets_the_square_mile_from_a_place_name(client, gazetteer):
    from squaremile.accounts.tests.factories import UserFactory

    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("accounts:profile_edit"),
        {"place": "HX7 8AD", "radius_m": "1609", "willingness": "2", "profile_visibility": "members",
         "place_visibility": "nobody", "skills_visibility": "members"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    user.profile.refresh_from_db()
    assert (user.profile.lat, user.profile.lng) == (53.7418, -2.0117)
