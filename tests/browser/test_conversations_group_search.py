"""A group's own search box on a phone: its button is drawn like the site's other search buttons
(the stories' filter "Show", the site search's "Search"), it finds a conversation by a word of its
message, and the page stays axe-clean and fits the screen."""

import os

import pytest
from playwright.sync_api import expect

from squaremile.conversations.tests import factories
from tests.browser.support import PHONE, a11y_report, assert_fits_the_screen

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Where to leave a picture of the page for a person to look at (nothing is written when unset).
SCREENSHOT = os.environ.get("SQUAREMILE_SCREENSHOT_DIR", "")


def _button_look(page, selector):
    return page.locator(selector).first.evaluate(
        """(el) => { const s = getComputedStyle(el);
            return {background: s.backgroundColor, color: s.color, radius: s.borderTopLeftRadius,
                    weight: s.fontWeight, height: el.getBoundingClientRect().height}; }"""
    )


def test_group_search_button_looks_like_the_others_and_finds(new_context, login, transactional_db):
    owner = factories.PersonFactory()
    group = factories.group(owner=owner, name="Mill Lane allotments")
    factories.thread(group, title="Water butts", body="Shall we buy water butts together?")
    factories.thread(group, title="Seed swap", body="Bring your spare tomato seeds on Saturday.")
    resident = factories.member(group)

    phone = new_context(viewport=PHONE).new_page()
    login(phone, resident)
    phone.goto("/search/")
    reference = _button_look(phone, "main form[role=search] button[type=submit]")

    phone.goto(group.get_absolute_url())
    button = phone.get_by_role("search", name="Search this group").get_by_role("button", name="Search")
    expect(button).to_be_visible()
    look = _button_look(phone, "form[aria-label='Search this group'] button[type=submit]")
    assert look == reference, f"the group's search button {look} is drawn unlike the site search's {reference}"
    assert look["height"] >= 44, "a touch target of at least 44 px"

    phone.get_by_role("searchbox", name="Search this group").fill("tomato")
    button.click()
    found = phone.get_by_role("heading", name="Found").locator("xpath=following-sibling::ul[1]")
    expect(found.get_by_role("link", name="Seed swap")).to_be_visible()
    expect(found.get_by_role("link", name="Water butts")).to_have_count(0)
    expect(phone.get_by_role("link", name="Clear")).to_have_attribute("href", group.get_absolute_url())
    if SCREENSHOT:
        phone.screenshot(path=os.path.join(SCREENSHOT, "group-search-phone.png"), full_page=True)
    assert_fits_the_screen(phone)
    assert a11y_report(phone, "group page with a search") == ""
