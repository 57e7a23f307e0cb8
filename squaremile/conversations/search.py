"""Threads and posts in the one site search (`core.search`), and only those anyone may read: a
private group's threads and posts are never indexed (and are removed when a group becomes private),
nor are posts waiting for moderation or hidden. Members search a private group on its own page
(`selectors.search_group`)."""

from __future__ import annotations

from squaremile.conversations.models import Access, Group, Post, Thread
from squaremile.core.search import index_document, remove_document
from squaremile.core.text import plain_text
from squaremile.moderation.models import ModerationState as S

THREAD, POST, GROUP = "thread", "post", "group"


def _public(thread: Thread) -> bool:
    return thread.group.access != Access.PRIVATE and thread.status == S.PUBLISHED and thread.merged_into_id is None


def index_thread(thread: Thread, opening: Post | None = None) -> None:
    if not _public(thread):
        remove_document(kind=THREAD, object_id=thread.pk)
        return
    if opening is None:
        opening = Post.objects.filter(thread=thread, number=1).first()
    index_document(
        kind=THREAD, object_id=thread.pk, title=thread.title,
        body=" ".join(filter(None, [plain_text(opening.body if opening else ""), plain_text(thread.outcome)])),
        url=thread.get_absolute_url(), area_id=thread.group.area_id,
    )  # fmt: skip


def index_post(post: Post) -> None:
    if post.number == 1:
        index_thread(post.thread, post)
        return
    if not _public(post.thread) or post.status != S.PUBLISHED:
        remove_document(kind=POST, object_id=post.pk)
        return
    index_document(
        kind=POST, object_id=post.pk, title=f"Re: {post.thread.title}", body=plain_text(post.body),
        url=post.get_absolute_url(), area_id=post.thread.group.area_id,
    )  # fmt: skip


def index_group(group: Group) -> None:
    if group.access == Access.PRIVATE:
        remove_document(kind=GROUP, object_id=group.pk)
    else:
        index_document(kind=GROUP, object_id=group.pk, title=group.name, body=plain_text(group.purpose),
                       url=group.get_absolute_url(), area_id=group.area_id)  # fmt: skip


def reindex_group(group: Group) -> None:
    """The group and everything in it, after its access changed (private: all of it leaves the index)."""
    index_group(group)
    for thread in Thread.objects.filter(group=group).select_related("group"):
        index_thread(thread)
        for post in Post.objects.filter(thread=thread, number__gt=1).select_related("thread__group"):
            index_post(post)


def remove_thread(thread: Thread) -> None:
    remove_document(kind=THREAD, object_id=thread.pk)
