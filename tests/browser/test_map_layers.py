"""Another app's layer on the community map, switched on by a person on a phone (mapping/layers.py)."""

import json

import pytest
from playwright.sync_api import expect

from squaremile.mapping import layers
from tests.browser.support import PHONE, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def things_layer():
    layers.register_layer(
        layers.MapLayer(key="things", label="Things", url=lambda: "/test-layer/things/", colour="#7b3fa0")
    )
    yield
    layers._layers.pop("things")


def test_a_layer_switched_on_draws_its_records_and_their_links_stay_text(new_context, live_server, things_layer):
    page = new_context(viewport=PHONE).new_page()
    asked = []

    def answer(route):
        asked.append(route.request.url)
        body = {
            "type": "FeatureCollection",
            "features": [
                layers.feature(
                    lat=53.8, lng=-1.55, title="<img src=x onerror=alert(1)>A story", url="/stories/1/", kind="Story"
                ),
                layers.feature(lat=53.801, lng=-1.551, title="Evil", url="javascript:alert(2)", kind="Story"),
            ],
        }
        route.fulfill(status=200, content_type="application/json", body=json.dumps(body))

    page.route(live_server.url + "/test-layer/things/**", answer)
    page.goto("/map/?lat=53.8&lng=-1.55&zoom=15")
    switch = page.get_by_label("Things")
    expect(switch).to_be_visible()
    switch.check()
    wait_until(page, "document.querySelectorAll('.leaflet-interactive').length >= 2")
    assert asked and "bbox=" in asked[-1]
    expect(page.locator("#cm-layers-status")).to_contain_text("Things: 2 in view")
    assert "layers=things" in page.url
    page.locator("path.leaflet-interactive").first.dispatch_event("click")
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_be_visible()
    assert popup.locator("img").count() == 0
    hrefs = [a.get_attribute("href") for a in page.locator(".leaflet-popup-content a").all()]
    assert all(h in ("/stories/1/", "#") for h in hrefs)
    switch.uncheck()
    wait_until(page, "document.querySelectorAll('path.leaflet-interactive').length === 0")
    assert "layers=" not in page.url
