"""An organisation's people on a phone (390x844, touch): its owner adds a member by the e-mail of their
account on its People page; the member tells a story on behalf of the organisation and the story
says so. axe checks the People page, with and without an error; nothing scrolls sideways."""

import pytest
from playwright.sync_api import expect

from squaremile.accounts.models import Role
from squaremile.core import spaces
from squaremile.stories.models import Story
from tests.browser.support import PHONE, a11y_report, assert_fits_the_screen, make_organisation, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_owner_adds_a_member_who_tells_a_story_on_its_behalf(phone_page, new_context, login, settings):
    settings.STORIES_REVIEW_FIRST = False
    problems: list[str] = []
    owner = make_user(email="olu@example.org", role=Role.MEMBER)
    member = make_user(email="hana@example.org", role=Role.MEMBER)
    member.profile.display_name = "Hana Helper"
    member.profile.save()
    org = make_organisation(by=owner, name="Friends of the Canal")

    page = phone_page
    login(page, owner)
    page.goto(org.get_absolute_url())
    page.get_by_role("link", name="People", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("People of Friends of the Canal")
    expect(page.get_by_text("Nobody else yet.")).to_be_visible()
    assert_fits_the_screen(page)
    problems.append(a11y_report(page, "People page on a phone"))

    page.get_by_label("Their e-mail address").fill("nobody@example.org")
    page.get_by_role("button", name="Add them").click()
    expect(page.locator("#id_email_error")).to_contain_text("Nobody has an account with this address yet")
    expect(page.get_by_label("Their e-mail address")).to_have_value("nobody@example.org")
    problems.append(a11y_report(page, "People page with an error"))

    page.get_by_label("Their e-mail address").fill("hana@example.org")
    page.get_by_role("radio", name="Member").check()
    page.get_by_role("button", name="Add them").click()
    expect(page.locator(".messages")).to_contain_text("Hana Helper is now a member of Friends of the Canal")
    expect(page.locator(".space-people")).to_contain_text("Hana Helper — Member")
    expect(page.get_by_role("button", name="Remove Hana Helper (member)")).to_be_visible()
    assert_fits_the_screen(page)
    problems.append(a11y_report(page, "People page with a member"))
    assert [(h.user, h.role) for h in spaces.holders(org)] == [(member, "member")]

    phone = new_context(viewport=PHONE).new_page()
    login(phone, member)
    phone.goto("/stories/tell/")
    expect(phone.get_by_role("heading", name="Tell a story")).to_be_visible()
    phone.get_by_label("Title").fill("We cleared the towpath")
    phone.get_by_label("Your story").fill("Ten of us, forty bags of litter.")
    phone.get_by_label("On behalf of (optional)").select_option(label="Friends of the Canal")
    assert_fits_the_screen(phone)
    phone.get_by_role("button", name="Publish my story").click()

    expect(phone.get_by_role("heading", level=1)).to_have_text("We cleared the towpath")
    byline = phone.locator(".story-byline")
    expect(byline).to_contain_text("Told by Hana Helper on behalf of Friends of the Canal")
    expect(byline.get_by_role("link", name="Friends of the Canal")).to_have_attribute("href", org.get_absolute_url())
    assert Story.objects.get(title="We cleared the towpath").organisation == org
    # the member sees no People button on the organisation's page, but can leave it
    phone.goto(org.get_absolute_url())
    expect(phone.get_by_role("link", name="People", exact=True)).to_have_count(0)
    expect(phone.get_by_role("button", name="Leave Friends of the Canal")).to_be_visible()

    problems = [p for p in problems if p]
    assert not problems, "\n\n".join(problems)
