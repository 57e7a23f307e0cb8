"""The moderation queue, single and bulk moderation actions, and a moderator's email preference."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from squaremile.core.pagination import paginate
from squaremile.mapping import services
from squaremile.mapping.forms import (
    BulkForm,
    MergeForm,
    ModerationPreferenceForm,
    NoteForm,
    QueueFilterForm,
    ReasonForm,
)
from squaremile.mapping.models import Entry, EntryStatus, ModerationPreference

ACTIONS = {
    "publish": ("Publish", "It shows on the map for everyone."),
    "reject": ("Reject", "It stays off the map; the person who sent it is emailed your reason."),
    "verify": ("Mark verified", "Tells everyone a moderator has checked it."),
    "unverify": ("Remove the verified mark", ""),
    "archive": ("Archive", "It leaves the map but is kept, and can be restored."),
    "restore": ("Restore", "Back on the map if it had been published, otherwise back in the queue."),
    "merge": ("Merge into another entry", "For duplicates: it leaves the map and its photos move to the one kept."),
}
PER_PAGE = 25


def _require_moderator(request):
    if not services.is_moderator(request.user):
        raise PermissionDenied("Only moderators can do this.")


def queue_entries(*, status: str = "pending", category=None, q: str = ""):
    """The queue's rows, oldest pending first (so nothing waits forever), with what each row shows."""
    qs = Entry.objects.select_related("category", "owner__profile", "area")
    if status:
        qs = qs.filter(status=status)
    if category is not None:
        qs = qs.filter(category=category)
    if q:
        qs = qs.filter(title__icontains=q)
    # Each order is served by an index: (status, created_at) within a status, updated_at across all.
    if status == EntryStatus.PENDING:
        order = ["created_at", "id"]
    elif status:
        order = ["-created_at", "-id"]
    else:
        order = ["-updated_at", "-id"]
    return qs.order_by(*order)


def _status_counts() -> dict:
    """How many entries each tab holds, except the published ones: on a large map they are most
    of the table, and counting them on every visit to the queue would cost more than it tells."""
    rows = (
        Entry.objects.filter(status__in=[s for s in EntryStatus.values if s != EntryStatus.PUBLISHED])
        .values("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["status"]: row["n"] for row in rows}


def _next_url(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


@login_required
@require_http_methods(["GET"])
def queue(request):
    _require_moderator(request)
    filter_form = QueueFilterForm(request.GET or None)
    filters = filter_form.filters()
    page = paginate(request, queue_entries(**filters), per_page=PER_PAGE)
    return _render_queue(request, filter_form, filters, page, BulkForm())


def _render_queue(request, filter_form, filters, page, bulk_form, *, status=200):
    counts = _status_counts()
    return render(
        request,
        "mapping/queue.html",
        {
            "filter_form": filter_form,
            "filters": filters,
            "page": page,
            "bulk_form": bulk_form,
            "filter_fields": [filter_form[name] for name in ("status", "category", "q")],
            "bulk_fields": [bulk_form["action"], bulk_form["reason"], bulk_form["into"]],
            "counts": counts,
            "statuses": [
                (value, label, None if value == EntryStatus.PUBLISHED else counts.get(value, 0))
                for value, label in EntryStatus.choices
            ],
            "checked": {int(v) for v in request.POST.getlist("entries") if v.isdigit()},
        },
        status=status,
    )


@login_required
@require_POST
def queue_bulk(request):
    """One action on every ticked entry: all of them or none, with every reason listed."""
    _require_moderator(request)
    form = BulkForm(request.POST)
    back = _next_url(request, reverse("mapping:queue"))
    if form.is_valid():
        entries = list(Entry.objects.filter(pk__in=form.cleaned_data["entries"]))
        try:
            done = services.entries_bulk(
                action=form.cleaned_data["action"], entries=entries, by=request.user,
                reason=form.cleaned_data.get("reason", ""), into=form.cleaned_data.get("into"),
            )  # fmt: skip
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            label = dict(BulkForm.ACTIONS)[form.cleaned_data["action"]].split(" (")[0].lower()
            messages.success(request, f"Done: {label} — {done} entr{'y' if done == 1 else 'ies'}.")
            return redirect(back)
    # Nothing was changed: show the same page of the queue with what was ticked and why it failed.
    filter_form = QueueFilterForm(request.GET or None)
    filters = filter_form.filters()
    page = paginate(request, queue_entries(**filters), per_page=PER_PAGE)
    return _render_queue(request, filter_form, filters, page, form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def moderate(request, pk, action):
    """One moderation action on one entry. GET asks (with a reason or a target when needed)."""
    _require_moderator(request)
    if action not in ACTIONS:
        raise PermissionDenied("Unknown action.")
    if not 0 < pk < 2**63:
        raise Http404("No such entry on the map.")
    entry = get_object_or_404(Entry.objects.select_related("category"), pk=pk)
    if action == "reject":
        form = ReasonForm(request.POST or None)
    elif action == "merge":
        form = MergeForm(request.POST or None, entry=entry)
    else:
        form = NoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if action == "reject":
                services.entry_reject(entry=entry, by=request.user, reason=form.cleaned_data["reason"])
            elif action == "merge":
                into = form.cleaned_data["into"]
                services.entry_merge(entry=entry, into=into, by=request.user)
            else:
                services.SINGLE[action](entry=entry, by=request.user, note=form.cleaned_data.get("note", ""))
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            done = {
                "publish": "Published", "reject": "Rejected; the submitter has been emailed the reason",
                "verify": "Marked verified", "unverify": "Verified mark removed", "archive": "Archived",
                "restore": "Restored", "merge": "Merged",
            }[action]  # fmt: skip
            messages.success(request, f"{done}: “{entry.title}”.")
            default = form.cleaned_data["into"].get_absolute_url() if action == "merge" else entry.get_absolute_url()
            return redirect(_next_url(request, default))
    problem = services.transition_error(entry, action) if action != "merge" else None
    return render(
        request,
        "mapping/moderate.html",
        {
            "entry": entry, "action": action, "form": form, "title": ACTIONS[action][0],
            "explain": ACTIONS[action][1], "problem": problem,
            "candidates": _duplicates(entry) if action == "merge" else [],
            "next": _next_url(request, ""),
        },
        status=400 if request.method == "POST" else 200,
    )  # fmt: skip


def _duplicates(entry: Entry, limit: int = 8):
    """Entries that may be the same thing: near it (about 1 km) or with the same title."""
    box = 0.01
    return list(
        Entry.objects.exclude(pk=entry.pk)
        .exclude(status=EntryStatus.MERGED)
        .filter(
            Q(
                lat__gte=entry.lat - box,
                lat__lte=entry.lat + box,
                lng__gte=entry.lng - box * 1.7,
                lng__lte=entry.lng + box * 1.7,
            )
            | Q(title__iexact=entry.title)
        )  # fmt: skip
        .select_related("category")
        .order_by("-id")[:limit]
    )


@login_required
@require_http_methods(["GET", "POST"])
def moderation_settings(request):
    _require_moderator(request)
    pref = ModerationPreference.objects.filter(user=request.user).first() or ModerationPreference(user=request.user)
    form = ModerationPreferenceForm(request.POST or None, instance=pref)
    if request.method == "POST" and form.is_valid():
        services.moderation_preference_set(user=request.user, by=request.user, mode=form.cleaned_data["mode"])
        messages.success(request, "Saved how we tell you about entries waiting for moderation.")
        return redirect("mapping:queue")
    return render(request, "mapping/moderation_settings.html", {"form": form},
                  status=400 if request.method == "POST" else 200)  # fmt: skip
