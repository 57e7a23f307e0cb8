""" "My wants and offers" (/exchange/mine/) pages through a person's own items when they are more than
one page holds: newest first, "Next" and "Previous" links that work, nobody else's items, what I
promised to others on the first page only; axe-clean on a phone."""

import re

import pytest
from playwright.sync_api import expect

from squaremile.exchange import views
from squaremile.exchange.models import Side, Status
from squaremile.exchange.tests.factories import ItemFactory, person
from tests.browser.support import PHONE, a11y_report, assert_fits_the_screen

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _titles(page):
    return page.locator("section[aria-labelledby=mine-heading] .ex-title").all_inner_texts()


def test_my_wants_and_offers_page_through_with_next_and_previous(new_context, login, taxonomy):
    per_page = views.MY_ITEMS_PAGE
    total = per_page + 3
    me = person(email="ruth@example.org")
    other = person(email="devi@example.org")
    for n in range(1, total + 1):  # made in order, so the newest is the last one
        ItemFactory(owner=me, title=f"Mine {n:02d}", side=Side.WANT if n % 2 else Side.OFFER, terms=[])
    ItemFactory(owner=other, title="Devi's ladder", terms=[])
    ItemFactory(owner=other, title="Devi needs a lift", partner=me, status=Status.PROMISED, terms=[])

    phone = new_context(viewport=PHONE).new_page()
    login(phone, me)
    phone.goto("/exchange/mine/")
    newest_first = [f"Mine {n:02d}" for n in range(total, 0, -1)]
    assert _titles(phone) == newest_first[:per_page]
    expect(phone.get_by_role("heading", name="Posted by me")).to_contain_text(f"({total}, page 1 of 2)")
    expect(phone.get_by_role("heading", name="I said I would help")).to_be_visible()
    pages = phone.get_by_role("navigation", name="Pages")
    expect(pages.get_by_role("link", name="← Previous")).to_have_count(0)
    assert_fits_the_screen(phone)
    assert a11y_report(phone, "my wants and offers, page 1") == ""

    pages.get_by_role("link", name="Next →").click()
    expect(phone).to_have_url(re.compile(r"/exchange/mine/\?page=2$"))
    assert _titles(phone) == newest_first[per_page:]
    assert "Devi's ladder" not in phone.content()
    expect(phone.get_by_role("heading", name="I said I would help")).to_have_count(0)
    expect(pages.get_by_role("link", name="Next →")).to_have_count(0)
    expect(pages).to_contain_text("Page 2 of 2")
    assert_fits_the_screen(phone)
    assert a11y_report(phone, "my wants and offers, page 2") == ""

    pages.get_by_role("link", name="← Previous").click()
    expect(phone.get_by_role("heading", name="Posted by me")).to_contain_text("page 1 of 2")
    assert _titles(phone) == newest_first[:per_page]
