"""Changing organisations: who may, and what the form does with bad input."""

import re

import pytest
from playwright.sync_api import expect

from squaremile.accounts.models import Role
from squaremile.directory.models import Organisation, Stream
from tests.browser.support import make_organisation, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def owner():
    return make_user(email="owner@example.org")


@pytest.fixture
def org(owner):
    return make_organisation(by=owner, name="Mytholm Allotments", stream=Stream.COMMUNITY, lat=53.74, lng=-2.01)


def test_owner_edits_their_organisation(page, login, owner, org):
    login(page, owner)
    page.goto(org.get_absolute_url())
    page.get_by_role("link", name="Edit", exact=True).click()
    expect(page).to_have_url(re.compile(r"/organisations/mytholm-allotments/edit/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit Mytholm Allotments")
    expect(page.get_by_label("Name")).to_have_value("Mytholm Allotments")
    page.get_by_label("Name").fill("Mytholm Allotment Society")
    page.get_by_label("Address").fill("Mytholm Lane")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"/organisations/mytholm-allotments/$"))  # the address stays put
    expect(page.get_by_role("heading", level=1)).to_have_text("Mytholm Allotment Society")
    expect(page.locator(".messages")).to_contain_text("Saved “Mytholm Allotment Society”.")
    expect(page.locator("dl.facts")).to_contain_text("Mytholm Lane")

    # And can delete it, after being asked.
    page.get_by_role("link", name="Delete", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete “Mytholm Allotment Society”?")
    page.get_by_role("button", name="Yes, delete it").click()
    expect(page).to_have_url(re.compile(r"/organisations/$"))
    expect(page.locator(".messages")).to_contain_text("Deleted “Mytholm Allotment Society”.")
    expect(page.locator("#results")).to_contain_text("0 organisations")
    assert not Organisation.objects.exists()


def test_another_member_cannot_edit(page, login, org):
    login(page, make_user(email="neighbour@example.org"))
    page.goto(org.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text("Mytholm Allotments")
    expect(page.get_by_role("link", name="Edit", exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name="Delete", exact=True)).to_have_count(0)
    response = page.goto(org.get_absolute_url() + "edit/")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("You can't do that here")
    response = page.goto(org.get_absolute_url() + "delete/")
    assert response.status == 403


def test_moderator_edits_anyones_organisation(page, login, org):
    login(page, make_user(email="mod@example.org", role=Role.MODERATOR))
    page.goto(org.get_absolute_url())
    page.get_by_role("link", name="Edit", exact=True).click()
    page.get_by_label("Which kind of actor is it?").select_option(label="Public body")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"/organisations/mytholm-allotments/$"))
    expect(page.locator(".tag")).to_have_text("Public body")
    org.refresh_from_db()
    assert org.stream == Stream.PUBLIC
    assert org.owner.email == "owner@example.org"  # a moderator's edit does not take the record over


def test_bad_input_is_explained_and_nothing_typed_is_lost(page, login, owner, taxonomy):
    login(page, owner)
    page.goto("/organisations/add/")
    page.get_by_label("Baking").check()
    page.get_by_label("Kitchen").check()
    page.get_by_label("Email").fill("bread@example.org")
    page.get_by_label("Who can see the contact details").select_option(label="Signed-in members")
    page.get_by_label("Which kind of actor is it?").select_option(label="Business")
    page.get_by_label(re.compile(r"^Type:?$")).select_option(label="Co-operative or mutual")
    page.get_by_label("Description").fill("Bread for the **whole street**.")
    page.get_by_label("Address").fill("2 Bridge Gate")
    page.get_by_label("Latitude").fill("200")
    page.get_by_label("Longitude").fill("-2.01")
    page.get_by_role("button", name="Save").click()

    # No name and an impossible latitude: both named in the summary, each linking to its field.
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading")).to_have_text("Please check the form")
    expect(summary.get_by_role("link", name=re.compile("^Name"))).to_have_attribute("href", "#id_name")
    expect(summary.get_by_role("link", name=re.compile("^Latitude.*90"))).to_have_attribute("href", "#id_lat")
    expect(page.locator("#field-name")).to_have_class(re.compile("has-error"))
    expect(page.get_by_label("Which kind of actor is it?")).to_have_value("business")
    expect(page.get_by_label(re.compile(r"^Type:?$"))).to_have_value("cooperative")
    expect(page.get_by_label("Description")).to_have_value("Bread for the **whole street**.")
    expect(page.get_by_label("Address")).to_have_value("2 Bridge Gate")
    expect(page.get_by_label("Latitude")).to_have_value("200")
    expect(page.get_by_label("Longitude")).to_have_value("-2.01")
    expect(page.get_by_label("Baking")).to_be_checked()
    expect(page.get_by_label("Kitchen")).to_be_checked()
    expect(page.get_by_label("Email")).to_have_value("bread@example.org")
    expect(page.get_by_label("Who can see the contact details")).to_have_value("members")
    # The summary's link takes the keyboard to the field.
    summary.get_by_role("link", name=re.compile("^Name")).click()
    expect(page.get_by_label("Name")).to_be_focused()

    # A name and a latitude, but no longitude: told to give both.
    page.get_by_label("Name").fill("Bridge Gate Bakery")
    page.get_by_label("Latitude").fill("53.74")
    page.get_by_label("Longitude").fill("")
    page.get_by_role("button", name="Save").click()
    expect(summary).to_contain_text("Give both latitude and longitude, or leave both empty.")
    expect(page.get_by_label("Name")).to_have_value("Bridge Gate Bakery")
    expect(page.get_by_label("Latitude")).to_have_value("53.74")
    expect(page.get_by_label("Description")).to_have_value("Bread for the **whole street**.")
    expect(page.get_by_label("Baking")).to_be_checked()
    assert not Organisation.objects.exists()

    # Put right, it saves.
    page.get_by_label("Longitude").fill("-2.01")
    page.get_by_role("button", name="Save").click()
    # (the fragment the summary link added to the address is kept through the redirect)
    expect(page).to_have_url(re.compile(r"/organisations/bridge-gate-bakery/(#id_name)?$"))
    expect(page.locator(".tag")).to_have_text("Business")
    expect(page.get_by_role("link", name="Baking")).to_be_visible()
    saved = Organisation.objects.get(slug="bridge-gate-bakery")
    assert (saved.lat, saved.lng, saved.contact_visibility) == (53.74, -2.01, "members")
    assert [r.name for r in saved.resources.all()] == ["Kitchen"]


def test_owner_sets_opening_hours_on_a_phone(phone_page, login, owner, org):
    """Time boxes for each day; a day with only one time is refused with the day named and
    nothing typed is lost; the page then shows the hours grouped in words."""
    from tests.browser.support import a11y_report, assert_fits_the_screen

    page = phone_page
    login(page, owner)
    page.goto(org.get_absolute_url() + "edit/")
    for day in ("Monday", "Tuesday"):
        page.get_by_label(f"{day}: opens at").fill("09:30")
        page.get_by_label(f"{day}: closes at").fill("15:00")
    page.get_by_label("Saturday: opens at").fill("10:00")  # and no closing time
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#field-opening_hours")).to_contain_text(
        "Saturday: give both the opening and the closing time, or neither."
    )
    expect(page.get_by_label("Monday: opens at")).to_have_value("09:30")
    expect(page.get_by_label("Saturday: opens at")).to_have_value("10:00")
    assert_fits_the_screen(page)
    assert not a11y_report(page, "organisation form with an error"), a11y_report(page, "organisation form")
    page.get_by_label("Saturday: closes at").fill("12:00")
    page.get_by_label("About the opening hours (optional)").fill("Ring the bell")
    page.get_by_role("button", name="Save").click()
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("Monday and Tuesday, 9:30 to 15:00")
    expect(facts).to_contain_text("Saturday, 10:00 to 12:00")
    expect(facts).to_contain_text("Ring the bell")
    expect(facts.locator(".open-status")).to_have_text(re.compile(r"^(Open|Closed) now$"))
    assert not a11y_report(page, "organisation page"), a11y_report(page, "organisation page")
    org.refresh_from_db()
    assert org.opening_hours == {"mo": ["09:30", "15:00"], "tu": ["09:30", "15:00"], "sa": ["10:00", "12:00"]}
