"""Private conversations: the list, starting one (GET ?with=<user id>&about=<ref> shows a short form,
POST starts it), one conversation, writing in it, blocking."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from squaremile.conversations import selectors, services
from squaremile.conversations.forms import MessageForm, PrivateStartForm
from squaremile.core import ratelimit
from squaremile.core.records import resolve

User = get_user_model()


def _person(value):
    value = (value or "").strip()
    if not value.isdigit() or len(value) > 12:
        return None
    return User.objects.filter(pk=int(value), is_active=True).select_related("profile").first()


@login_required
def private_list(request):
    conversations = list(selectors.conversations_of(request.user)[:100])
    return render(request, "conversations/private_list.html", {"conversations": conversations})


@login_required
@require_http_methods(["GET", "POST"])
def private_start(request):
    person = _person(request.GET.get("with") or request.POST.get("with"))
    if person is None or person.pk == request.user.pk:
        raise Http404("Nobody to write to.")
    about_ref = (request.GET.get("about") or request.POST.get("about") or "")[:80]
    about = resolve(about_ref, user=request.user) if about_ref else None
    blocked = selectors.is_blocked(request.user, person)
    form = PrivateStartForm(request.POST or None)
    status = 200
    if request.method == "POST" and not blocked and form.is_valid():
        try:
            conversation = services.private_conversation_start(
                by=request.user, with_users=[person], subject=form.cleaned_data["subject"], about=about,
                first_message=form.cleaned_data["body"],
            )  # fmt: skip
        except ratelimit.RateLimited as exc:
            form.add_error(None, exc.message)
            status = 429
        except ValidationError as exc:
            form.add_service_errors(exc)
            status = 400
        else:
            messages.success(request, "Sent.")
            return redirect(conversation.get_absolute_url())
    elif request.method == "POST":
        status = 403 if blocked else 400
    return render(
        request, "conversations/private_start.html",
        {"form": form, "person": person, "about": about, "about_ref": about_ref if about else "", "blocked": blocked},
        status=status,
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def private_detail(request, pk):
    conversation = selectors.conversation_for(request.user, pk)
    if conversation is None:
        raise Http404("No such conversation.")
    form = MessageForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.message_send(conversation=conversation, by=request.user, body=form.cleaned_data["body"])
            except ratelimit.RateLimited as exc:
                form.add_error(None, exc.message)
                status = 429
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
                status = 403
            except ValidationError as exc:
                form.add_service_errors(exc)
                status = 400
            else:
                return redirect(conversation.get_absolute_url() + "#latest")
        else:
            status = 400
    services.private_read(conversation=conversation, by=request.user)
    people = [p.user for p in conversation.participants.select_related("user__profile")]
    others = [p for p in people if p.pk != request.user.pk]
    blocked_ids = {p.pk for p in others if selectors.has_blocked(request.user, p)}
    context = {
        "conversation": conversation,
        "posts": selectors.messages_of(conversation, request.user),
        "others": others,
        "blocked_ids": blocked_ids,
        "can_write": not any(selectors.is_blocked(request.user, p) for p in others),
        "about": selectors.about_record(conversation, request.user),
        "form": form,
    }
    return render(request, "conversations/private_detail.html", context, status=status)


@login_required
@require_POST
def block_toggle(request, user_id):
    person = get_object_or_404(User, pk=user_id)
    try:
        if request.POST.get("unblock"):
            services.unblock(by=request.user, person=person)
            messages.success(request, "Unblocked.")
        else:
            services.block(by=request.user, person=person)
            messages.success(request, "Blocked: neither of you can send the other private messages.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    back = request.POST.get("next", "")
    if back.startswith("/") and not back.startswith("//"):
        return redirect(back)
    return redirect("conversations:private_list")
