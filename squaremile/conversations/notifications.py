"""What conversations tell people, through the one notification system and the one e-mail path.

- members of a group, by their choice for that group (`Membership.email_mode`): every post by
  e-mail (mailing-list mode: the whole post, with a reply address: answering the mail posts the
  reply), a daily or weekly digest (the shared digests), or nothing (`conversations.group_post`);
- a person @mentioned in a post (`conversations.mention`, straight away, with a reply address);
- everyone who took part in a thread, when it is closed with an outcome (`conversations.outcome`);
- the others in a private conversation (`conversations.private_message`, with a reply address);
- facilitators: someone asks to join (`conversations.join_request`); a person invited to a group
  (`conversations.invited`).

Every check runs again at send time (digests): a post hidden since, or a private group the person
left, is not sent. Subjects are fixed words; the thread is kept together in mail clients by the
`References` header."""

from __future__ import annotations

from django.conf import settings

from squaremile.conversations import selectors
from squaremile.conversations.models import Conversation, EmailMode, Group, Membership, MemberStatus, Post, Thread
from squaremile.core import spaces
from squaremile.core.site import absolute_url
from squaremile.notifications import followable, kinds
from squaremile.notifications.inbound import reply_address
from squaremile.notifications.models import Delivery
from squaremile.notifications.services import followers_of, notify, notify_followers

FOLLOWED_THREAD = "conversations.followed_thread"  # a new conversation in a group one follows
GROUP_POST, MENTION, OUTCOME, PRIVATE, JOIN_REQUEST, INVITED = (
    "conversations.group_post",
    "conversations.mention",
    "conversations.outcome",
    "conversations.private_message",
    "conversations.join_request",
    "conversations.invited",
)
REPLY, GROUP_ADDRESS, PRIVATE_REPLY = "conversations.reply", "conversations.group", "conversations.private"
MODE_DELIVERY = {
    EmailMode.EACH: Delivery.IMMEDIATE,
    EmailMode.DAILY: Delivery.DAILY,
    EmailMode.WEEKLY: Delivery.WEEKLY,
}


def _thread_of(target):
    if isinstance(target, Post):
        return target.thread
    return target if isinstance(target, Thread) else None


def _still_readable(user, target) -> bool:
    thread = _thread_of(target)
    if thread is None:
        return False
    if isinstance(target, Post) and target.status != "published":
        return False
    return selectors.may_see_thread(user, thread)


def _readable_by_all(target) -> bool | None:
    """The same answer as `_still_readable` for everyone, when there is one (digests ask it once per
    thread): nobody for a hidden post or thread, everybody for a public group's; None for a private
    group's (members only: asked per person)."""
    thread = _thread_of(target)
    if thread is None or thread.status != "published":
        return False
    if isinstance(target, Post) and target.status != "published":
        return False
    return None if thread.group.is_private else True


def _participant(user, target) -> bool:
    return isinstance(target, Conversation) and selectors.is_participant(user, target)


kinds.register(
    GROUP_POST, label="New posts in your groups", subject="New post in your group",
    description="Each group has its own choice (every post, daily, weekly or none) on its page.",
    default=Delivery.DAILY, check=_still_readable, check_all=_readable_by_all,
)  # fmt: skip
kinds.register(
    FOLLOWED_THREAD, label="New conversations in groups you follow", subject="A new conversation in a group you follow",
    description="Follow a group from its page to hear of its new conversations without joining it.",
    default=Delivery.DAILY, check=_still_readable, check_all=_readable_by_all,
)  # fmt: skip
# following a group: anyone who may read its conversations (a private group's: its members)
followable.register(Group, visible=lambda user, group: selectors.may_see_group_contents(user, group),
                    noun="this group")  # fmt: skip
kinds.register(
    MENTION, label="Someone mentioned you", subject="You were mentioned in a conversation",
    default=Delivery.IMMEDIATE, check=_still_readable, check_all=_readable_by_all,
)  # fmt: skip
kinds.register(
    OUTCOME, label="A conversation you took part in has an outcome", subject="A conversation has an outcome",
    default=Delivery.IMMEDIATE, check=_still_readable, check_all=_readable_by_all,
)  # fmt: skip
kinds.register(
    PRIVATE, label="A private message to you", subject="You have a private message",
    default=Delivery.IMMEDIATE, check=_participant,
)  # fmt: skip
kinds.register(
    JOIN_REQUEST, label="Someone asks to join a group you facilitate", subject="Someone asks to join your group",
    default=Delivery.IMMEDIATE,
)  # fmt: skip
kinds.register(INVITED, label="You were invited to a group", subject="You are invited to a group",
               default=Delivery.IMMEDIATE)  # fmt: skip


def _references(thread: Thread) -> dict:
    host = (getattr(settings, "INBOUND_MAIL_DOMAIN", "") or "squaremile.invalid").strip()
    ref = f"<thread-{thread.pk}@{host}>"
    return {"References": ref, "In-Reply-To": ref}


def post_published(*, post: Post, by) -> None:
    """A post is readable: its group's members hear of it by their choice, the people it mentions
    straight away. Call inside the service's transaction (mails go on commit)."""
    from squaremile.conversations.text import mentioned_handles, mentioned_people

    thread = post.thread
    group = thread.group
    url = post.get_absolute_url()
    rows = list(
        selectors.members(group)
        .exclude(email_mode=EmailMode.NONE)
        .exclude(user_id=getattr(by, "pk", None))
        .values_list("user_id", "email_mode")
    )
    from django.contrib.auth import get_user_model

    User = get_user_model()
    delivery = {uid: MODE_DELIVERY[mode] for uid, mode in rows}
    recipients = list(User.objects.filter(pk__in=delivery, is_active=True).select_related("profile"))
    context = {"post": post, "thread": thread, "group": group, "post_link": absolute_url(url)}
    is_opening = post.number == 1
    title = (
        f"New conversation in {group.name}: {thread.title}"
        if is_opening
        else f"New reply in {group.name}: {thread.title}"
    )
    notify(
        kind=GROUP_POST, recipients=recipients, target=thread, actor=by, title=title, url=url,
        email_template="conversations/email/post", email_context=context, delivery_for=delivery,
        reply_to=lambda person: reply_address(REPLY, user=person, obj=thread),
    )  # fmt: skip
    if is_opening:  # people who follow the group (without hearing of its posts as members) hear of it too
        told = Membership.objects.filter(group=group, status=MemberStatus.MEMBER).exclude(email_mode=EmailMode.NONE)
        notify_followers(
            kind=FOLLOWED_THREAD, targets=[group], target=thread, actor=by, title=title, url=url,
            exclude=list(followers_of(group).filter(pk__in=told.values("user_id"))),
        )  # fmt: skip
    if not mentioned_handles(post.body):
        return
    candidates = [m.user for m in selectors.members(group)] + list(selectors.participants(thread))
    named = [p for p in mentioned_people(post.body, candidates) if selectors.may_see_thread(p, thread)]
    if named:
        notify(
            kind=MENTION, recipients=named, target=thread, actor=by,
            title=f"{_name(by)} mentioned you in {thread.title}", url=url,
            email_template="conversations/email/post", email_context={**context, "mention": True},
            reply_to=lambda person: reply_address(REPLY, user=person, obj=thread),
        )  # fmt: skip


def outcome_reached(*, thread: Thread, by) -> None:
    people = list(selectors.participants(thread)) + [m.user for m in selectors.members(thread.group)
                                                     .exclude(email_mode=EmailMode.NONE)]  # fmt: skip
    notify(
        kind=OUTCOME, recipients=people, target=thread, actor=by,
        title=f"Outcome of “{thread.title}”", body=thread.outcome, url=thread.get_absolute_url(),
        email_template="conversations/email/outcome",
        email_context={"thread": thread, "group": thread.group, "link": absolute_url(thread.get_absolute_url())},
    )  # fmt: skip


def private_message(*, conversation: Conversation, message, by, recipients) -> None:
    notify(
        kind=PRIVATE, recipients=recipients, target=conversation, actor=by,
        title=f"{_name(by)} sent you a private message", url=conversation.get_absolute_url(),
        email_template="conversations/email/private",
        email_context={"conversation": conversation, "message": message,
                       "link": absolute_url(conversation.get_absolute_url())},
        reply_to=lambda person: reply_address(PRIVATE_REPLY, user=person, obj=conversation),
    )  # fmt: skip


def join_requested(*, group: Group, by) -> None:
    notify(
        kind=JOIN_REQUEST, recipients=facilitators(group),
        target=group, actor=by, title=f"{_name(by)} asks to join {group.name}",
        url=group.get_absolute_url() + "members/",
    )  # fmt: skip


def invited(*, group: Group, person, by) -> None:
    notify(kind=INVITED, recipients=[person], target=group, actor=by,
           title=f"{_name(by)} invited you to {group.name}", url=group.get_absolute_url())  # fmt: skip


def facilitators(group) -> list:
    people = [held.user for held in spaces.holders(group, "facilitator")]
    if group.owner is not None and group.owner not in people:
        people.append(group.owner)
    return people


def _name(user) -> str:
    profile = getattr(user, "profile", None)
    return (getattr(profile, "display_name", "") or "").strip() or "Someone"


def group_address(group: Group) -> str:
    """The group's own address: a mail to it starts a thread (for members)."""
    return reply_address(GROUP_ADDRESS, user=None, obj=group)
