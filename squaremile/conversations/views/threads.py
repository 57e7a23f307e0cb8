"""A thread: its posts a page at a time (any page is one index range), "new since you last read",
replying (quoting, @mentions, links as cards, photos and files), editing with history, one "+1",
the answer, the decision and votes, and the facilitators' tools."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST

from squaremile.audit.selectors import history_for
from squaremile.conversations import selectors, services
from squaremile.conversations.forms import (
    DecisionForm,
    EditForm,
    MergeForm,
    MoveForm,
    OutcomeForm,
    ReplyForm,
    SlowForm,
    SplitForm,
    VoteForm,
    with_mentions,
)
from squaremile.conversations.models import DecisionKind, Position, Post, Thread
from squaremile.conversations.services.decisions import is_open
from squaremile.conversations.text import handle_of, linked_records, quote
from squaremile.core import ratelimit
from squaremile.core.permissions import can, signed_in
from squaremile.core.text import render_markdown

MAX_PK = 2**31


def _thread(request, pk) -> Thread:
    thread = selectors.thread_for(request.user, pk) if pk < MAX_PK else None
    if thread is None:
        raise Http404("No such conversation.")
    return thread


def _page_number(request, thread) -> int | None:
    raw = (request.GET.get("page") or "")[:9]
    if raw == "last":
        return selectors.page_count(thread)
    if raw.isdigit():
        return min(max(1, int(raw)), selectors.page_count(thread))
    return None


def _decision_context(request, thread):
    decision = getattr(thread, "decision", None)
    if decision is None:
        return {}
    open_now = is_open(decision) and not thread.is_closed
    choices = [(o, o) for o in decision.options] if decision.kind == DecisionKind.CHOICE else Position.choices
    mine = decision.votes.filter(user=request.user).first() if signed_in(request.user) else None
    show = not open_now or decision.live_results
    results = []
    if show:
        counts = selectors.decision_results(decision)
        results = [(label, counts.get(value, 0)) for value, label in choices]
    return {
        "decision": decision,
        "decision_open": open_now,
        "vote_form": VoteForm(
            choices=choices, initial={"choice": mine.choice if mine else None, "reason": mine.reason if mine else ""}
        ),
        "my_vote": mine,
        "results": results,
        "reasons": list(decision.votes.exclude(reason="").select_related("user__profile")[:200]) if show else [],
    }


def thread_detail(request, pk, form=None, status=200):
    thread = _thread(request, pk)
    if thread.merged_into_id:
        return redirect(reverse("conversations:thread_detail", kwargs={"pk": thread.merged_into_id}))
    page = _page_number(request, thread)
    seen = selectors.read_mark(request.user, thread)
    if page is None:
        # "new since you last read": open at the first post they have not seen
        first_new = (seen + 1) if seen is not None and seen < thread.post_count else None
        page = selectors.page_of_number(first_new) if first_new else 1
    posts = selectors.posts_page(request.user, thread, page)
    if posts and signed_in(request.user):
        services.read_mark_set(thread=thread, user=request.user, number=posts[-1].number)
    group = thread.group
    facilitator = can(request.user, "group.facilitate", group)
    may_post = can(request.user, "group.post", group)
    writable = may_post and not thread.is_closed and (not thread.locked or facilitator)
    may_answer = facilitator or (signed_in(request.user) and thread.author_id == request.user.pk)
    _for_the_page(posts, request.user, thread=thread, seen=seen, may_post=may_post, facilitator=facilitator,
                  may_answer=may_answer)  # fmt: skip
    pages = selectors.page_count(thread)
    context = {
        # addresses the page repeats for each post, made once (a reverse per post and action is
        # most of a page's time): "{{ p_base }}{{ post.pk }}/edit/" and so on
        "p_base": reverse("conversations:post_link", kwargs={"pk": 0})[:-2],
        "quote_base": reverse("conversations:quote_reply", kwargs={"pk": thread.pk, "number": 0})[:-2],
        "report_base": reverse("moderation:report", args=["post", 0])[: -len("0/report/")],
        "thread": thread,
        "group": group,
        "posts": posts,
        "page": page,
        "pages": pages,
        "page_range": _page_links(page, pages),
        "first_new_link": _first_new_link(thread, posts, seen),
        "form": with_mentions(form or ReplyForm(), _mention_url(thread)),
        "writable": writable,
        "may_post": may_post,
        "facilitator": facilitator,
        "may_answer": may_answer,
        "outcome_form": OutcomeForm(),
        "decision_form": DecisionForm(initial={"closes_on": (timezone.now() + dt.timedelta(days=7)).date()}),
        "slow_form": SlowForm(initial={"minutes": thread.slow_minutes}),
        "move_form": MoveForm(groups=selectors.groups_visible_to(request.user).exclude(pk=group.pk))
        if facilitator
        else None,
        "merge_form": MergeForm(),
        "split_form": SplitForm(),
        **_decision_context(request, thread),
    }
    return render(request, "conversations/thread_detail.html", context, status=status)


def _for_the_page(posts, user, *, thread, seen, may_post, facilitator, may_answer) -> None:
    """What the page shows of each post, decided here once rather than by a dozen template tests per
    post (the template engine's look-ups are most of a page's time)."""
    memo: dict = {}
    me = user.pk if signed_in(user) else None
    for post in posts:
        post.cards = linked_records(post.body, user=user, memo=memo) if post.shown else []
        post.is_new = seen is not None and post.number > seen and post.author_id != me
        post.is_answer = thread.answer_id == post.pk
        profile = getattr(post.author, "profile", None) if post.author_id else None
        post.author_name = (getattr(profile, "display_name", "") or "").strip() or "A member"
        post.when = date_format(timezone.localtime(post.created_at), "j M Y, H:i")
        # rendered and sanitised once when written (render_markdown: nh3); older rows are rendered now
        post.html_safe = mark_safe(post.html or render_markdown(post.body))  # noqa: S308
        published = post.status == "published"
        post.waiting = "" if published else ("Waiting for a facilitator." if post.status == "pending"
                                            else f"{post.get_status_display()}.")  # fmt: skip
        post.may_plus_one = may_post and published and post.author_id != me
        post.may_edit = post.may_edit and not thread.is_closed
        post.may_mark_answer = may_answer and post.number > 1 and published
        post.may_let_through = facilitator and post.status == "pending"


def _first_new_link(thread, posts, seen) -> str:
    """Where "Jump to the first new post" goes: its anchor when it is on this page, else its own
    address. Anchors name the post (`#post-<id>`), not its number: merging and splitting threads
    renumber posts, and a link to a post must still find it."""
    if seen is None or seen >= thread.post_count:
        return ""
    for post in posts:
        if post.number > seen:
            return f"#post-{post.pk}"
    pk = Post.objects.filter(thread=thread, number__gt=seen).order_by("number").values_list("pk", flat=True).first()
    return reverse("conversations:post_link", kwargs={"pk": pk}) if pk else ""


def _mention_url(thread) -> str:
    return reverse("conversations:mention_suggest", kwargs={"slug": thread.group.slug}) + f"?thread={thread.pk}"


def _page_links(page: int, pages: int) -> list[int]:
    wanted = {1, pages, page - 1, page, page + 1}
    return sorted(p for p in wanted if 1 <= p <= pages)


def post_link(request, pk):
    """A post's own address: its thread at the page that holds it."""
    post = Post.objects.filter(pk=pk).select_related("thread").first() if pk < MAX_PK else None
    if post is None or selectors.thread_for(request.user, post.thread_id) is None:
        raise Http404("No such post.")
    page = selectors.page_of_number(post.number)
    url = reverse("conversations:thread_detail", kwargs={"pk": post.thread_id})
    return redirect(f"{url}?page={page}#post-{post.pk}")


@login_required
@require_POST
def reply(request, pk):
    thread = _thread(request, pk)
    form = ReplyForm(request.POST, request.FILES or None)
    if not form.is_valid():
        return thread_detail(request, pk, form=form, status=400)
    quote_of = None
    if form.cleaned_data.get("quote"):
        quote_of = Post.objects.filter(thread=thread, number=form.cleaned_data["quote"]).first()
    try:
        post = services.reply_post(
            thread=thread,
            by=request.user,
            body=form.cleaned_data["body"],
            quote_of=quote_of,
            files=form.cleaned_data.get("photos") or (),
            alts=form.cleaned_data.get("photo_alt") or (),
        )
    except ratelimit.RateLimited as exc:
        form.add_error(None, exc.message)
        return thread_detail(request, pk, form=form, status=429)
    except (ValidationError, PermissionDenied) as exc:
        if isinstance(exc, PermissionDenied):
            form.add_error(None, str(exc))
        else:
            form.add_service_errors(exc)
        return thread_detail(request, pk, form=form, status=400 if isinstance(exc, ValidationError) else 403)
    if post.status != "published":
        messages.success(request, "Thanks: a facilitator will check your reply before it shows.")
    page = selectors.page_of_number(post.number)
    return redirect(reverse("conversations:thread_detail", kwargs={"pk": thread.pk}) + f"?page={page}#post-{post.pk}")


def quote_reply(request, pk, number):
    """The reply form with another post quoted (works without JavaScript)."""
    thread = _thread(request, pk)
    post = (
        Post.objects.filter(thread=thread, number=number, status="published").select_related("author__profile").first()
        if number < MAX_PK
        else None
    )
    if post is None:
        raise Http404("No such post.")
    name = handle_of(post.author) if post.author else "Someone"
    form = with_mentions(
        ReplyForm(initial={"body": quote(post.body, name), "quote": post.number}), _mention_url(thread)
    )
    return render(request, "conversations/reply_form.html", {"thread": thread, "form": form, "quoted": post})


@login_required
@require_http_methods(["GET", "POST"])
def post_edit(request, pk):
    post = Post.objects.filter(pk=pk).select_related("thread__group").first() if pk < MAX_PK else None
    if post is None or selectors.thread_for(request.user, post.thread_id) is None:
        raise Http404("No such post.")
    if not can(request.user, "post.change", post):
        raise PermissionDenied
    form = EditForm(request.POST or None, initial={"body": post.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.post_edit(post=post, by=request.user, body=form.cleaned_data["body"])
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            return redirect(post.get_absolute_url())
    history = list(history_for(post)[:50])
    status = 400 if request.method == "POST" else 200
    return render(
        request, "conversations/post_edit.html", {"post": post, "form": form, "history": history}, status=status
    )


def post_history(request, pk):
    post = Post.objects.filter(pk=pk).select_related("thread__group").first() if pk < MAX_PK else None
    if post is None or selectors.thread_for(request.user, post.thread_id) is None:
        raise Http404("No such post.")
    return render(request, "conversations/post_history.html", {"post": post, "history": list(history_for(post)[:50])})


@login_required
@require_POST
def plus_one(request, pk):
    post = Post.objects.filter(pk=pk).select_related("thread__group").first() if pk < MAX_PK else None
    if post is None or selectors.thread_for(request.user, post.thread_id) is None:
        raise Http404("No such post.")
    try:
        services.plus_one_toggle(post=post, by=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    return redirect(post.get_absolute_url())


@login_required
@require_POST
def answer(request, pk):
    post = Post.objects.filter(pk=pk).select_related("thread__group").first() if pk < MAX_PK else None
    if post is None or selectors.thread_for(request.user, post.thread_id) is None:
        raise Http404("No such post.")
    thread = post.thread
    try:
        services.answer_mark(thread=thread, by=request.user, post=None if request.POST.get("unmark") else post)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(post.get_absolute_url())


@login_required
@require_POST
def publish_held(request, pk):
    post = Post.objects.filter(pk=pk).select_related("thread__group").first() if pk < MAX_PK else None
    if post is None:
        raise Http404("No such post.")
    try:
        services.post_publish_held(post=post, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Published.")
    return redirect(post.get_absolute_url())


@login_required
@require_POST
def facilitate(request, pk, action):
    thread = _thread(request, pk)
    if not can(request.user, "group.facilitate", thread.group):
        raise PermissionDenied
    target = thread
    try:
        if action in ("pin", "unpin"):
            services.thread_pin(thread=thread, by=request.user, pinned=action == "pin")
        elif action in ("lock", "unlock"):
            services.thread_lock(thread=thread, by=request.user, locked=action == "lock")
        elif action == "slow":
            form = SlowForm(request.POST)
            if not form.is_valid():
                raise ValidationError("Give a number of minutes between 0 and 1440.")
            services.thread_slow(thread=thread, by=request.user, minutes=form.cleaned_data["minutes"])
        elif action == "close":
            form = OutcomeForm(request.POST)
            if not form.is_valid():
                raise ValidationError("Say what came of it: the outcome is sent to everyone in it.")
            services.thread_close(thread=thread, by=request.user, outcome=form.cleaned_data["outcome"])
        elif action == "move":
            form = MoveForm(request.POST, groups=selectors.groups_visible_to(request.user))
            if not form.is_valid():
                raise ValidationError("Choose a group.")
            services.thread_move(thread=thread, by=request.user, to_group=form.cleaned_data["group"])
        elif action == "merge":
            form = MergeForm(request.POST)
            into = selectors.thread_for(request.user, form.cleaned_data["into"]) if form.is_valid() else None
            if into is None:
                raise ValidationError("Give the number of a conversation of this group.")
            target = services.thread_merge(thread=thread, by=request.user, into=into)
        elif action == "split":
            form = SplitForm(request.POST)
            if not form.is_valid():
                raise ValidationError("Give a reply number and a title.")
            target = services.thread_split(thread=thread, by=request.user, **form.cleaned_data)
        elif action == "decide":
            form = DecisionForm(request.POST)
            if not form.is_valid():
                raise ValidationError("Say what is being decided and when it closes.")
            data = form.cleaned_data
            closes = timezone.make_aware(dt.datetime.combine(data["closes_on"], dt.time(23, 59)))
            services.decision_open(
                thread=thread,
                by=request.user,
                kind=data["kind"],
                question=data["question"],
                closes_at=closes,
                options=data["options"],
                live_results=data["live_results"],
            )
        elif action == "end-decision" and getattr(thread, "decision", None) is not None:
            services.decision_close(decision=thread.decision, by=request.user)
        else:
            raise Http404("No such action.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(thread.get_absolute_url())
    messages.success(request, "Done.")
    return redirect(target.get_absolute_url())


@login_required
@require_POST
def vote(request, pk):
    thread = _thread(request, pk)
    decision = getattr(thread, "decision", None)
    if decision is None:
        raise Http404("No decision here.")
    choices = [(o, o) for o in decision.options] if decision.kind == DecisionKind.CHOICE else Position.choices
    form = VoteForm(request.POST, choices=choices)
    if not form.is_valid():
        messages.error(request, "Choose one of the answers.")
        return redirect(thread.get_absolute_url() + "#decision")
    try:
        services.vote_cast(decision=decision, by=request.user, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, "Your answer is counted. You can change it until the decision closes.")
    return redirect(thread.get_absolute_url() + "#decision")
