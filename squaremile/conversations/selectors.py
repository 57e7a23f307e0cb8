"""Reads, and who may see what. A private group's threads and posts are seen by its members and
facilitators (and moderators: `group.see_hidden`) only, here and therefore on every page, feed,
API answer and e-mail built on these reads; they never enter the site search (`search.py`)."""

from __future__ import annotations

from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse

from squaremile.attachments.selectors import attachments_of_many
from squaremile.conversations.models import (
    Access,
    Block,
    Conversation,
    Group,
    Membership,
    MemberStatus,
    Message,
    Participant,
    PlusOne,
    Post,
    ReadMark,
    Thread,
    Vote,
)
from squaremile.core.permissions import can, signed_in, space_ids_q
from squaremile.core.records import resolve
from squaremile.moderation.models import ModerationState as S

THREADS_PER_PAGE = 30
POSTS_PER_PAGE = 50


# ---- groups ------------------------------------------------------------------------------------
def may_see_group_contents(user, group: Group) -> bool:
    """Threads, posts, members: everyone for an open or by-request group; members only for a private one."""
    return group.access != Access.PRIVATE or can(user, "group.see_hidden", group)


def may_see_group(user, group: Group) -> bool:
    """The group's page (its name and purpose): a private group is not even named to outsiders,
    except to the people invited to it."""
    if may_see_group_contents(user, group):
        return True
    return signed_in(user) and Membership.objects.filter(group=group, user=user, status=MemberStatus.INVITED).exists()


def groups_visible_to(user):
    """Groups a person may find: open and by-request ones, and the private ones they belong to."""
    qs = Group.objects.all()
    if can(user, "group.see_hidden"):
        return qs
    q = ~Q(access=Access.PRIVATE)
    if signed_in(user):
        q |= space_ids_q(user, Group, ("facilitator", "member")) | Q(owner_id=user.pk)
    return qs.filter(q)


def group_directory(user, *, area=None, topic: str = "", q: str = ""):
    qs = groups_visible_to(user).select_related("area")
    if area is not None:
        qs = qs.filter(area=area)
    if topic:
        qs = qs.filter(topic__iexact=topic)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(purpose__icontains=q))
    return qs.order_by("name", "id")


def groups_in_bbox(*, west: float, south: float, east: float, north: float, limit: int):
    """Groups anyone may find (never a private one: the map is public) whose area's centre is in the
    box, for the map's "Groups" layer; largest first."""
    return (
        Group.objects.listed()
        .filter(area__centroid_lat__gte=south, area__centroid_lat__lte=north)
        .filter(area__centroid_lng__gte=west, area__centroid_lng__lte=east)
        .select_related("area")
        .order_by("-member_count", "name", "id")[:limit]
    )


def topics() -> list[str]:
    return list(Group.objects.listed().exclude(topic="").values_list("topic", flat=True).distinct().order_by("topic"))


def membership(user, group) -> Membership | None:
    if not signed_in(user):
        return None
    return Membership.objects.filter(group=group, user=user).first()


def is_member(user, group) -> bool:
    return can(user, "group.post", group)


def members(group):
    return (
        Membership.objects.filter(group=group, status=MemberStatus.MEMBER)
        .select_related("user__profile")
        .order_by("created_at", "id")
    )


def mention_suggestions(user, group: Group, q: str, *, thread: Thread | None = None, limit: int = 8) -> list:
    """People `user` may mention while writing in `group`, matching `q` (the start of a handle, or
    any part of a display name): the group's members first, then the thread's other participants.
    Only for people who may write there (whoever else asks gets nobody), and only people they may
    see: a private group's members to its members."""
    from django.contrib.auth import get_user_model

    from squaremile.conversations.text import handle_of

    q = (q or "").strip().lstrip("@")[:40]
    if not q or not signed_in(user) or not can(user, "group.post", group):
        return []
    User = get_user_model()
    match = Q(profile__display_name__icontains=q) | Q(email__istartswith=q)
    found, seen = [], {user.pk}
    members_ids = Membership.objects.filter(group=group, status=MemberStatus.MEMBER).values("user_id")
    pools = [User.objects.filter(pk__in=members_ids)]
    if thread is not None and thread.group_id == group.pk:
        pools.append(participants(thread))
    for pool in pools:
        rows = pool.filter(match, is_active=True).select_related("profile").order_by("profile__display_name", "id")
        for person in rows[: limit * 2]:
            if person.pk in seen:
                continue
            seen.add(person.pk)
            handle = handle_of(person)
            name = (getattr(getattr(person, "profile", None), "display_name", "") or "").strip() or handle
            found.append({"handle": handle, "name": name})
            if len(found) >= limit:
                return found
    return found


def pending_requests(group):
    return Membership.objects.filter(group=group, status=MemberStatus.REQUESTED).select_related("user__profile")


def my_groups(user):
    if not signed_in(user):
        return Group.objects.none()
    return Group.objects.filter(memberships__user=user, memberships__status=MemberStatus.MEMBER).order_by("name")


# ---- threads -----------------------------------------------------------------------------------
def visible_thread_states(user, group) -> list[str]:
    return [S.PUBLISHED] if not can(user, "thread.moderate", group) else [S.PUBLISHED, S.PENDING, S.HIDDEN]


def threads_page(user, group: Group, *, before: tuple | None = None, per_page: int = THREADS_PER_PAGE):
    """One page of a group's threads, pinned first then latest activity, by keyset (`before`: the
    (pinned, last_activity_at, id) of the last thread of the previous page) so that page 1,000 of
    50,000 threads costs what page 1 does. Returns (threads, next_key or None)."""
    qs = Thread.objects.filter(group=group, status=S.PUBLISHED, merged_into__isnull=True)
    if before is not None:
        pinned, when, pk = before
        qs = qs.filter(
            Q(pinned__lt=pinned)
            | Q(pinned=pinned, last_activity_at__lt=when)
            | Q(pinned=pinned, last_activity_at=when, id__lt=pk)
        )
    rows = list(qs.select_related("author__profile").order_by("-pinned", "-last_activity_at", "-id")[: per_page + 1])
    more = len(rows) > per_page
    rows = rows[:per_page]
    next_key = (rows[-1].pinned, rows[-1].last_activity_at, rows[-1].pk) if more and rows else None
    return rows, next_key


def with_unread(user, threads: list[Thread]) -> list[Thread]:
    """Sets `thread.unread` (posts since the person last read it; None when never opened)."""
    marks = {}
    if signed_in(user) and threads:
        marks = dict(
            ReadMark.objects.filter(user=user, thread_id__in=[t.pk for t in threads]).values_list(
                "thread_id", "last_number"
            )
        )
    for thread in threads:
        seen = marks.get(thread.pk)
        thread.unread = None if seen is None else max(0, thread.post_count - seen)
    return threads


def pending_threads(group):
    return Thread.objects.filter(group=group, status=S.PENDING).select_related("author__profile")


def thread_for(user, pk: int) -> Thread | None:
    """The thread if this person may see it (a hidden or pending one: its facilitators and moderators)."""
    thread = Thread.objects.select_related("group", "author__profile", "answer").filter(pk=pk).first()
    if thread is None or not may_see_group_contents(user, thread.group):
        return None
    if thread.status != S.PUBLISHED and not (can(user, "thread.moderate", thread) or _own(user, thread)):
        return None
    return thread


def _own(user, obj) -> bool:
    return signed_in(user) and obj.author_id == user.pk


def may_see_thread(user, thread: Thread) -> bool:
    return thread.status == S.PUBLISHED and may_see_group_contents(user, thread.group)


def page_count(thread: Thread, per_page: int = POSTS_PER_PAGE) -> int:
    return max(1, -(-thread.post_count // per_page))


def page_of_number(number: int, per_page: int = POSTS_PER_PAGE) -> int:
    return max(1, (number - 1) // per_page + 1)


def posts_page(user, thread: Thread, page: int, per_page: int = POSTS_PER_PAGE) -> list[Post]:
    """Posts numbered ((page-1)*per_page, page*per_page] — an index range on (thread, number), so
    page 200 of a 10,000-reply thread costs what page 1 does. Posts waiting for moderation or hidden
    are in the list (so numbers stay in place) with `shown=False` for those who may not read them."""
    low = (page - 1) * per_page
    posts = list(
        Post.objects.filter(thread=thread, number__gt=low, number__lte=low + per_page)
        .select_related("author__profile")
        .order_by("number")
    )
    return decorate_posts(user, thread, posts)


def decorate_posts(user, thread: Thread, posts: list[Post]) -> list[Post]:
    """What a page needs of each post, for a whole page at once: may this person read it, did they
    +1 it, its files, its address, may they edit or report it."""
    moderator = can(user, "post.moderate", thread)
    mine = set()
    ids = [p.pk for p in posts]
    if signed_in(user) and posts:  # the posts this person gave a +1
        mine = set(PlusOne.objects.filter(user=user, post_id__in=ids).values_list("post_id", flat=True))
    files = attachments_of_many(Post, ids)
    link = reverse("conversations:post_link", kwargs={"pk": 0})[:-2]  # "/groups/p/": one reverse, not 50
    may_report = signed_in(user) and can(user, "moderation.report")
    may_change: dict[bool, bool] = {}  # the rule depends on the person, the group and ownership only
    for post in posts:
        post.shown = post.status == S.PUBLISHED or moderator or _own(user, post)
        post.plus_oned = post.pk in mine
        post.thread = thread
        post.files = files.get(post.pk, [])
        post.link = f"{link}{post.pk}/"  # its address; the page's actions are under it (urls.py)
        own = _own(user, post)
        if own not in may_change:
            may_change[own] = can(user, "post.change", post)
        post.may_edit = may_change[own]
        post.may_report = may_report and post.status == S.PUBLISHED and post.author_id != user.pk
    return posts


def read_mark(user, thread) -> int | None:
    if not signed_in(user):
        return None
    return ReadMark.objects.filter(user=user, thread=thread).values_list("last_number", flat=True).first()


def participants(thread: Thread):
    """Everyone who wrote in the thread (for the outcome mail)."""
    from django.contrib.auth import get_user_model

    authors = Post.objects.filter(thread=thread, status=S.PUBLISHED).values("author_id")
    voters = Vote.objects.filter(decision__thread=thread).values("user_id")
    return get_user_model().objects.filter(Q(pk__in=authors) | Q(pk__in=voters), is_active=True)


def decision_results(decision) -> dict[str, int]:
    counts: dict[str, int] = {}
    for choice in decision.votes.values_list("choice", flat=True):
        counts[choice] = counts.get(choice, 0) + 1
    return counts


def public_threads(group, limit: int = 30):
    """For feeds: a public group's latest threads (none for a private group, whoever asks)."""
    if group.access == Access.PRIVATE:
        return Thread.objects.none()
    return (
        Thread.objects.filter(group=group, status=S.PUBLISHED, merged_into__isnull=True)
        .select_related("author__profile")
        .order_by("-created_at", "-id")[:limit]
    )


def search_group(user, group, q: str, limit: int = 50):
    """Search inside one group the person may read (private groups included, for their members):
    thread titles and post bodies."""
    if not q or not may_see_group_contents(user, group):
        return Thread.objects.none()
    posts = Post.objects.filter(thread=OuterRef("pk"), status=S.PUBLISHED, body__icontains=q)
    return (
        Thread.objects.filter(group=group, status=S.PUBLISHED)
        .filter(Q(title__icontains=q) | Exists(posts))
        .order_by("-last_activity_at")[:limit]
    )


# ---- private conversations ---------------------------------------------------------------------
def is_blocked(a, b) -> bool:
    """True if either person blocked the other."""
    if a is None or b is None or getattr(a, "pk", None) is None or getattr(b, "pk", None) is None:
        return False
    return Block.objects.filter(Q(blocker_id=a.pk, blocked_id=b.pk) | Q(blocker_id=b.pk, blocked_id=a.pk)).exists()


def has_blocked(blocker, blocked) -> bool:
    return signed_in(blocker) and Block.objects.filter(blocker=blocker, blocked=blocked).exists()


def conversations_of(user):
    if not signed_in(user):
        return Conversation.objects.none()
    mine = Participant.objects.filter(conversation=OuterRef("pk"), user=user)
    return (
        Conversation.objects.filter(Exists(mine))
        .prefetch_related("participants__user__profile")
        .order_by("-last_message_at", "-id")
    )


def conversation_for(user, pk: int) -> Conversation | None:
    if not signed_in(user):
        return None
    conversation = Conversation.objects.filter(pk=pk).first()
    if conversation is None:
        return None
    if Participant.objects.filter(conversation=conversation, user=user).exists():
        return conversation
    return None


def is_participant(user, conversation) -> bool:
    return signed_in(user) and Participant.objects.filter(conversation=conversation, user=user).exists()


def messages_of(conversation, user):
    qs = Message.objects.filter(conversation=conversation).select_related("author__profile").order_by("id")
    moderator = can(user, "message.moderate")
    rows = list(qs)
    for m in rows:
        m.shown = m.status == S.PUBLISHED or moderator or (signed_in(user) and m.author_id == user.pk)
    return rows


def about_record(conversation, user):
    """The record the conversation is about, if this person may see it."""
    return resolve(conversation.about, user=user) if conversation.about else None


def unread_conversations(user) -> int:
    if not signed_in(user):
        return 0
    return (
        Participant.objects.filter(user=user, conversation__last_message_at__isnull=False)
        .filter(Q(last_read_at__isnull=True) | Q(last_read_at__lt=F("conversation__last_message_at")))
        .count()
    )
