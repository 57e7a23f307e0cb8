"""Groups: the directory (by area and topic), a group's page (its threads, newest activity first,
pinned on top; search inside it; what the apps above show about it), starting and changing a
group, joining, leaving, the e-mail choice, members and requests."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_http_methods, require_POST

from squaremile.conversations import notifications, selectors, services
from squaremile.conversations.forms import (
    EmailModeForm,
    GroupForm,
    InviteForm,
    JoinForm,
    SearchForm,
    ThreadForm,
    with_mentions,
)
from squaremile.conversations.models import Group, MemberStatus
from squaremile.core import ratelimit
from squaremile.core.permissions import can, refusal
from squaremile.mapping import layers
from squaremile.places.models import Area

User = get_user_model()


def _group(request, slug) -> Group:
    group = Group.objects.select_related("area", "organisation").filter(slug=slug[:140]).first()
    if group is None or not selectors.may_see_group(request.user, group):
        raise Http404("No such group.")
    return group


def group_list(request):
    area = None
    area_value = (request.GET.get("area") or "")[:12]
    if area_value.isdigit():
        area = Area.objects.filter(pk=int(area_value)).defer("boundary").first()
    topic = (request.GET.get("topic") or "")[:60].strip()
    q = (request.GET.get("q") or "")[:100].strip()
    groups = list(selectors.group_directory(request.user, area=area, topic=topic, q=q)[:200])
    context = {
        "groups": groups,
        "area": area,
        "topic": topic,
        "q": q,
        "topics": selectors.topics(),
        "areas": Area.objects.filter(parent__isnull=True).defer("boundary").order_by("name"),
        "mine": list(selectors.my_groups(request.user)[:50]),
    }
    return render(request, "conversations/group_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def group_create(request):
    if not can(request.user, "group.add"):
        raise PermissionDenied(refusal(request.user, "group.add"))
    form = GroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            group = services.group_create(by=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, "Your group is ready. Invite people, or start the first conversation.")
            return redirect(group.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(request, "conversations/group_form.html", {"form": form, "group": None}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def group_edit(request, slug):
    group = _group(request, slug)
    if not can(request.user, "group.change", group):
        raise PermissionDenied(refusal(request.user, "group.change"))
    form = GroupForm(request.POST or None, instance=group)
    if request.method == "POST" and form.is_valid():
        try:
            services.group_update(group=group, by=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, "Saved.")
            return redirect(group.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(request, "conversations/group_form.html", {"form": form, "group": group}, status=status)


def _before_key(request):
    """The keyset of the next page: ?after=<pinned>.<iso time>.<id>."""
    raw = (request.GET.get("after") or "")[:80]
    try:
        pinned, when, pk = raw.split("~")
        moment = parse_datetime(when)
        if moment is None or pinned not in ("0", "1") or not pk.isdigit() or len(pk) > 18:
            return None
        return (pinned == "1", moment, int(pk))
    except ValueError:
        return None


def _key_text(key) -> str:
    pinned, when, pk = key
    return f"{int(pinned)}~{when.isoformat()}~{pk}"


def group_detail(request, slug):
    group = _group(request, slug)
    contents = selectors.may_see_group_contents(request.user, group)
    membership = selectors.membership(request.user, group)
    threads, next_key = ([], None)
    found = None
    search = SearchForm(request.GET or None)
    if contents:
        if search.is_valid() and search.cleaned_data["q"]:
            found = list(selectors.search_group(request.user, group, search.cleaned_data["q"]))
        before = _before_key(request)
        threads, next_key = selectors.threads_page(request.user, group, before=before)
        selectors.with_unread(request.user, threads)
    facilitator = can(request.user, "group.facilitate", group)
    context = {
        "group": group,
        "contents": contents,
        "threads": threads,
        "next_after": _key_text(next_key) if next_key else "",
        "paged": bool(request.GET.get("after")),
        "found": found,
        "search": search,
        "membership": membership,
        "is_member": membership is not None and membership.status == MemberStatus.MEMBER,
        "may_post": can(request.user, "group.post", group),
        "facilitator": facilitator,
        "pending_threads": list(selectors.pending_threads(group)) if facilitator else [],
        "requests": list(selectors.pending_requests(group)) if facilitator else [],
        "facilitators": notifications.facilitators(group),
        "email_form": EmailModeForm(initial={"email_mode": membership.email_mode}) if membership else None,
        "join_form": JoinForm(),
        "group_address": notifications.group_address(group) if membership else "",
    }
    return render(request, "conversations/group_detail.html", context)


@login_required
@require_POST
def group_join(request, slug):
    group = _group(request, slug)
    form = JoinForm(request.POST)
    message = form.cleaned_data["message"] if form.is_valid() else ""
    try:
        found = services.group_join(group=group, by=request.user, message=message)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        if found.status == MemberStatus.MEMBER:
            messages.success(request, f"Welcome to {group.name}.")
        else:
            messages.success(request, "Your request was sent to the facilitators.")
    return redirect(group.get_absolute_url())


@login_required
@require_POST
def group_leave(request, slug):
    group = _group(request, slug)
    services.group_leave(group=group, by=request.user)
    messages.success(request, f"You left {group.name}.")
    return redirect("conversations:group_list")


@login_required
@require_POST
def group_email_mode(request, slug):
    group = _group(request, slug)
    form = EmailModeForm(request.POST)
    if form.is_valid():
        try:
            services.email_mode_set(group=group, by=request.user, mode=form.cleaned_data["email_mode"])
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Your e-mail choice for this group is saved.")
    else:
        messages.error(request, "Choose how you hear about this group.")
    return redirect(group.get_absolute_url())


@require_http_methods(["GET", "POST"])
def group_members(request, slug):
    group = _group(request, slug)
    if not selectors.may_see_group_contents(request.user, group):
        raise Http404("No such group.")
    roles = can(request.user, "group.roles", group)
    invite = InviteForm(request.POST or None) if roles else None
    status = 200
    if request.method == "POST":
        if not roles:
            raise PermissionDenied(refusal(request.user, "group.roles"))
        action = request.POST.get("action", "")
        person = None
        person_id = (request.POST.get("person") or "")[:12]
        if person_id.isdigit():
            person = User.objects.filter(pk=int(person_id)).first()
        try:
            if action in ("accept", "decline") and person is not None:
                services.join_request_decide(group=group, by=request.user, person=person, accept=action == "accept")
                messages.success(request, "Done.")
                return redirect("conversations:group_members", slug=group.slug)
            if action == "facilitator" and person is not None:
                services.facilitator_add(group=group, by=request.user, person=person)
                messages.success(request, "They are now a facilitator.")
                return redirect("conversations:group_members", slug=group.slug)
            if action == "invite" and invite.is_valid():
                person = User.objects.filter(email__iexact=invite.cleaned_data["email"], is_active=True).first()
                if person is None:
                    invite.add_error("email", "Nobody has an account with this address yet.")
                    status = 400
                else:
                    services.group_invite(group=group, by=request.user, person=person)
                    messages.success(request, "Invitation sent.")
                    return redirect("conversations:group_members", slug=group.slug)
            else:
                status = 400
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            status = 400
    context = {
        "group": group,
        "members": list(selectors.members(group)[:500]),
        "requests": list(selectors.pending_requests(group)) if roles else [],
        "facilitators": {p.pk for p in notifications.facilitators(group)},
        "may_manage": roles,
        "invite": invite,
    }
    return render(request, "conversations/group_members.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def thread_create(request, slug):
    group = _group(request, slug)
    if not can(request.user, "group.post", group):
        messages.error(request, "Join the group to start a conversation.")
        return redirect(group.get_absolute_url())
    form = with_mentions(ThreadForm(request.POST or None, request.FILES or None),
                         reverse("conversations:mention_suggest", kwargs={"slug": group.slug}))  # fmt: skip
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                thread = services.thread_start(
                    group=group, by=request.user, title=form.cleaned_data["title"], body=form.cleaned_data["body"],
                    files=form.cleaned_data.get("photos") or (), alts=form.cleaned_data.get("photo_alt") or (),
                )  # fmt: skip
            except ratelimit.RateLimited as exc:
                form.add_error(None, exc.message)
                status = 429
            except ValidationError as exc:
                form.add_service_errors(exc)
                status = 400
            else:
                if thread.status != "published":
                    messages.success(request, "Thanks: a facilitator will check it before it shows.")
                return redirect(thread.get_absolute_url())
        else:
            status = 400
    return render(request, "conversations/thread_form.html", {"form": form, "group": group}, status=status)


def map_layer(request):
    """The map's "Groups" layer (`mapping.layers`): groups with an area whose centre is in
    `?bbox=west,south,east,north`, at most MAX_FEATURES; private groups never."""
    box = layers.parse_bbox(request.GET.get("bbox"))
    if box is None or box[0] > box[2]:
        return layers.bad_bbox()
    west, south, east, north = box
    found = list(selectors.groups_in_bbox(west=west, south=south, east=east, north=north,
                                          limit=layers.MAX_FEATURES + 1))  # fmt: skip
    features = [
        layers.feature(
            lat=g.area.centroid_lat,
            lng=g.area.centroid_lng,
            title=g.name,
            url=g.get_absolute_url(),
            kind="group",
            members=g.member_count,
        )  # fmt: skip
        for g in found
    ]
    response = layers.layer_response(features)
    response["Cache-Control"] = "public, max-age=60"
    return response


def mention_suggest(request, slug):
    """`GET ?q=pri[&thread=<id>]`: up to 8 people to @mention while writing in this group (the reply
    and new-thread forms' autocomplete, `static/js/mentions.js`), as JSON. Nobody for people who may
    not write here; without JavaScript one types @Name as plain text."""
    group = Group.objects.filter(slug=slug[:140]).first()
    if group is None or not selectors.may_see_group(request.user, group):
        return JsonResponse({"message": "No such group.", "people": []}, status=404)
    if not can(request.user, "group.post", group):
        return JsonResponse({"message": "Join the group to write in it.", "people": []}, status=403)
    thread = None
    raw = (request.GET.get("thread") or "")[:10]
    if raw.isdigit():
        thread = selectors.thread_for(request.user, int(raw))
    people = selectors.mention_suggestions(request.user, group, request.GET.get("q", ""), thread=thread)
    response = JsonResponse({"people": people})
    response["Cache-Control"] = "private, no-store"
    return response
