"""The newcomer flow, on a phone: a newcomer signs up, verifies, fills the profile, adds an
organisation, finds it by search, sees it on its area's page."""

import re
import time

import pytest
from playwright.sync_api import expect

from squaremile.accounts.models import User
from squaremile.directory.models import Organisation, Skill
from squaremile.places.tests.factories import AreaFactory
from tests.browser.support import assert_fits_the_screen, choose_place, confirmation_link

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL = "newcomer@example.org"
PASSWORD = "a-brand-new-secret-9"


def test_newcomer_signs_up_and_puts_their_group_on_the_map(phone_page, live_server, mailoutbox, taxonomy):
    page = phone_page
    area = AreaFactory(name="Todmorden Centre", slug="todmorden-centre", lat=53.71, lng=-2.10, half=0.02)
    skill = Skill.objects.get(name="Community organising")
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    # Sign up.
    page.goto("/")
    assert_fits_the_screen(page)
    page.get_by_role("button", name="Menu").click()  # on a phone the header's links are behind it
    page.get_by_role("link", name="Join", exact=True).click()
    expect(page).to_have_url(re.compile(r"/accounts/signup/$"))
    assert_fits_the_screen(page)
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Join").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Verify your email address", re.I))

    # Verify: the confirmation email leads back to the site.
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [EMAIL]
    link = confirmation_link(message)
    assert link.startswith(live_server.url)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()
    # Confirming logs the newcomer in and takes them to their profile.
    expect(page).to_have_url(re.compile(r"/people/me/$"))
    assert User.objects.get(email=EMAIL).emailaddress_set.get().verified

    # Fill the profile: the square mile by typing a place, five skills by typing their names, in
    # under a minute (issue 13: it was a 7,800 px form of checkboxes and coordinates).
    started = time.monotonic()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your profile")
    choose_place(page, page.get_by_label("Where is your square mile?"), "Todmor", "Todmorden Centre")
    expect(page.locator("[data-place-status]")).to_contain_text("Chosen: Todmorden Centre")
    assert page.get_by_label("Latitude").input_value().startswith("53.71")  # filled in from the place
    finder = page.locator("#field-skills").get_by_label("Type to find one")
    five = [skill.name, "First aid", "Cooking for groups", "Community gardening", "Bike repair"]
    for name in five:
        finder.fill(name)
        page.locator("#field-skills").get_by_label(name, exact=True).check()
    chips = page.locator("#field-skills [data-chips-chosen] button")
    expect(chips).to_have_count(5)
    page.get_by_label("Your name as others see it").fill("Nia Newcomer")
    page.get_by_label("Short bio").fill("New to the valley; I like *growing things*.")
    page.get_by_label("How far does your square mile reach?").select_option(label="2 miles")
    page.get_by_role("button", name="Save profile").click()
    expect(page.locator(".messages")).to_contain_text("Your profile is saved.")
    assert time.monotonic() - started < 60
    expect(page.get_by_label("Your name as others see it")).to_have_value("Nia Newcomer")
    expect(chips).to_have_count(5)
    profile = User.objects.get(email=EMAIL).profile
    assert sorted(profile.skills.values_list("name", flat=True)) == sorted(five)
    assert abs(profile.lat - area.centroid_lat) < 1e-6 and abs(profile.lng - area.centroid_lng) < 1e-6
    page.get_by_role("button", name="Menu").click()
    expect(page.get_by_role("navigation", name="Your account")).to_contain_text("Nia Newcomer")
    assert_fits_the_screen(page)

    # Add an organisation, with markdown and a script tag in its description.
    page.goto("/organisations/add/")
    page.get_by_label("Name").fill("Todmorden Seed Swap")
    page.get_by_label("Which kind of actor is it?").select_option(label="Community and voluntary")
    page.get_by_label(re.compile(r"^Type:?$")).select_option(label="Informal group")
    page.get_by_label("Description").fill(
        "We **swap seeds** every spring.\n\n- bring seeds\n- take seeds\n\n<script>alert('owned')</script>"
    )
    page.get_by_label("Latitude").fill("53.7105")
    page.get_by_label("Longitude").fill("-2.0995")
    page.get_by_role("button", name="Save").click()

    # Land on the organisation's page: markdown rendered, the script shown as text and never run.
    expect(page).to_have_url(re.compile(r"/organisations/todmorden-seed-swap/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Todmorden Seed Swap")
    expect(page.locator(".messages")).to_contain_text("Saved “Todmorden Seed Swap”.")
    prose = page.locator(".prose")
    expect(prose.locator("strong")).to_have_text("swap seeds")
    expect(prose.locator("li")).to_have_count(2)
    expect(prose).to_contain_text("<script>alert('owned')</script>")
    expect(page.locator(".prose script")).to_have_count(0)
    assert_fits_the_screen(page)
    expect(page.get_by_role("link", name="Todmorden Centre").first).to_be_visible()
    org = Organisation.objects.get(slug="todmorden-seed-swap")
    assert org.area_id == area.pk
    assert org.owner.email == EMAIL

    # Find it from the header search box (in the menu, on a phone), with a letter missing from the name.
    page.get_by_role("button", name="Menu").click()
    search = page.get_by_role("search").get_by_label("Search")
    search.fill("Todmorden Sed Swap")
    search.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=Todmorden\+Sed\+Swap"))
    result = page.locator("#search-results").get_by_role("link", name="Todmorden Seed Swap")
    expect(result).to_be_visible()
    assert_fits_the_screen(page)

    # Its area's page lists it.
    page.goto(f"/areas/{area.slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Todmorden Centre")
    assert_fits_the_screen(page)
    expect(page.locator("#main .results").get_by_role("link", name="Todmorden Seed Swap")).to_be_visible()
    page.locator("#main .results").get_by_role("link", name="Todmorden Seed Swap").click()
    expect(page).to_have_url(re.compile(r"/organisations/todmorden-seed-swap/$"))

    assert dialogs == [], f"a script in user text ran: {dialogs}"
