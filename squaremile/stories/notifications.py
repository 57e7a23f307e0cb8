"""What stories tell people, through the one notification system (squaremile.notifications):

- moderators: a story waits for review (``stories.story_waiting``; straight away);
- the author: their story was published after review (``stories.story_published``), someone replied
  or said it helped them (``stories.story_response``; straight away by default);
- followers of a story's area and organisation: a new story (``stories.new_story``; daily digest).

Registered when the app loads (StoriesConfig.ready)."""

from __future__ import annotations

from django.urls import reverse

from squaremile.core.permissions import can, holders_of
from squaremile.moderation.models import ModerationState
from squaremile.notifications import followable, kinds
from squaremile.notifications.models import Delivery
from squaremile.notifications.services import notify, notify_followers
from squaremile.stories.models import Story

WAITING, PUBLISHED, RESPONSE, NEW = (
    "stories.story_waiting",
    "stories.story_published",
    "stories.story_response",
    "stories.new_story",
)


def _visible(user, story) -> bool:
    return isinstance(story, Story) and (story.status == ModerationState.PUBLISHED or can(user, "story.change", story))


kinds.register(
    WAITING,
    label="A story waits for review",
    default=Delivery.IMMEDIATE,
    description="For moderators: a new member's first story, before it is published.",
    check=lambda user, story: isinstance(story, Story) and story.status == ModerationState.PENDING,
    audience=lambda user: can(user, "story.moderate"),
)
kinds.register(
    PUBLISHED,
    label="Your story was published",
    subject="Your story is published",
    default=Delivery.IMMEDIATE,
    description="When a moderator publishes a story you told.",
    check=_visible,
)
kinds.register(
    RESPONSE,
    label="Replies to your stories",
    default=Delivery.IMMEDIATE,
    description="When someone replies to a story you told, or says it helped them.",
    check=_visible,
)
kinds.register(
    NEW,
    label="New stories where you follow",
    default=Delivery.DAILY,
    description="New stories in the areas and organisations you follow.",
    check=_visible,
)
followable.register(Story, visible=_visible, noun="this story")


def story_waiting(story: Story) -> None:
    people = [u for u in holders_of("story.moderate") if u.pk != story.owner_id]
    notify(
        kind=WAITING,
        recipients=people,
        target=story,
        actor=story.owner,
        url=reverse("moderation:queue") + "?kind=story",
        title=f"A story waits for review: {story.title}",
    )


def story_published(story: Story, *, by) -> None:
    """Its first publication: the author (when someone else published it) and the followers of its
    area and organisation."""
    if story.owner_id and story.owner:
        notify(
            kind=PUBLISHED,
            recipients=[story.owner],
            target=story,
            actor=by,
            url=story.get_absolute_url(),
            title=f"Your story is published: {story.title}",
        )
    targets = [t for t in (story.area, story.organisation) if t is not None]
    if targets:
        notify_followers(
            kind=NEW,
            targets=targets,
            target=story,
            actor=story.owner,
            url=story.get_absolute_url(),
            title=f"A new story: {story.title}",
        )


def story_response(story: Story, *, by, what: str) -> None:
    if story.owner_id and story.owner:
        notify(
            kind=RESPONSE,
            recipients=[story.owner],
            target=story,
            actor=by,
            url=story.get_absolute_url(),
            title=f"{by} {what} “{story.title}”",
        )
