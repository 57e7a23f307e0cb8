"""A survey's owner adds a co-organiser on the organisers page; the co-organiser, on a phone, finds
the survey in their list and opens its answers. axe checks each page; nothing scrolls sideways."""

import pytest
from playwright.sync_api import expect

from squaremile.accounts.models import Role
from squaremile.network.tests.factories import SurveyFactory
from tests.browser.support import PHONE, a11y_report, assert_fits_the_screen, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_owner_adds_a_co_organiser(page, new_context, login):
    problems: list[str] = []
    owner = make_user(email="olu@example.org", role=Role.ORGANISER)
    helper = make_user(email="hana@example.org", role=Role.MEMBER)
    helper.profile.display_name = "Hana Helper"
    helper.profile.save()
    survey = SurveyFactory(owner=owner, title="Kettleby gathering map")

    login(page, owner)
    page.goto(f"/network/{survey.slug}/")
    page.get_by_role("link", name="Who runs this survey").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Who runs this survey")
    problems.append(a11y_report(page, "organisers page"))
    page.get_by_label("Their e-mail address").fill("nobody@example.org")
    page.get_by_role("button", name="Add them").click()
    expect(page.locator("#id_email_error")).to_contain_text("Nobody has an account with this address yet")
    problems.append(a11y_report(page, "organisers page with an error"))
    page.get_by_label("Their e-mail address").fill("hana@example.org")
    page.get_by_role("button", name="Add them").click()
    expect(page.locator(".messages")).to_contain_text("Hana Helper now helps to run this survey")
    expect(page.get_by_role("button", name="Remove Hana Helper")).to_be_visible()

    phone = new_context(viewport=PHONE).new_page()
    login(phone, helper)
    phone.goto("/network/")
    phone.get_by_role("link", name="Kettleby gathering map").first.click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Kettleby gathering map")
    phone.goto(f"/network/{survey.slug}/responses/")
    assert phone.url.endswith("/responses/")
    phone.goto(f"/network/{survey.slug}/organisers/")
    problems.append(a11y_report(phone, "organisers page on a phone (co-organiser)"))
    assert_fits_the_screen(phone)
    expect(phone.get_by_role("button", name="Add them")).to_have_count(0)

    problems = [p for p in problems if p]
    assert not problems, "\n\n".join(problems)
