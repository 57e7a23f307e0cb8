"""Keeping the site's search (`core.search`) in step with stories: a public, published story is
indexed; anything else (a draft, one waiting for review, hidden, deleted) is taken out."""

from squaremile.core.search import index_document, index_documents, remove_document
from squaremile.core.text import plain_text
from squaremile.moderation.models import ModerationState
from squaremile.stories.models import Story

KIND = "story"


def sync(story: Story) -> None:
    if story.pk is None:
        return
    if story.status != ModerationState.PUBLISHED:
        remove_document(kind=KIND, object_id=story.pk)
        return
    tags = " ".join(t.name for t in story.tags.all())
    body = " ".join(part for part in (plain_text(story.body), story.source, tags) if part)
    index_document(
        kind=KIND,
        object_id=story.pk,
        title=story.title,
        body=body[:20000],
        url=story.get_absolute_url(),
        area_id=story.area_id,
    )


def sync_linked(stories) -> None:
    """A feed's new or changed items at once (published, plain text already, no tags yet)."""
    index_documents(
        {"kind": KIND, "object_id": s.pk, "title": s.title, "body": " ".join(filter(None, (s.body, s.source))),
         "url": s.get_absolute_url(), "area_id": s.area_id}
        for s in stories if s.status == ModerationState.PUBLISHED
    )  # fmt: skip


def remove(story_id: int) -> None:
    remove_document(kind=KIND, object_id=story_id)
