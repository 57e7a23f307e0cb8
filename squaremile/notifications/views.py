"""The bell's list, marking read, the e-mail choices page, follow buttons and one-click unsubscribe."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from squaremile.core.pagination import paginate
from squaremile.notifications import followable, selectors, services, tokens
from squaremile.notifications.forms import PreferencesForm
from squaremile.notifications.models import Notification


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


@login_required
def notification_list(request):
    page = paginate(request, selectors.notifications_for(request.user))
    return render(request, "notifications/list.html", {"page": page})


@login_required
def notification_open(request, pk: int):
    """Opening a notification marks it read and leads to what it is about."""
    if pk >= 2**63:
        raise Http404
    note = get_object_or_404(Notification, pk=pk, recipient=request.user)
    services.mark_read(notification=note, by=request.user)
    url = note.url if note.url.startswith("/") and url_has_allowed_host_and_scheme(note.url, set()) else ""
    return redirect(url or "notifications:list")


@login_required
@require_POST
def mark_all_read(request):
    count = services.mark_all_read(user=request.user)
    if count:
        messages.success(request, "All your notifications are marked as read.")
    return redirect("notifications:list")


@login_required
def preferences(request):
    form = PreferencesForm(request.POST or None, choices=selectors.preferences_for(request.user))
    if request.method == "POST" and form.is_valid():
        services.preferences_set(user=request.user, by=request.user, choices=form.choices())
        messages.success(request, "Your choices are saved.")
        return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preferences.html",
        {"form": form, "follows": selectors.follows_of(request.user)[:50]},
        status=400 if form.is_bound else 200,
    )


@require_POST
def follow_toggle(request):
    """Follow or stop following a record: a form post (works without JavaScript) or htmx (answers
    with the button again)."""
    if not request.user.is_authenticated:
        return redirect("account_login")
    found = followable.resolve(request.POST.get("model", ""), request.POST.get("pk"))
    if found is None:
        return HttpResponseBadRequest("There is nothing to follow here.")
    _, target = found
    if request.POST.get("action") == "unfollow":
        services.unfollow(user=request.user, target=target)
    else:
        services.follow(user=request.user, target=target)  # PermissionDenied: the kind 403 page
    if request.htmx:
        from squaremile.notifications.templatetags.follow import button_context

        return render(request, "notifications/includes/_follow_button.html", button_context(request, target))
    following = request.POST.get("action") != "unfollow"
    messages.success(request, "You follow it now." if following else "You no longer follow it.")
    return redirect(_safe_next(request, "notifications:preferences"))


@csrf_exempt  # the one-click unsubscribe POST comes from a mail program (RFC 8058); the token is the key
def unsubscribe(request, token: str):
    data = tokens.read(token)
    if data is None:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=400)
    done = False
    if request.method == "POST":
        try:
            services.unsubscribe(token=token)
        except ValidationError as error:
            return render(request, "notifications/unsubscribe.html", {"invalid": True, "error": error}, status=400)
        done = True
    kind_label = "any notifications"
    if data.kind != tokens.ALL:
        from squaremile.notifications import kinds

        try:
            kind_label = f"“{kinds.get(data.kind).label}”"
        except LookupError:
            kind_label = "these e-mails"
    return render(
        request,
        "notifications/unsubscribe.html",
        {"data": data, "done": done, "kind_label": kind_label, "token": token, "has_account": data.user_id is not None},
    )
