"""Threads and posts: start, reply (by web or e-mail), edit (history in the audit log), +1, answer,
read position, and the facilitators' tools (pin, lock, slow mode, move, merge, split, close with
an outcome, publish a new member's held posts)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone

from squaremile.attachments.services import attach_all, removes_stored_files_on_failure
from squaremile.audit.services import diff, snapshot
from squaremile.audit.services import record as audit_record
from squaremile.conversations import notifications, search
from squaremile.conversations.models import Group, Membership, MemberStatus, PlusOne, Post, ReadMark, Thread
from squaremile.core import ratelimit
from squaremile.core.permissions import can, require, signed_in
from squaremile.core.text import render_markdown
from squaremile.moderation.models import ModerationState as S

TITLE_MAX = 200
BODY_MAX = 20000


def _body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": ["Write something first."]})
    if len(body) > BODY_MAX:
        raise ValidationError({"body": [f"At most {BODY_MAX} characters."]})
    return body


def _new_account(user) -> bool:
    days = getattr(settings, "CONVERSATIONS_NEW_ACCOUNT_DAYS", 7)
    joined = getattr(user, "date_joined", None)
    return joined is not None and timezone.now() - joined < dt.timedelta(days=days)


def _held(group: Group, user) -> bool:
    """A new member's first posts wait for a facilitator when the group asks for it."""
    if not group.moderate_first_posts or can(user, "thread.moderate", group):
        return False
    published = Membership.objects.filter(group=group, user=user).values_list("posts_published", flat=True).first()
    return (published or 0) < group.moderate_first_posts


def _count_published(group: Group, user) -> None:
    Membership.objects.filter(group=group, user=user).update(posts_published=F("posts_published") + 1)


def _next_number(thread: Thread) -> int:
    """The next post number, under a row lock on the thread (two replies at once get 2 and 3)."""
    locked = Thread.objects.select_for_update().get(pk=thread.pk)
    number = locked.post_count + 1
    Thread.objects.filter(pk=thread.pk).update(post_count=number)
    thread.post_count = number
    return number


@removes_stored_files_on_failure
@transaction.atomic
def thread_start(*, group: Group, by, title: str, body: str, via_email: bool = False, files=(), alts=()) -> Thread:
    require(by, "group.post", group)
    title = " ".join((title or "").split())[:TITLE_MAX]
    if not title:
        raise ValidationError({"title": ["Give the conversation a title."]})
    body = _body(body)
    if _new_account(by):
        ratelimit.hit("conversation-thread-new-account", user=str(by.pk))
    held = _held(group, by)
    now = timezone.now()
    thread = Thread.objects.create(
        group=group, title=title, author=by, status=S.PENDING if held else S.PUBLISHED, post_count=1,
        last_activity_at=now,
    )  # fmt: skip
    post = Post.objects.create(thread=thread, number=1, author=by, body=body, html=render_markdown(body),
                               via_email=via_email, status=S.PENDING if held else S.PUBLISHED)  # fmt: skip
    ReadMark.objects.create(thread=thread, user=by, last_number=1)
    if files:
        attach_all(owner=post, files=files, alts=alts, user=by)
    audit_record(actor=by, action="thread.started", target=thread)
    if not held:
        Group.objects.filter(pk=group.pk).update(thread_count=F("thread_count") + 1, last_activity_at=now)
        _count_published(group, by)
        search.index_thread(thread, post)
        notifications.post_published(post=post, by=by)
    return thread


@removes_stored_files_on_failure
@transaction.atomic
def reply_post(*, thread: Thread, by, body: str, quote_of: Post | None = None, via_email: bool = False, files=(),
               alts=()) -> Post:  # fmt: skip
    group = thread.group
    require(by, "group.post", group)
    if thread.status != S.PUBLISHED:
        raise ValidationError("This conversation is not open for replies.")
    if thread.is_closed:
        raise ValidationError("This conversation is closed: it cannot be answered any more.")
    facilitator = can(by, "group.facilitate", group)
    if thread.locked and not facilitator:
        raise ValidationError("This conversation is locked by its facilitators.")
    body = _body(body)
    if thread.slow_minutes and not facilitator:
        since = timezone.now() - dt.timedelta(minutes=thread.slow_minutes)
        if Post.objects.filter(thread=thread, author=by, created_at__gte=since).exists():
            raise ValidationError(
                f"This conversation is slowed down: one reply per person every {thread.slow_minutes} minutes."
            )
    if _new_account(by):
        ratelimit.hit("conversation-reply-new-account", user=str(by.pk))
    if quote_of is not None and quote_of.thread_id != thread.pk:
        quote_of = None
    held = _held(group, by)
    number = _next_number(thread)
    post = Post.objects.create(
        thread=thread, number=number, author=by, body=body, html=render_markdown(body), quote_of=quote_of,
        via_email=via_email,
        status=S.PENDING if held else S.PUBLISHED,
    )  # fmt: skip
    # the thread's row is locked (_next_number): nobody else writes this person's mark meanwhile
    if not ReadMark.objects.filter(thread=thread, user=by).update(last_number=number):
        ReadMark.objects.create(thread=thread, user=by, last_number=number)
    if files:
        attach_all(owner=post, files=files, alts=alts, user=by)
    if not held:
        _after_publish(post, by=by)
    return post


def _after_publish(post: Post, *, by) -> None:
    thread = post.thread
    now = timezone.now()
    if post.number > 1:
        Thread.objects.filter(pk=thread.pk).update(reply_count=F("reply_count") + 1, last_activity_at=now)
        thread.last_activity_at = now
    Group.objects.filter(pk=thread.group_id).update(last_activity_at=now)
    _count_published(thread.group, post.author)
    search.index_post(post)
    notifications.post_published(post=post, by=by)


@transaction.atomic
def post_publish_held(*, post: Post, by) -> Post:
    """A facilitator lets a held post (a new member's first posts) through."""
    thread = post.thread
    require(by, "post.moderate", post)
    if post.status != S.PENDING:
        raise ValidationError("This post is not waiting.")
    post.status = S.PUBLISHED
    post.save(update_fields=["status"])
    if post.number == 1 and thread.status == S.PENDING:
        thread.status = S.PUBLISHED
        thread.save(update_fields=["status"])
        Group.objects.filter(pk=thread.group_id).update(thread_count=F("thread_count") + 1)
    audit_record(actor=by, action="post.published", target=post)
    _after_publish(post, by=post.author)
    return post


@transaction.atomic
def post_edit(*, post: Post, by, body: str) -> Post:
    require(by, "post.change", post)
    if post.thread.is_closed and not can(by, "group.facilitate", post.thread.group):
        raise ValidationError("This conversation is closed.")
    before = snapshot(post, ["body"])
    post.body = _body(body)
    post.html = render_markdown(post.body)
    post.edited_at = timezone.now()
    post.save(update_fields=["body", "html", "edited_at"])
    audit_record(actor=by, action="post.edited", target=post, changes=diff(before, snapshot(post, ["body"])))
    search.index_post(post)
    return post


def plus_one_toggle(*, post: Post, by) -> bool:
    """Give or take back one "+1" (the only reaction). Returns whether it is now given."""
    if not signed_in(by) or not can(by, "group.post", post.thread.group):
        raise PermissionDenied("Join the group to do this.")
    if post.author_id == by.pk:
        raise ValidationError("You cannot +1 your own post.")
    with transaction.atomic():
        removed = PlusOne.objects.filter(post=post, user=by).delete()[0]
        if removed:
            Post.objects.filter(pk=post.pk).update(plus_ones=F("plus_ones") - removed)
            return False
        try:
            with transaction.atomic():
                PlusOne.objects.create(post=post, user=by)
        except IntegrityError:
            return True
        Post.objects.filter(pk=post.pk).update(plus_ones=F("plus_ones") + 1)
        return True


@transaction.atomic
def answer_mark(*, thread: Thread, by, post: Post | None) -> Thread:
    """Mark a reply as the answer or summary of the thread (its author or a facilitator); None unmarks."""
    if not (can(by, "group.facilitate", thread.group) or (signed_in(by) and thread.author_id == by.pk)):
        raise PermissionDenied("Only the person who started this or its facilitators can do this.")
    if post is not None and (post.thread_id != thread.pk or post.status != S.PUBLISHED):
        raise ValidationError("Choose a reply of this conversation.")
    thread.answer = post
    thread.save(update_fields=["answer"])
    audit_record(actor=by, action="thread.answer_marked", target=thread, note=f"post {post.pk if post else '-'}")
    return thread


def read_mark_set(*, thread: Thread, user, number: int) -> None:
    """Remember how far a person has read (only ever forward)."""
    if not signed_in(user):
        return
    number = min(number, thread.post_count)
    updated = ReadMark.objects.filter(thread=thread, user=user, last_number__lt=number).update(last_number=number)
    if not updated and not ReadMark.objects.filter(thread=thread, user=user).exists():
        try:
            with transaction.atomic():
                ReadMark.objects.create(thread=thread, user=user, last_number=number)
        except IntegrityError:
            pass


# ---- facilitation ---------------------------------------------------------------------------------
def _facilitate(by, thread: Thread, action: str, **changes) -> Thread:
    require(by, "group.facilitate", thread.group)
    fields = list(changes)
    before = snapshot(thread, fields)
    for name, value in changes.items():
        setattr(thread, name, value)
    thread.save(update_fields=fields)
    audit_record(actor=by, action=f"thread.{action}", target=thread, changes=diff(before, snapshot(thread, fields)))
    return thread


@transaction.atomic
def thread_pin(*, thread: Thread, by, pinned: bool = True) -> Thread:
    return _facilitate(by, thread, "pinned" if pinned else "unpinned", pinned=pinned)


@transaction.atomic
def thread_lock(*, thread: Thread, by, locked: bool = True) -> Thread:
    return _facilitate(by, thread, "locked" if locked else "unlocked", locked=locked)


@transaction.atomic
def thread_slow(*, thread: Thread, by, minutes: int) -> Thread:
    if minutes < 0 or minutes > 24 * 60:
        raise ValidationError({"minutes": ["Between 0 (off) and 1440 minutes."]})
    return _facilitate(by, thread, "slowed", slow_minutes=minutes)


@transaction.atomic
def thread_close(*, thread: Thread, by, outcome: str) -> Thread:
    """Close the thread with an outcome statement: shown at its top, sent to everyone in it; the
    thread is read-only from then on (an open decision closes with it)."""
    outcome = (outcome or "").strip()
    if not outcome:
        raise ValidationError({"outcome": ["Say what came of it: the outcome is sent to everyone in it."]})
    if thread.is_closed:
        raise ValidationError("This conversation is already closed.")
    _facilitate(by, thread, "closed", closed_at=timezone.now(), closed_by=by, outcome=outcome[:8000])
    decision = getattr(thread, "decision", None)
    if decision is not None and decision.closed_at is None:
        decision.closed_at = timezone.now()
        decision.save(update_fields=["closed_at"])
    search.index_thread(thread)
    notifications.outcome_reached(thread=thread, by=by)
    return thread


@transaction.atomic
def thread_move(*, thread: Thread, by, to_group: Group) -> Thread:
    """Move a thread to another group; the person must facilitate both."""
    require(by, "group.facilitate", thread.group)
    require(by, "group.facilitate", to_group)
    old = thread.group
    thread.group = to_group
    thread.save(update_fields=["group"])
    if thread.status == S.PUBLISHED:
        Group.objects.filter(pk=old.pk, thread_count__gt=0).update(thread_count=F("thread_count") - 1)
        Group.objects.filter(pk=to_group.pk).update(thread_count=F("thread_count") + 1)
    audit_record(actor=by, action="thread.moved", target=thread, changes={"group": [old.name, to_group.name]})
    search.index_thread(thread)
    for post in Post.objects.filter(thread=thread, number__gt=1).select_related("thread__group"):
        search.index_post(post)
    return thread


def _append(posts, *, into: Thread) -> None:
    top = Post.objects.filter(thread=into).aggregate(top=Max("number"))["top"] or 0
    for offset, post in enumerate(posts, start=1):
        post.thread = into
        post.number = top + offset
        post.save(update_fields=["thread", "number"])
    published = sum(1 for p in posts if p.status == S.PUBLISHED)
    Thread.objects.filter(pk=into.pk).update(
        post_count=top + len(posts), reply_count=F("reply_count") + published, last_activity_at=timezone.now()
    )


@transaction.atomic
def thread_merge(*, thread: Thread, by, into: Thread) -> Thread:
    """Merge `thread` into `into` (same group): its posts follow the others, in their order; the
    merged thread points to the one it went into."""
    require(by, "group.facilitate", thread.group)
    if into.pk == thread.pk or into.group_id != thread.group_id:
        raise ValidationError("Choose another conversation of the same group.")
    if into.is_closed:
        raise ValidationError("That conversation is closed.")
    Thread.objects.select_for_update().filter(pk__in=[thread.pk, into.pk]).order_by("pk").exists()
    posts = list(Post.objects.filter(thread=thread).order_by("number"))
    # numbers are unique per thread: move them out of the way first
    Post.objects.filter(thread=thread).update(number=F("number") + 1_000_000_000)
    _append(posts, into=into)
    thread.merged_into = into
    thread.post_count = thread.reply_count = 0
    thread.save(update_fields=["merged_into", "post_count", "reply_count"])
    Group.objects.filter(pk=thread.group_id, thread_count__gt=0).update(thread_count=F("thread_count") - 1)
    audit_record(actor=by, action="thread.merged", target=thread, note=f"into thread {into.pk}")
    search.remove_thread(thread)
    into.refresh_from_db()
    search.index_thread(into)
    for post in posts:
        search.index_post(post)
    return into


@transaction.atomic
def thread_split(*, thread: Thread, by, from_number: int, title: str) -> Thread:
    """Split the replies from `from_number` on into a new thread of the same group."""
    require(by, "group.facilitate", thread.group)
    title = " ".join((title or "").split())[:TITLE_MAX]
    if not title:
        raise ValidationError({"title": ["Give the new conversation a title."]})
    if from_number <= 1:
        raise ValidationError({"from_number": ["Choose a reply (not the opening post)."]})
    posts = list(Post.objects.filter(thread=thread, number__gte=from_number).order_by("number"))
    if not posts:
        raise ValidationError({"from_number": ["There is no reply from that number on."]})
    new = Thread.objects.create(
        group=thread.group, title=title, author=posts[0].author, status=S.PUBLISHED, post_count=0,
        last_activity_at=timezone.now(),
    )  # fmt: skip
    for number, post in enumerate(posts, start=1):
        post.thread = new
        post.number = number
        post.save(update_fields=["thread", "number"])
    published = sum(1 for p in posts if p.status == S.PUBLISHED)
    Thread.objects.filter(pk=new.pk).update(post_count=len(posts), reply_count=max(0, published - 1))
    remaining = Post.objects.filter(thread=thread).aggregate(top=Max("number"))["top"] or 1
    Thread.objects.filter(pk=thread.pk).update(
        post_count=remaining, reply_count=Post.objects.filter(thread=thread, number__gt=1, status=S.PUBLISHED).count()
    )
    Group.objects.filter(pk=thread.group_id).update(thread_count=F("thread_count") + 1)
    audit_record(actor=by, action="thread.split", target=thread, note=f"replies from #{from_number} to thread {new.pk}")
    new.refresh_from_db()
    search.index_thread(new)
    for post in posts[1:]:
        search.index_post(post)
    return new


def joined_members(group: Group):
    return Membership.objects.filter(group=group, status=MemberStatus.MEMBER)
