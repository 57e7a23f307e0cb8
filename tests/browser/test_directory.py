"""Reading the directory: filters (with and without JavaScript), "near me", and the API."""

import re

import pytest
from playwright.sync_api import expect

from squaremile.directory.models import Organisation, Stream
from squaremile.places.tests.factories import AreaFactory
from tests.browser.support import make_organisation, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def directory():
    """Three organisations in three streams around Hebden Bridge, and one far away in York."""
    owner = make_user(email="keeper@example.org")
    area = AreaFactory(name="Hebden Bridge", slug="hebden-bridge", lat=53.742, lng=-2.012, half=0.02)
    orgs = {
        "garden": make_organisation(
            by=owner,
            name="Hebden Community Garden",
            stream=Stream.COMMUNITY,
            lat=53.742,
            lng=-2.012,
            description="Raised beds, a **polytunnel** and tea on Saturdays.",
        ),
        "library": make_organisation(
            by=owner, name="Calder Valley Library", stream=Stream.PUBLIC, lat=53.745, lng=-2.015
        ),
        "cafe": make_organisation(by=owner, name="Bridge Mill Cafe", stream=Stream.BUSINESS, lat=53.75, lng=-2.02),
        "york": make_organisation(by=owner, name="York Food Bank", stream=Stream.COMMUNITY, lat=53.96, lng=-1.08),
    }
    return {"owner": owner, "area": area, **orgs}


def _result_names(page):
    return page.locator("#results .results h3").all_inner_texts()


def test_filter_by_stream_updates_the_list_in_place(page, directory):
    page.goto("/organisations/")
    expect(page.locator("#results .results > li")).to_have_count(4)
    page.evaluate("window.__notReloaded = true")

    with page.expect_response(re.compile(r"/organisations/\?.*stream=public")) as answer:
        page.get_by_label("Stream").select_option(label="Public body")
    assert answer.value.request.headers.get("hx-request") == "true"
    expect(page.locator("#results .results > li")).to_have_count(1)
    assert _result_names(page) == ["Calder Valley Library"]
    expect(page).to_have_url(re.compile(r"stream=public"))
    assert page.evaluate("window.__notReloaded") is True, "the filter reloaded the whole page"

    page.get_by_label("Stream").select_option(label="Community and voluntary")
    expect(page.locator("#results .results > li")).to_have_count(2)
    assert sorted(_result_names(page)) == ["Hebden Community Garden", "York Food Bank"]

    # Typing in the search box narrows the list as you type.
    page.locator("form.filters").get_by_label("Search").fill("garden")
    expect(page.locator("#results .results > li")).to_have_count(1)
    assert _result_names(page) == ["Hebden Community Garden"]
    expect(page).to_have_url(re.compile(r"q=garden"))

    # The address bar holds the filters: reloading shows the same list.
    page.reload()
    expect(page.get_by_label("Stream")).to_have_value("community")
    assert _result_names(page) == ["Hebden Community Garden"]


def test_search_page_answers_as_you_type(page, directory):
    page.goto("/search/")
    results = page.locator("#search-results")
    page.get_by_label("Search for").fill("gardn")  # a letter missing
    expect(results.get_by_role("link", name="Hebden Community Garden")).to_be_visible()
    expect(results).to_contain_text("close match")
    expect(page).to_have_url(re.compile(r"/search/\?q=gardn"))
    # Choosing where to look updates the results too.
    page.get_by_label("Look in").select_option(label="Projects")
    expect(results).to_contain_text("Nothing found for “gardn”")
    expect(page).to_have_url(re.compile(r"kind=project"))


def test_reading_works_without_javascript(nojs_page, directory):
    page = nojs_page
    page.goto("/organisations/")
    expect(page.locator("#results .results > li")).to_have_count(4)
    page.get_by_label("Stream").select_option(label="Business")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"/organisations/\?.*stream=business"))
    assert _result_names(page) == ["Bridge Mill Cafe"]

    page.get_by_label("Stream").select_option(label="Community and voluntary")
    page.get_by_role("button", name="Show").click()
    page.locator("#results").get_by_role("link", name="Hebden Community Garden").click()
    expect(page).to_have_url(re.compile(r"/organisations/hebden-community-garden/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Hebden Community Garden")
    expect(page.locator(".prose strong")).to_have_text("polytunnel")
    # Without the map the place is still there as text.
    expect(page.locator("figcaption")).to_contain_text("53.74200, -2.01200")
    page.locator("dl.facts").get_by_role("link", name="Hebden Bridge").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hebden Bridge")
    expect(page.locator("#main .results")).to_contain_text("Calder Valley Library")

    # The header search is a plain form too.
    page.get_by_role("search").get_by_label("Search").fill("library")
    page.get_by_role("search").get_by_role("button", name="Search").click()
    expect(page.locator("#search-results").get_by_role("link", name="Calder Valley Library")).to_be_visible()


def test_near_me_with_typed_coordinates(page, directory):
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Near me").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What's near me")
    page.get_by_text("Type the coordinates instead").click()
    page.get_by_label("Latitude").fill("53.742")
    page.get_by_label("Longitude").fill("-2.012")
    page.get_by_label("Within").select_option(label="1 mile")
    page.get_by_role("button", name="Show what's near").click()

    expect(page).to_have_url(re.compile(r"/areas/near/\?.*radius=1609&lat=53.742&lng=-2.012"))
    expect(page.get_by_role("heading", name=re.compile(r"organisations? within"))).to_have_text(
        "3 organisations within 1.0 miles"
    )
    names = page.locator("#main .results").first.locator("h3").all_inner_texts()
    assert names == ["Hebden Community Garden", "Calder Valley Library", "Bridge Mill Cafe"]  # nearest first
    expect(page.locator("#main")).not_to_contain_text("York Food Bank")
    expect(page.locator("#main")).to_contain_text("This point is in Hebden Bridge.")
    # The typed values stay in the form.
    expect(page.get_by_label("Latitude")).to_have_value("53.742")

    # A latitude off the globe is explained.
    page.get_by_label("Latitude").fill("200")
    page.get_by_role("button", name="Show what's near").click()
    expect(page.get_by_role("alert")).to_contain_text("Latitude")


def test_near_me_from_the_browsers_location(new_context, directory):
    context = new_context(geolocation={"latitude": 53.7421, "longitude": -2.0121}, permissions=["geolocation"])
    page = context.new_page()
    page.goto("/areas/near/")
    page.get_by_role("button", name="Use my location").click()
    expect(page).to_have_url(re.compile(r"/areas/near/\?.*radius=1609&lat=53\.7421\d*&lng=-2\.0121\d*$"))
    expect(page.get_by_role("heading", name=re.compile(r"organisations? within"))).to_have_text(
        "3 organisations within 1.0 miles"
    )


def test_api_token_is_shown_once_and_writes_through_the_api(page, login, live_server, directory):
    login(page, directory["owner"])
    page.goto("/people/me/")
    page.get_by_role("link", name="API tokens").click()
    page.get_by_label("What is this token for?").fill("Our website")
    page.get_by_role("button", name="Make token").click()
    token = page.locator("#new-token").inner_text().strip()
    assert token.startswith("sqm_")
    expect(page.locator("table")).to_contain_text("Our website")

    api = live_server.url + "/api/v1/organisations"
    refused = page.request.post(api, data={"name": "Nope"}, headers={"Authorization": "Bearer sqm_wrong"})
    assert refused.status == 401, refused.text()
    created = page.request.post(
        api,
        data={"name": "Todmorden Repair Cafe", "stream": "community", "lat": 53.743, "lng": -2.013},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert created.status == 201, created.text()
    body = created.json()
    assert body["slug"] == "todmorden-repair-cafe"
    assert body["area"] == "hebden-bridge"
    assert Organisation.objects.get(slug="todmorden-repair-cafe").owner == directory["owner"]

    # The token is not shown again; the new organisation is in the directory.
    page.goto("/people/me/tokens/")
    expect(page.locator("#new-token")).to_have_count(0)
    expect(page.locator("body")).not_to_contain_text(token)
    page.goto("/organisations/")
    expect(page.locator("#results").get_by_role("link", name="Todmorden Repair Cafe")).to_be_visible()
    page.get_by_role("search").get_by_label("Search").fill("repair cafe")
    page.get_by_role("search").get_by_label("Search").press("Enter")
    expect(page.locator("#search-results").get_by_role("link", name="Todmorden Repair Cafe")).to_be_visible()


def test_maps_work_without_reaching_the_tile_server(page, login, directory):
    blocked = []
    page.on("requestfailed", lambda request: blocked.append((request.url, request.failure)))
    page.goto(directory["garden"].get_absolute_url())
    expect(page.locator(".minimap.leaflet-container")).to_be_visible()
    expect(page.locator(".minimap .leaflet-marker-icon")).to_have_count(1)
    expect(page.locator(".minimap img.leaflet-tile").first).to_be_attached()
    page.wait_for_load_state("networkidle")
    tiles = [(url, failure) for url, failure in blocked if "tile.openstreetmap.org" in url]
    assert tiles, "the map asked for no tiles"
    assert all("ERR_BLOCKED_BY_CLIENT" in (failure or "") for _, failure in tiles), tiles

    # On a form, tapping the map fills in the point and drops a marker there.
    login(page, directory["owner"])
    page.goto("/organisations/add/")
    expect(page.locator(".minimap .leaflet-marker-icon")).to_have_count(0)
    page.locator(".minimap").click()
    expect(page.get_by_label("Latitude")).to_have_value(re.compile(r"^53\.\d+$"))
    expect(page.get_by_label("Longitude")).to_have_value(re.compile(r"^-1\.\d+$"))
    expect(page.locator(".minimap .leaflet-marker-icon")).to_have_count(1)
