"""The conversations part of the JSON API (/api/v1/): groups, threads and posts.

Reads answer anyone for open and by-request groups, and members only (a personal token, or the
session) for a private group: to anyone else a private group and its threads do not exist (404).
Writes (start a thread, reply) need a token (`Authorization: Bearer <token>`) or the session with
its CSRF token, and membership of the group. Lists are paginated with `limit` and `offset`; a
thread's posts by `page` (the same pages as the site's, an index range whatever the page)."""

from __future__ import annotations

from datetime import datetime

from django.http import Http404
from ninja import Field, Query, Router, Schema

from squaremile.conversations import selectors, services
from squaremile.conversations.models import Group
from squaremile.core.api import ErrorOut, Page, PageParams, Text, TokenAuth, optional_user, paginate
from squaremile.core.permissions import signed_in

router = Router(tags=["Conversations"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 429: ErrorOut}


class GroupOut(Schema):
    id: int
    slug: str
    name: str
    purpose: str
    topic: str
    access: str
    area: str | None = Field(None, alias="area.slug")
    member_count: int
    thread_count: int
    url: str = Field(alias="get_absolute_url")


class ThreadOut(Schema):
    id: int
    group: str = Field(alias="group.slug")
    title: str
    reply_count: int
    pinned: bool
    locked: bool
    closed: bool = Field(alias="is_closed")
    outcome: str
    created_at: datetime
    last_activity_at: datetime
    url: str = Field(alias="get_absolute_url")


class PostOut(Schema):
    id: int
    number: int
    author: str
    body: str
    plus_ones: int
    created_at: datetime
    edited_at: datetime | None

    @staticmethod
    def resolve_author(obj):
        profile = getattr(obj.author, "profile", None) if obj.author else None
        return (getattr(profile, "display_name", "") or "A member") if obj.author else "A member"

    @staticmethod
    def resolve_body(obj):
        return obj.body if obj.shown else ""


class PostsPage(Schema):
    thread: ThreadOut
    page: int
    pages: int
    items: list[PostOut]


class ThreadIn(Schema):
    title: Text = Field(..., min_length=1, max_length=200)
    body: Text = Field(..., min_length=1, max_length=20000, description="markdown")


class ReplyIn(Schema):
    body: Text = Field(..., min_length=1, max_length=20000, description="markdown")


def _group(request, slug: str) -> Group:
    user = optional_user(request)
    group = Group.objects.select_related("area").filter(slug=slug[:140]).first()
    if group is None or not selectors.may_see_group_contents(user, group):
        raise Http404("No such group.")
    return group


@router.get("/groups", response=Page[GroupOut], summary="Groups anyone may find (and the private ones you are in)")
def group_list(request, page: Query[PageParams]):
    user = optional_user(request)
    return paginate(selectors.groups_visible_to(user).select_related("area").order_by("name", "id"), page)


@router.get("/groups/{slug}", response={200: GroupOut, **ERRORS})
def group_detail(request, slug: Text):
    return _group(request, slug)


@router.get("/groups/{slug}/threads", response={200: Page[ThreadOut], **ERRORS})
def thread_list(request, slug: Text, page: Query[PageParams]):
    group = _group(request, slug)
    qs = (
        group.threads.filter(status="published", merged_into__isnull=True)
        .select_related("group")
        .order_by("-pinned", "-last_activity_at", "-id")
    )
    return paginate(qs, page, count=group.thread_count)


def _thread(request, thread_id: int):
    user = optional_user(request)
    thread = selectors.thread_for(user, thread_id) if 0 < thread_id < 2**31 else None
    if thread is None or thread.status != "published":
        raise Http404("No such conversation.")
    return user, thread


@router.get("/threads/{thread_id}", response={200: PostsPage, **ERRORS}, summary="A thread and one page of its posts")
def thread_detail(request, thread_id: int, page: int = 1):
    user, thread = _thread(request, thread_id)
    pages = selectors.page_count(thread)
    page = min(max(1, page), pages)
    return {"thread": thread, "page": page, "pages": pages, "items": selectors.posts_page(user, thread, page)}


def _writer(request):
    """The person a write is for: the token's owner (writes need a personal token)."""
    user = request.auth
    if not signed_in(user):
        from ninja.errors import HttpError

        raise HttpError(401, "Send a personal token: Authorization: Bearer <token>.")
    return user


@router.post(
    "/groups/{slug}/threads", response={201: ThreadOut, **ERRORS}, auth=TokenAuth(), summary="Start a thread (members)"
)
def thread_create(request, slug: Text, data: ThreadIn):
    user = _writer(request)
    group = _group(request, slug)
    thread = services.thread_start(group=group, by=user, title=data.title, body=data.body)
    return 201, thread


@router.post(
    "/threads/{thread_id}/posts", response={201: PostOut, **ERRORS}, auth=TokenAuth(), summary="Reply (members)"
)
def reply_create(request, thread_id: int, data: ReplyIn):
    user = _writer(request)
    _, thread = _thread(request, thread_id)
    post = services.reply_post(thread=thread, by=user, body=data.body)
    post.shown = True
    return 201, post
