"""Following and notifications in a real browser, on a phone: a member follows an area; a moderator
publishes an entry there; the member's bell shows 1; the list shows it; opening it marks it read;
"mark all as read" empties the bell. axe on the list and the e-mail choices page."""

import pytest
from playwright.sync_api import expect

from squaremile.accounts.models import Role
from squaremile.mapping.models import EntryStatus
from squaremile.mapping.tests.factories import CategoryFactory, EntryFactory
from squaremile.places.tests.factories import AreaFactory
from tests.browser.support import PHONE, a11y_report, assert_fits_the_screen, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_menu(page):
    page.get_by_role("button", name="Menu").click()


def test_follow_an_area_then_the_bell_the_list_and_mark_read(new_context, login, transactional_db):
    area = AreaFactory(name="Riverside")
    category = CategoryFactory(name="Food and growing", slug="food-and-growing")
    first = EntryFactory(title="Riverside pantry", area=area, category=category, status=EntryStatus.PENDING)
    second = EntryFactory(title="Riverside choir", area=area, category=category, status=EntryStatus.PENDING)
    member = make_user(email="ann@example.org")
    moderator = make_user(email="mod@example.org", role=Role.MODERATOR)

    # 1. a member follows the area, on a phone
    phone = new_context(viewport=PHONE).new_page()
    login(phone, member)
    phone.goto(area.get_absolute_url())
    assert_fits_the_screen(phone)
    phone.get_by_role("button", name="Follow this area").click()
    expect(phone.get_by_role("button", name="Following this area")).to_be_visible()  # htmx swapped it in place
    open_menu(phone)
    expect(phone.locator(".bell")).to_be_visible()
    expect(phone.locator(".bell .badge")).to_have_count(0)  # nothing yet

    # 2. a moderator publishes two entries there
    desk = new_context().new_page()
    login(desk, moderator)
    desk.goto("/map/queue/")
    for entry in (first, second):
        desk.get_by_role("button", name=f"Publish “{entry.title}”").click()
        expect(desk.locator(".messages")).to_contain_text(f"Published: “{entry.title}”")

    # 3. the member's bell shows 2; the list, newest first, marks the unread ones
    phone.goto(area.get_absolute_url())
    open_menu(phone)
    bell = phone.locator(".bell")
    expect(bell).to_contain_text("2")
    bell.click()
    expect(phone.get_by_role("heading", name="Notifications")).to_be_visible()
    assert_fits_the_screen(phone)
    assert a11y_report(phone, "notification list") == ""
    items = phone.locator(".notification")
    expect(items).to_have_count(2)
    expect(items.first).to_contain_text("New on the map in Riverside: Riverside choir")
    expect(phone.locator(".notification.unread")).to_have_count(2)

    # 4. opening one leads to the entry and marks it read
    items.nth(1).get_by_role("link").click()
    expect(phone.get_by_role("heading", name="Riverside pantry")).to_be_visible()
    open_menu(phone)
    expect(phone.locator(".bell")).to_contain_text("1")
    phone.locator(".bell").click()
    expect(phone.locator(".notification.unread")).to_have_count(1)

    # 5. mark all as read
    phone.get_by_role("button", name="Mark all as read").click()
    expect(phone.locator(".messages")).to_contain_text("marked as read")
    expect(phone.locator(".notification.unread")).to_have_count(0)
    open_menu(phone)
    expect(phone.locator(".bell .badge")).to_have_count(0)


def test_choices_page_passes_axe_on_a_phone(new_context, login, transactional_db):
    from squaremile.notifications import tokens

    page = new_context(viewport=PHONE).new_page()
    person = make_user(role=Role.MODERATOR)
    # the one-click unsubscribe page, before logging in (a mail's link): confirm, then done
    page.goto(f"/notifications/unsubscribe/{tokens.make(kind='mapping.new_entry', user=person)}/")
    assert_fits_the_screen(page)
    assert a11y_report(page, "unsubscribe") == ""
    page.get_by_role("button", name="Yes, stop these e-mails").click()
    expect(page.get_by_role("status")).to_contain_text("You will not get e-mails about")
    login(page, person)
    page.goto("/notifications/settings/")
    assert_fits_the_screen(page)
    assert a11y_report(page, "notification e-mail choices") == ""
    expect(page.locator('input[name="kind_mapping__new_entry"][value="off"]')).to_be_checked()  # from the link
    page.locator('input[name="kind_mapping__new_entry"][value="weekly"]').check()
    page.get_by_role("button", name="Save my choices").click()
    expect(page.locator(".messages")).to_contain_text("Your choices are saved")
