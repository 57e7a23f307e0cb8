"""On a phone: follow a group from its page, and @mention someone with the suggestions list while
replying (typed, chosen by keyboard and by tap), the mentioned person being told; axe with the list
open. Without JavaScript, @Name typed as plain text tells them just the same."""

import pytest
from playwright.sync_api import expect

from squaremile.conversations.models import Post
from squaremile.conversations.tests import factories
from squaremile.notifications.models import Follow, Notification
from tests.browser.support import PHONE, a11y_report, assert_fits_the_screen

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _people():
    group = factories.group(name="Mill Lane allotments")
    writer = factories.member(group, factories.PersonFactory(email="writer@example.org"))
    priya = factories.member(group, factories.PersonFactory(email="priya@example.org"))
    priya.profile.display_name = "Priya Shah"
    priya.profile.save()
    prakash = factories.member(group, factories.PersonFactory(email="prakash@example.org"))
    prakash.profile.display_name = "Prakash Patel"
    prakash.profile.save()
    thread = factories.thread(group, title="Shared compost")
    return group, writer, priya, prakash, thread


def test_follow_a_group_and_mention_with_suggestions_on_a_phone(new_context, login, transactional_db):
    group, writer, priya, prakash, thread = _people()
    visitor = factories.PersonFactory(email="visitor@example.org")
    phone = new_context(viewport=PHONE).new_page()
    login(phone, visitor)
    phone.goto(group.get_absolute_url())
    phone.get_by_role("button", name="Follow this group").click()
    expect(phone.get_by_role("button", name="Following this group")).to_be_visible()
    assert Follow.objects.filter(user=visitor, target_id=group.pk).exists()
    assert_fits_the_screen(phone)
    phone.get_by_role("button", name="Following this group").click()
    expect(phone.get_by_role("button", name="Follow this group")).to_be_visible()
    assert not Follow.objects.filter(user=visitor).exists()

    phone = new_context(viewport=PHONE).new_page()
    login(phone, writer)
    phone.goto(thread.get_absolute_url())
    box = phone.get_by_label("Your reply")
    box.click()
    box.press_sequentially("Thanks @Pr", delay=30)
    options = phone.get_by_role("option")
    expect(options).to_have_count(2)
    expect(phone.get_by_role("listbox", name="People to mention")).to_be_visible()
    assert a11y_report(phone, "mention suggestions open") == ""
    assert_fits_the_screen(phone)
    box.press("ArrowDown")  # Prakash, then Priya (by name): down once is Priya
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    box.press("Enter")
    expect(box).to_have_value("Thanks @PriyaShah ")
    expect(phone.get_by_role("option")).to_have_count(0)
    box.press_sequentially("and @prak", delay=30)
    expect(phone.get_by_role("option")).to_have_count(1)
    phone.get_by_role("option", name="Prakash Patel").click()  # a tap
    expect(box).to_have_value("Thanks @PriyaShah and @PrakashPatel ")
    box.press_sequentially("— see you Saturday", delay=10)
    phone.get_by_role("button", name="Post the reply").click()
    post = Post.objects.get(thread=thread, number=2)
    expect(phone.locator(f"#post-{post.pk}")).to_contain_text("see you Saturday")
    for person in (priya, prakash):
        assert Notification.objects.filter(recipient=person, kind="conversations.mention").exists()


def test_mentions_work_as_plain_text_without_javascript(new_context, login, transactional_db):
    group, writer, priya, prakash, thread = _people()
    phone = new_context(viewport=PHONE, java_script_enabled=False).new_page()
    login(phone, writer)
    phone.goto(thread.get_absolute_url())
    phone.get_by_label("Your reply").fill("@PriyaShah can you bring the sieve?")
    phone.get_by_role("button", name="Post the reply").click()
    expect(phone.get_by_text("can you bring the sieve?")).to_be_visible()
    assert Notification.objects.filter(recipient=priya, kind="conversations.mention").exists()
    assert not Notification.objects.filter(recipient=prakash, kind="conversations.mention").exists()
