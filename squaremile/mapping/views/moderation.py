"""Single moderation actions on an entry (with merge, the map's own), a moderator's email
preference, and the old queue address, which now leads to the one moderation queue
(`squaremile.moderation`)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_http_methods

from squaremile.mapping.entries import services
from squaremile.mapping.entries.forms import MergeForm, NoteForm, ReasonForm
from squaremile.mapping.models import Entry, EntryStatus

ACTIONS = {
    "publish": ("Publish", "It shows on the map for everyone."),
    "reject": ("Reject", "It stays off the map; the person who sent it is emailed your reason."),
    "verify": ("Mark verified", "Tells everyone a moderator has checked it."),
    "unverify": ("Remove the verified mark", ""),
    "archive": ("Archive", "It leaves the map but is kept, and can be restored."),
    "hide": ("Hide", "It leaves the map until a moderator restores it."),
    "restore": ("Restore", "Back on the map if it had been published, otherwise back in the queue."),
    "merge": ("Merge into another entry", "For duplicates: it leaves the map and its photos move to the one kept."),
}


def _require_moderator(request):
    if not services.is_moderator(request.user):
        raise PermissionDenied("Only moderators can do this.")


def _next_url(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


@login_required
@require_http_methods(["GET"])
def queue(request):
    """The map's queue is the one moderation queue, showing map entries (old links keep working)."""
    _require_moderator(request)
    params = {"kind": "entry"}
    status = request.GET.get("status", "")
    if status in EntryStatus.values and status != EntryStatus.MERGED:
        params["state"] = status
    if request.GET.get("q"):
        params["q"] = request.GET["q"][:200]
    return redirect(f"{reverse('moderation:queue')}?{urlencode(params)}")


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
                "hide": "Hidden", "restore": "Restored", "merge": "Merged",
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
def moderation_settings(request):
    """Moderators choose their e-mails with everyone else's, on the notification e-mails page."""
    _require_moderator(request)
    return redirect("notifications:preferences")
