"""The community map's "Groups" layer on a phone (390x844): `/map/?layers=groups` asks
`/groups/map.geojson?bbox=…` for the groups whose area's centre is in view, draws a marker for each,
and the marker's popup links to the group. A private group never shows, not even to its own members
(the map is public)."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from squaremile.conversations.models import Access
from squaremile.conversations.tests import factories
from squaremile.places.tests.factories import AreaFactory
from tests.browser.support import PHONE, a11y_report, assert_fits_the_screen, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_groups_layer_on_a_phone_links_to_the_group_and_hides_private_ones(new_context, login, transactional_db):
    growers = factories.group(name="Riverside growers", area=AreaFactory(name="Riverside", lat=53.8, lng=-1.55))
    tenants = factories.group(
        name="Quarry tenants", access=Access.PRIVATE, area=AreaFactory(name="Quarry", lat=53.803, lng=-1.547)
    )
    member_of_private = factories.member(tenants)

    phone = new_context(viewport=PHONE).new_page()
    login(phone, member_of_private)
    layer_url = reverse("conversations:map_layer")
    with phone.expect_response(lambda r: layer_url in r.url and "bbox=" in r.url) as answered:
        phone.goto("/map/?layers=groups&lat=53.8&lng=-1.55&zoom=14")
    body = answered.value.json()
    assert [f["properties"]["title"] for f in body["features"]] == ["Riverside growers"]

    expect(phone.get_by_label("Groups")).to_be_checked()
    expect(phone.locator("#cm-layers-status")).to_contain_text("Groups: 1 in view")
    wait_until(phone, "document.querySelectorAll('path.leaflet-interactive').length === 1")
    assert phone.get_by_text("Quarry tenants").count() == 0
    assert_fits_the_screen(phone)
    assert a11y_report(phone, "map with the groups layer") == ""

    marker = phone.locator("path.leaflet-interactive").first
    box = marker.bounding_box()
    assert box and 0 <= box["x"] <= PHONE["width"] and 0 <= box["y"] <= PHONE["height"], "the marker is on screen"
    marker.dispatch_event("click")
    link = phone.locator(".leaflet-popup-content").get_by_role("link", name="Riverside growers")
    expect(link).to_have_attribute("href", growers.get_absolute_url())
    link.click()
    expect(phone.get_by_role("heading", level=1, name="Riverside growers")).to_be_visible()
    assert phone.url.endswith(growers.get_absolute_url())
