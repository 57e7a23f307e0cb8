"""Facilitators' tools, moderation of first posts, slow mode, rate limits for new accounts, and the
pieces of a thread: edits with history, +1, answer, read position, mentions."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from squaremile.accounts.tests.factories import UserFactory
from squaremile.audit.selectors import history_for
from squaremile.conversations import selectors, services
from squaremile.conversations.models import Access, Post, Thread
from squaremile.conversations.tests import factories
from squaremile.core import ratelimit
from squaremile.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    group = factories.group()
    member = factories.member(group)
    thread = factories.thread(group)
    return group, member, thread


def test_pin_lock_slow_and_only_facilitators(setup):
    group, member, thread = setup
    with pytest.raises(PermissionDenied):
        services.thread_pin(thread=thread, by=member)
    services.thread_pin(thread=thread, by=group.owner)
    services.thread_lock(thread=thread, by=group.owner)
    thread.refresh_from_db()
    assert thread.pinned and thread.locked
    with pytest.raises(ValidationError):
        services.reply_post(thread=thread, by=member, body="Locked?")
    services.reply_post(thread=thread, by=group.owner, body="Facilitators may still write.")
    services.thread_lock(thread=thread, by=group.owner, locked=False)
    services.thread_slow(thread=thread, by=group.owner, minutes=10)
    thread.refresh_from_db()
    services.reply_post(thread=thread, by=member, body="First")
    with pytest.raises(ValidationError, match="slowed down"):
        services.reply_post(thread=thread, by=member, body="Second too soon")


def test_move_merge_split(setup):
    group, member, thread = setup
    other = factories.group(owner=group.owner, name="Another group")
    for i in range(3):
        services.reply_post(thread=thread, by=member, body=f"Reply {i}")
    second = factories.thread(group, title="Duplicate", body="Same topic")
    services.reply_post(thread=second, by=member, body="Dup reply")
    into = services.thread_merge(thread=second, by=group.owner, into=thread)
    assert list(Post.objects.filter(thread=into).order_by("number").values_list("number", flat=True)) == [
        1,
        2,
        3,
        4,
        5,
        6,
    ]
    second.refresh_from_db()
    assert second.merged_into_id == thread.pk
    new = services.thread_split(thread=thread, by=group.owner, from_number=5, title="Split off")
    assert list(new.posts.order_by("number").values_list("body", flat=True)) == ["Same topic", "Dup reply"]
    thread.refresh_from_db()
    assert thread.post_count == 4
    services.thread_move(thread=new, by=group.owner, to_group=other)
    new.refresh_from_db()
    assert new.group == other
    with pytest.raises(PermissionDenied):
        services.thread_move(thread=thread, by=member, to_group=other)


def test_first_posts_wait_for_a_facilitator():
    group = factories.group(moderate_first_posts=1)
    newcomer = factories.member(group)
    thread = services.thread_start(group=group, by=newcomer, title="Hello all", body="I am new")
    assert thread.status == "pending"
    assert selectors.thread_for(factories.PersonFactory(), thread.pk) is None
    services.post_publish_held(post=thread.posts.get(), by=group.owner)
    thread.refresh_from_db()
    assert thread.status == "published"
    second = services.thread_start(group=group, by=newcomer, title="Again", body="Now I am known")
    assert second.status == "published"


def test_new_accounts_are_rate_limited(settings):
    settings.RATE_LIMITS = "conversation-thread-new-account=1/15s/user,10/d/user"
    group = factories.group()
    newcomer = UserFactory()  # joined just now
    services.group_join(group=group, by=newcomer)
    services.thread_start(group=group, by=newcomer, title="One", body="First")
    with pytest.raises(ratelimit.RateLimited):
        services.thread_start(group=group, by=newcomer, title="Two", body="Second")
    veteran = factories.member(group)
    services.thread_start(group=group, by=veteran, title="Old hand", body="One")
    services.thread_start(group=group, by=veteran, title="Old hand again", body="Two")


def test_edit_keeps_history_plus_one_answer(setup, client):
    group, member, thread = setup
    post = services.reply_post(thread=thread, by=member, body="Frist!")
    services.post_edit(post=post, by=member, body="First!")
    assert history_for(post)[0].changes == {"body": ["Frist!", "First!"]}
    with pytest.raises(PermissionDenied):
        services.post_edit(post=post, by=factories.PersonFactory(), body="Vandal")
    assert services.plus_one_toggle(post=post, by=group.owner) is True
    assert services.plus_one_toggle(post=post, by=group.owner) is False
    services.plus_one_toggle(post=post, by=group.owner)
    post.refresh_from_db()
    assert post.plus_ones == 1
    with pytest.raises(ValidationError):
        services.plus_one_toggle(post=post, by=member)  # not one's own
    services.answer_mark(thread=thread, by=group.owner, post=post)
    assert Thread.objects.get(pk=thread.pk).answer == post
    client.force_login(member)
    page = client.get(reverse("conversations:post_history", kwargs={"pk": post.pk})).content.decode()
    assert "Frist!" in page


def test_new_since_last_read(setup, client):
    group, member, thread = setup
    client.force_login(member)
    client.get(thread.get_absolute_url())
    assert selectors.read_mark(member, thread) == 1
    for i in range(3):
        services.reply_post(thread=thread, by=group.owner, body=f"News {i}")
    threads, _ = selectors.threads_page(member, group)
    assert selectors.with_unread(member, threads)[0].unread == 3
    page = client.get(thread.get_absolute_url()).content.decode()
    second = Post.objects.get(thread=thread, number=2)
    assert f'href="#post-{second.pk}"' in page  # "Jump to the first new post"
    assert selectors.read_mark(member, thread) == 4


def test_mention_notifies_only_people_who_may_read():
    group = factories.group(access=Access.PRIVATE)
    insider = factories.member(group)
    insider.profile.display_name = "Ada Lovelace"
    insider.profile.save()
    outsider = factories.PersonFactory()
    outsider.profile.display_name = "Bob Outside"
    outsider.profile.save()
    thread = factories.thread(group, body="Hello @AdaLovelace and @BobOutside")
    assert Notification.objects.filter(recipient=insider, kind="conversations.mention").exists()
    assert not Notification.objects.filter(recipient=outsider).exists()
    assert thread


def test_decision_rules(setup):
    group, member, thread = setup
    closes = timezone.now() + dt.timedelta(days=3)
    with pytest.raises(PermissionDenied):
        services.decision_open(thread=thread, by=member, kind="proposal", question="Go?", closes_at=closes)
    decision = services.decision_open(thread=thread, by=group.owner, kind="proposal", question="Go?", closes_at=closes)
    with pytest.raises(ValidationError):
        services.vote_cast(decision=decision, by=member, choice="block")  # a block needs a reason
    services.vote_cast(decision=decision, by=member, choice="block", reason="Not in winter")
    services.vote_cast(decision=decision, by=member, choice="agree")  # changed their mind: one vote each
    assert decision.votes.count() == 1
    choice = factories.thread(group, title="When?")
    with pytest.raises(ValidationError):
        services.decision_open(thread=choice, by=group.owner, kind="choice", question="When?", closes_at=closes,
                               options="Only one")  # fmt: skip
    d2 = services.decision_open(thread=choice, by=group.owner, kind="choice", question="When?", closes_at=closes,
                                options="Tuesday\nSaturday")  # fmt: skip
    with pytest.raises(ValidationError):
        services.vote_cast(decision=d2, by=member, choice="Sunday")
    services.decision_close(decision=d2, by=group.owner)
    with pytest.raises(ValidationError):
        services.vote_cast(decision=d2, by=member, choice="Tuesday")


def test_by_request_and_private_joining():
    group = factories.group(access=Access.REQUEST)
    person = factories.PersonFactory()
    services.group_join(group=group, by=person, message="I live on Mill Lane")
    assert not selectors.is_member(person, group)
    assert Notification.objects.filter(recipient=group.owner, kind="conversations.join_request").exists()
    services.join_request_decide(group=group, by=group.owner, person=person, accept=True)
    assert selectors.is_member(person, group)
    private = factories.group(access=Access.PRIVATE, name="Private one")
    with pytest.raises(PermissionDenied):
        services.group_join(group=private, by=person)
    services.group_invite(group=private, by=private.owner, person=person)
    services.group_join(group=private, by=person)
    assert selectors.may_see_group_contents(person, private)
    services.group_leave(group=private, by=person)
    assert not selectors.may_see_group_contents(person, private)


def test_pages_and_api_keep_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    group = factories.group()
    member = factories.member(group)
    thread = factories.thread(group)
    for i in range(60):
        services.reply_post(thread=thread, by=member, body=f"Reply {i} see /groups/{group.slug}/")
        if i < 35:
            factories.thread(group, title=f"T{i}")
    with django_assert_max_num_queries(25):
        assert client.get(f"{thread.get_absolute_url()}?page=2").status_code == 200
    with django_assert_max_num_queries(15):
        assert client.get(group.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(f"/api/v1/threads/{thread.pk}?page=1").status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(f"/api/v1/groups/{group.slug}/threads").status_code == 200


def test_links_to_posts_survive_merging_and_splitting(setup, client):
    """A post's address and anchor name the post, not its number: after a merge or a split (which
    renumber posts) its link still opens the thread it is in now, at its page, at it."""
    group, member, thread = setup
    replies = [services.reply_post(thread=thread, by=member, body=f"Reply {i}") for i in range(3)]
    second = factories.thread(group, title="Duplicate", body="Same topic")
    moved = services.reply_post(thread=second, by=member, body="Dup reply")
    client.force_login(member)

    def lands(post):
        response = client.get(reverse("conversations:post_link", kwargs={"pk": post.pk}))
        assert response.status_code == 302 and response.url.endswith(f"#post-{post.pk}")
        page = client.get(response.url.split("#")[0]).content.decode()
        assert f'id="post-{post.pk}"' in page and post.body in page
        return response.url

    before = lands(moved)
    services.thread_merge(thread=second, by=group.owner, into=thread)
    moved.refresh_from_db()
    after_merge = lands(moved)
    assert before != after_merge and f"/t/{thread.pk}/" in after_merge
    new = services.thread_split(thread=thread, by=group.owner, from_number=replies[2].number, title="Split off")
    for post in (replies[2], moved):
        post.refresh_from_db()
        assert f"/t/{new.pk}/" in lands(post)
    lands(replies[0])  # what stayed is still found where it was
    # an old address of a merged thread takes one to the thread it went into (the anchor goes along)
    response = client.get(second.get_absolute_url())
    assert response.status_code == 302 and response.url == thread.get_absolute_url()
