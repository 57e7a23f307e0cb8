"""The profile and "near me" on a phone (issue 13, points 6-7): a short profile form — the square
mile set by typing a place or tapping the map, skills and resources as chips found by typing — and
"near me" by place name, with and without JavaScript. Phone viewport (390x844, touch)."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from squaremile.directory.models import Skill
from squaremile.places.models import Place, PlaceKind
from squaremile.places.tests.factories import AreaFactory
from tests.browser.support import PHONE, a11y_report, assert_fits_the_screen, choose_place, make_organisation, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def places(transactional_db):
    town = AreaFactory(name="Hebden Bridge", slug="hebden-bridge", lat=53.742, lng=-2.012, half=0.02)
    Place.objects.create(name="Market Street", kind=PlaceKind.STREET, lat=53.7412, lng=-2.0140, context="Hebden Bridge")
    Place.objects.create(name="Market Place", kind=PlaceKind.STREET, lat=53.7500, lng=-2.0200, context="Heptonstall")
    Place.objects.create(name="HX7 8AD", kind=PlaceKind.POSTCODE, lat=53.7418, lng=-2.0117, context="Hebden Bridge")
    return town


def test_the_profile_form_is_short_and_quick_on_a_phone(phone_page, login, taxonomy, places):
    person = make_user(email="rosa@example.org")
    page = phone_page
    login(page, person)
    page.goto("/people/me/")
    height = page.evaluate("document.querySelector('form.profile-form').getBoundingClientRect().height")
    assert height < 2500, f"the profile form is {height:.0f} px tall on a phone (it was 7,800)"
    assert_fits_the_screen(page)

    # The square mile by postcode, typed with spaces or without.
    box = page.get_by_label("Where is your square mile?")
    expect(box).to_have_attribute("role", "combobox", timeout=30_000)  # the script is listening
    box.fill("hx78")
    suggestions = page.get_by_role("listbox", name="Places that match")
    expect(suggestions.get_by_role("option")).to_have_count(1, timeout=30_000)
    expect(box).to_have_attribute("aria-expanded", "true")
    report = a11y_report(page, "profile with place suggestions")
    assert not report, report
    suggestions.get_by_role("option", name=re.compile("^HX7 8AD")).tap()
    expect(page.get_by_label("Latitude")).to_have_value("53.741800")
    expect(page.locator(".minimap .leaflet-marker-icon")).to_have_count(1)  # the map shows the point
    if os.environ.get("SQUAREMILE_SCREENSHOTS"):
        page.get_by_role("heading", level=1).scroll_into_view_if_needed()
        page.wait_for_timeout(500)  # the map's tiles (blank here: no tile server) and marker settle
        page.screenshot(path=str(SCREENSHOTS / "profile-place-phone.png"))

    # Skills: type part of a name, tick it; the chosen ones become chips that can be removed.
    finder = page.locator("#field-skills").get_by_label("Type to find one")
    finder.fill("first aid")
    expect(page.locator("#field-skills [data-chips-status]")).to_have_text("2 matches.")
    page.locator("#field-skills").get_by_label("First aid", exact=True).check()
    finder.fill("bike rep")
    finder.press("Enter")  # the only match is ticked without sending the form
    chips = page.locator("#field-skills [data-chips-chosen] button")
    expect(chips).to_have_count(2)
    page.get_by_role("button", name="Remove Bike repair").tap()
    expect(chips).to_have_count(1)
    if os.environ.get("SQUAREMILE_SCREENSHOTS"):
        finder.fill("")
        page.get_by_role("button", name="Remove First aid").scroll_into_view_if_needed()
        page.screenshot(path=str(SCREENSHOTS / "profile-phone.png"))
    report = a11y_report(page, "profile with chips")
    assert not report, report
    page.get_by_role("button", name="Save profile").tap()
    expect(page.locator(".messages")).to_contain_text("Your profile is saved.")
    person.profile.refresh_from_db()
    assert (person.profile.lat, person.profile.lng) == (53.7418, -2.0117)
    assert list(person.profile.skills.values_list("name", flat=True)) == ["First aid"]


def test_without_javascript_the_place_is_looked_up_when_the_form_is_sent(new_context, login, taxonomy, places):
    person = make_user(email="sam@example.org")
    page = new_context(viewport=PHONE, java_script_enabled=False).new_page()
    login(page, person)
    page.goto("/people/me/")
    height = page.evaluate("document.querySelector('form.profile-form').getBoundingClientRect().height")
    assert height < 2600, f"the profile form is {height:.0f} px tall without JavaScript"
    # An ambiguous name is refused with the candidates named, and what was typed is kept.
    page.get_by_label("Where is your square mile?").fill("Market")
    page.locator("#field-skills").get_by_text("Browse all 112 by group").click()  # sections open without JavaScript
    page.get_by_text("Digital & media").click()
    page.get_by_label("Building websites", exact=True).check()
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_role("alert")).to_contain_text("Several places match: Market Place, Heptonstall; Market Street")
    expect(page.get_by_label("Where is your square mile?")).to_have_value("Market")
    expect(page.get_by_label("Building websites", exact=True)).to_be_checked()
    page.get_by_label("Where is your square mile?").fill("Market Street")
    page.get_by_role("button", name="Save profile").click()
    expect(page.locator(".messages")).to_contain_text("Your profile is saved.")
    person.profile.refresh_from_db()
    assert (person.profile.lat, person.profile.lng) == (53.7412, -2.014)
    assert Skill.objects.get(name="Building websites").people.filter(pk=person.profile.pk).exists()


def test_near_me_by_place_name(phone_page, new_context, places):
    owner = make_user(email="owner@example.org")
    make_organisation(by=owner, name="Calder Valley Library", lat=53.7419, lng=-2.0125)
    make_organisation(by=owner, name="Far Away Club", lat=51.5, lng=-0.1)
    page = phone_page
    page.goto("/areas/near/")
    choose_place(page, page.get_by_label("Place name or postcode"), "Hebden", "Hebden Bridge")
    # Choosing a place shows what is near it at once.
    expect(page.get_by_role("heading", name=re.compile("organisations? within"))).to_have_text(
        "1 organisation within 1.0 miles"
    )
    expect(page.locator("#main")).to_contain_text("Calder Valley Library")
    expect(page.get_by_label("Place name or postcode")).to_have_value(re.compile("^Hebden Bridge"))
    assert_fits_the_screen(page)
    report = a11y_report(page, "near me by place")
    assert not report, report

    # Without JavaScript: an ambiguous name offers the places it could mean, as links.
    nojs = new_context(viewport=PHONE, java_script_enabled=False).new_page()
    nojs.goto("/areas/near/")
    nojs.get_by_label("Place name or postcode").fill("market")
    nojs.get_by_role("button", name="Show what's near").click()
    expect(nojs.get_by_role("alert")).to_contain_text("Several places match")
    nojs.get_by_role("link", name="Market Street, Hebden Bridge", exact=True).click()
    expect(nojs.get_by_role("heading", name=re.compile("organisations? within"))).to_have_text(
        "1 organisation within 1.0 miles"
    )


def test_a_newcomer_finds_someone_near_who_can_do_first_aid(phone_page, login, taxonomy, places):
    from squaremile.core.models import Visibility

    first_aid = Skill.objects.get(name="First aid")
    helper = make_user(email="ada@example.org")
    profile = helper.profile
    profile.display_name, profile.lat, profile.lng = "Ada Helper", 53.7425, -2.0125
    profile.place_visibility = Visibility.MEMBERS
    profile.save()
    profile.skills.set([first_aid])
    page = phone_page
    login(page, make_user(email="new@example.org"))
    page.goto("/")
    page.get_by_role("button", name="Menu").tap()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="People").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("People who can help")
    page.get_by_label("Who can").select_option(label="First aid")
    choose_place(page, page.get_by_label("Near"), "hx7 8", "HX7 8AD")
    page.get_by_role("button", name="Find people").tap()
    results = page.locator("#main .results")
    expect(page.get_by_role("heading", name=re.compile("within"))).to_have_text("1 person within 1.0 miles")
    expect(results.get_by_role("link", name="Ada Helper")).to_be_visible()
    expect(results).to_contain_text("miles away")
    expect(results).to_contain_text("First aid")
    assert_fits_the_screen(page)
    report = a11y_report(page, "people who can")
    assert not report, report
    results.get_by_role("link", name="Ada Helper").tap()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ada Helper")
