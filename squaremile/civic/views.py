"""Civic pages: who serves my square mile, report a problem (two steps), reports, bodies,
representatives, questions and the representatives' answer page (signed link, no account)."""

from __future__ import annotations

import math

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from squaremile.civic import routing, selectors, services
from squaremile.civic.forms import (
    AnswerForm,
    FixedForm,
    LocateForm,
    PointForm,
    QuestionForm,
    ReportForm,
    StaffInviteForm,
    StatusForm,
    SupportForm,
    UpdateForm,
)
from squaremile.civic.models import (
    Body,
    ProblemCategory,
    QuestionRecipient,
    Report,
    ReportStatus,
    ReportSupport,
    RepQuestion,
    Representative,
    StaffInvitation,
)
from squaremile.civic.notifications import ANSWER_LINK_DAYS, read_answer_token
from squaremile.core import ratelimit
from squaremile.core.pagination import paginate
from squaremile.core.permissions import can, refusal
from squaremile.mapping import layers
from squaremile.moderation.models import ModerationState


def _profile_point(user):
    profile = getattr(user, "profile", None) if getattr(user, "is_authenticated", False) else None
    if profile is not None and profile.lat is not None and profile.lng is not None:
        return profile.lat, profile.lng
    return None


# ---- who serves my square mile ------------------------------------------------------------------
@require_GET
def home(request):
    data = request.GET if request.GET else None
    mine = False
    if data is None and (point := _profile_point(request.user)):
        data, mine = {"lat": point[0], "lng": point[1]}, True
    form = PointForm(data)
    serving = None
    if data is not None and form.is_valid():
        serving = selectors.who_serves(lat=form.cleaned_data["lat"], lng=form.cleaned_data["lng"])
    recent = selectors.report_list()[:5]
    return render(request, "civic/home.html", {"form": form, "serving": serving, "mine": mine, "recent": recent})


# ---- reporting a problem ------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def report_new(request):
    """Step one (GET, no point or category yet): where and what. Step two (GET with both): similar
    reports nearby first ("add your voice"), the side of a boundary when near one, then the details.
    POST: the report. Without an account (as on FixMyStreet): a name and an e-mail address, and the
    report waits for the link mailed to that address."""
    if request.user.is_authenticated and not can(request.user, "report.add"):
        raise PermissionDenied(refusal(request.user, "report.add"))
    if request.method == "POST":
        return _report_create(request)
    locate = LocateForm(request.GET or None)
    if not request.GET or not locate.is_valid():
        return render(request, "civic/report_locate.html", {"form": locate})
    lat, lng, category = locate.cleaned_data["lat"], locate.cleaned_data["lng"], locate.cleaned_data["category"]
    return _details(request, lat=lat, lng=lng, category=category)


def _details(request, *, lat, lng, category, form=None, status=200):
    found = routing.route(lat=lat, lng=lng, category=category)
    if found.chosen is not None and found.chosen.delivery == "elsewhere" and not found.ask_which_side:
        return render(request, "civic/report_elsewhere.html", {"body": found.chosen, "category": category})
    choices = found.choices if found.ask_which_side else []
    questions = list(category.questions.all())
    if form is None:
        form = ReportForm(initial={"lat": lat, "lng": lng, "category": category.pk}, choices=choices,
                          questions=questions, anonymous=not request.user.is_authenticated)  # fmt: skip
    duplicates = selectors.nearby_duplicates(lat=lat, lng=lng, category=category)
    supported = (
        set(ReportSupport.objects.filter(user=request.user, report__in=duplicates).values_list("report_id", flat=True))
        if request.user.is_authenticated
        else _voiced(request)
    )
    context = {
        "form": form, "category": category, "routing": found, "duplicates": duplicates, "supported": supported,
        "lat": lat, "lng": lng, "back": reverse("civic:report_new"),
        "form_url": reverse("civic:report_new") + "?" + urlencode({"category": category.pk, "lat": lat, "lng": lng}),
    }  # fmt: skip
    return render(request, "civic/report_details.html", context, status=status)


def _report_create(request):
    probe = ReportForm(request.POST)
    lat, lng, category = None, None, None
    try:
        lat, lng = float(request.POST.get("lat", "")), float(request.POST.get("lng", ""))
        category = ProblemCategory.objects.filter(pk=int(request.POST.get("category", "")[:12])).first()
    except (TypeError, ValueError):
        pass
    if category is None or lat is None or not (math.isfinite(lat) and math.isfinite(lng)):
        probe.is_valid()
        messages.error(request, "Please choose the place and the kind of problem again.")
        return redirect("civic:report_new")
    found = routing.route(lat=lat, lng=lng, category=category)
    choices = found.choices if found.ask_which_side else []
    anonymous = not request.user.is_authenticated
    form = ReportForm(request.POST, request.FILES, choices=choices, questions=list(category.questions.all()),
                      anonymous=anonymous)  # fmt: skip
    if not form.is_valid():
        return _details(request, lat=lat, lng=lng, category=category, form=form, status=400)
    data = form.cleaned_data
    body = Body.objects.filter(pk=data["body"]).first() if data.get("body") in {b.pk for b in choices} else None
    if anonymous:
        return _report_create_anonymous(request, form, body=body, lat=lat, lng=lng, category=category)
    try:
        report = services.report_create(
            by=request.user, category=data["category"], lat=data["lat"], lng=data["lng"], title=data["title"],
            description=data["description"], body=body, hide_name=data["hide_name"], photos=data["photos"],
            photo_alts=data["photo_alt"], answers=form.answers(),
        )  # fmt: skip
    except ValidationError as exc:
        form.add_service_errors(exc)
        return _details(request, lat=lat, lng=lng, category=category, form=form, status=400)
    messages.success(request, "Thank you: your report is made and on its way.")
    return redirect(report.get_absolute_url())


def _report_create_anonymous(request, form, *, body, lat, lng, category):
    data = form.cleaned_data
    try:
        ratelimit.hit("civic-report-anonymous", ip=ratelimit.client_ip(request), email=data["email"].lower())
    except ratelimit.RateLimited as exc:
        form.add_error(None, exc.message)
        return _details(request, lat=lat, lng=lng, category=category, form=form, status=429)
    try:
        services.report_create_anonymous(
            name=data["name"], email=data["email"], category=data["category"], lat=data["lat"], lng=data["lng"],
            title=data["title"], description=data["description"], body=body, hide_name=data["hide_name"],
            photos=data["photos"], photo_alts=data["photo_alt"], answers=form.answers(),
        )  # fmt: skip
    except ValidationError as exc:
        form.add_service_errors(exc)
        return _details(request, lat=lat, lng=lng, category=category, form=form, status=400)
    return render(request, "civic/report_check_email.html", {"email": data["email"]})


@require_http_methods(["GET", "POST"])
def report_confirm(request, token: str):
    """The link mailed to someone who reported without an account. GET shows a button (so that a
    mail scanner opening the link confirms nothing); POST makes the report public and sends it."""
    report = services.report_for_confirmation(token)
    if report is None:
        return render(request, "civic/report_confirm.html", {"invalid": True}, status=404)
    if request.method == "POST":
        if services.report_confirm(report=report):
            messages.success(request, "Thank you: your report is confirmed, public and on its way.")
        return redirect(report.get_absolute_url())
    if report.moderation != ModerationState.DRAFT:
        return (
            redirect(report.get_absolute_url())
            if report.is_public
            else render(request, "civic/report_confirm.html", {"invalid": True}, status=404)
        )
    return render(request, "civic/report_confirm.html", {"report": report})


@login_required
@require_POST
def report_support(request, pk: int):
    report = get_object_or_404(Report.objects.filter(moderation=ModerationState.PUBLISHED), pk=pk)
    if not can(request.user, "report.add"):
        raise PermissionDenied(refusal(request.user, "report.add"))
    made = services.report_support(report=report, by=request.user)
    messages.success(
        request, "Thank you: your voice is added to this report." if made else "You had already added your voice."
    )
    return redirect(report.get_absolute_url())


VOICED = "civic_voiced"  # in the session: reports this browser added a voice to without an account


def _voiced(request) -> set[int]:
    return {pk for pk in request.session.get(VOICED, []) if isinstance(pk, int)}


def _back_to_form(request) -> str:
    """Where "add your voice" was asked from, when it was the report form (its duplicates list)."""
    back = (request.GET.get("back") or request.POST.get("back") or "")[:500]
    form_path = reverse("civic:report_new")
    if back.startswith(form_path + "?") and url_has_allowed_host_and_scheme(back, allowed_hosts=None):
        return back
    return ""


@require_http_methods(["GET", "POST"])
def report_voice(request, pk: int):
    """Adding one's voice without an account: a name and an e-mail address, and a signed link mailed
    to it records the voice (`report_support_confirm`). Signed in, the report's own button does it."""
    report = get_object_or_404(Report.objects.filter(moderation=ModerationState.PUBLISHED), pk=pk)
    if request.user.is_authenticated:
        return redirect(report.get_absolute_url())
    back = _back_to_form(request)
    form = SupportForm(request.POST or None)
    context = {"report": report, "form": form, "back": back}
    if request.method == "GET" or not form.is_valid():
        return render(request, "civic/report_voice.html", context, status=200 if request.method == "GET" else 400)
    email = form.cleaned_data["email"]
    try:
        usage = ratelimit.hit("civic-support-email", ip=ratelimit.client_ip(request), email=email.lower())
    except ratelimit.RateLimited as exc:
        form.add_error(None, exc.message)
        response = render(request, "civic/report_voice.html", context, status=429)
        return ratelimit.with_retry_after(response, exc)
    try:
        services.report_support_request(report=report, name=form.cleaned_data["name"], email=email)
    except ValidationError as exc:
        usage.refund()
        form.add_service_errors(exc)
        return render(request, "civic/report_voice.html", context, status=400)
    return render(request, "civic/report_voice.html", {**context, "sent": email, "days": services.SUPPORT_DAYS})


@require_http_methods(["GET", "POST"])
def report_support_confirm(request, token: str):
    """The link mailed to someone without an account who added their voice. GET shows one button
    (so that a mail scanner opening the link adds nothing); POST adds the voice, once per address."""
    link = services.support_link(token)
    report = link.report
    if report is None:
        return render(request, "civic/report_voice_confirm.html", {"invalid": True}, status=404)
    context = {"report": report, "email": link.email, "days": services.SUPPORT_DAYS}
    if services.supported_by_email(report, link.email):
        return render(request, "civic/report_voice_confirm.html", {**context, "already": True})
    if link.expired:
        return render(request, "civic/report_voice_confirm.html", {**context, "expired": True}, status=410)
    if request.method == "POST":
        try:
            made = services.report_support_confirm(report=report, email=link.email, name=link.name)
        except ValidationError:
            return render(request, "civic/report_voice_confirm.html", {"invalid": True}, status=404)
        if not made:
            return render(request, "civic/report_voice_confirm.html", {**context, "already": True})
        request.session[VOICED] = [*request.session.get(VOICED, [])[-49:], report.pk]
        report.refresh_from_db(fields=["supporters"])
        others = report.supporters - 1
        messages.success(
            request,
            f"Thank you: your voice is added. {others} other {'person has' if others == 1 else 'people have'} "
            f"reported this problem. We will e-mail {link.email} when its status changes.",
        )
        return redirect(report.get_absolute_url())
    return render(request, "civic/report_voice_confirm.html", context)


# ---- a report's page ----------------------------------------------------------------------------
@require_GET
def report_detail(request, pk: int):
    report = selectors.report_detail(pk)
    if report is None or not selectors.may_see_report(request.user, report):
        raise Http404
    return _report_page(request, report)


def _report_page(request, report, *, status_form=None, update_form=None, fixed_form=None, status=200):
    user = request.user
    may_status = can(user, "report.status", report)
    may_comment = can(user, "report.comment", report)
    is_reporter = report.owner_id is not None and report.owner_id == getattr(user, "pk", None)
    supported = (
        ReportSupport.objects.filter(report=report, user=user).exists()
        if getattr(user, "is_authenticated", False)
        else report.pk in _voiced(request)
    )
    context = {
        "report": report, "updates": selectors.updates_of(report), "may_status": may_status,
        "may_comment": may_comment, "is_reporter": is_reporter, "supported": supported,
        "status_form": status_form or (StatusForm(initial={"status": report.status}) if may_status else None),
        "update_form": update_form or (UpdateForm() if may_comment else None),
        "fixed_form": fixed_form or (FixedForm() if is_reporter and report.is_open else None),
        "photos": list(report.attachments.all()),
    }  # fmt: skip
    return render(request, "civic/report_detail.html", context, status=status)


@login_required
@require_POST
def report_status(request, pk: int):
    report = get_object_or_404(
        Report.objects.select_related("body", "category").exclude(moderation=ModerationState.DRAFT), pk=pk
    )
    if not can(request.user, "report.status", report):
        raise PermissionDenied(refusal(request.user, "report.status"))
    form = StatusForm(request.POST)
    if not form.is_valid():
        return _report_page(request, report, status_form=form, status=400)
    data = form.cleaned_data
    try:
        services.report_set_status(report=report, by=request.user, status=data["status"], reason=data["reason"],
                                   text=data["text"])  # fmt: skip
    except ValidationError as exc:
        form.add_service_errors(exc)
        return _report_page(request, report, status_form=form, status=400)
    messages.success(request, "Status saved; the reporter and everyone following it are told.")
    return redirect(report.get_absolute_url())


@login_required
@require_POST
def report_update(request, pk: int):
    report = get_object_or_404(
        Report.objects.select_related("body", "category").exclude(moderation=ModerationState.DRAFT), pk=pk
    )
    if not can(request.user, "report.comment", report):
        raise PermissionDenied(refusal(request.user, "report.comment"))
    is_fixed_answer = "fixed" in request.POST
    form = (FixedForm if is_fixed_answer else UpdateForm)(request.POST)
    if not form.is_valid():
        key = "fixed_form" if is_fixed_answer else "update_form"
        return _report_page(request, report, status=400, **{key: form})
    try:
        services.report_comment(report=report, by=request.user, text=form.cleaned_data.get("text", ""),
                                fixed=form.cleaned_data.get("fixed") if is_fixed_answer else None)  # fmt: skip
    except ValidationError as exc:
        form.add_service_errors(exc)
        return _report_page(request, report, status=400, update_form=form)
    messages.success(request, "Thank you: your update is on the page.")
    return redirect(report.get_absolute_url())


@require_GET
def report_list(request):
    status = request.GET.get("status", "")
    if status not in ReportStatus.values:
        status = ""
    page = paginate(request, selectors.report_list(status=status))
    return render(request, "civic/report_list.html", {"page": page, "status": status, "statuses": ReportStatus.choices})


@require_GET
def reports_map_layer(request):
    """GeoJSON of at most 500 reports in `?bbox=west,south,east,north` (the community map's layer)."""
    box = layers.parse_bbox(request.GET.get("bbox"))
    if box is None:
        return layers.bad_bbox()
    west, south, east, north = box
    features = selectors.map_features(west=west, south=south, east=east, north=north, limit=layers.MAX_FEATURES + 1)
    return layers.layer_response(features)


# ---- bodies and representatives ------------------------------------------------------------------
@require_GET
def body_list(request):
    return render(request, "civic/body_list.html", {"bodies": selectors.bodies()})


@require_GET
def body_detail(request, slug: str):
    body = get_object_or_404(Body.objects.prefetch_related("categories", "areas"), slug=slug)
    page = paginate(request, selectors.report_list(body=body))
    reps = body.representatives.select_related("area").order_by("name")
    context = {"body": body, "page": page, "reps": reps, "may_staff": can(request.user, "body.roles", body)}
    return render(request, "civic/body_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def body_staff(request, slug: str):
    """A body's staff: its administrators invite people by e-mail and remove them."""
    from squaremile.core.spaces import holders

    body = get_object_or_404(Body, slug=slug)
    if not can(request.user, "body.roles", body):
        raise PermissionDenied(refusal(request.user, "body.roles"))
    form = StaffInviteForm()
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "invite":
            form = StaffInviteForm(request.POST)
            if form.is_valid():
                try:
                    services.staff_invite(body=body, email=form.cleaned_data["email"], role=form.cleaned_data["role"],
                                          by=request.user)  # fmt: skip
                except ValidationError as exc:
                    form.add_service_errors(exc)
                except ratelimit.RateLimited as exc:
                    form.add_error(None, exc.message)
                else:
                    messages.success(request, f"Invitation sent to {form.cleaned_data['email']}.")
                    return redirect("civic:body_staff", slug=body.slug)
            status = 400
        elif action == "remove" and (raw := request.POST.get("user", "")).isdigit() and len(raw) < 12:
            from django.contrib.auth import get_user_model

            person = get_object_or_404(get_user_model(), pk=int(raw))
            if services.staff_remove(body=body, user=person, by=request.user):
                messages.success(request, f"{person} is no longer staff of {body.name}.")
            return redirect("civic:body_staff", slug=body.slug)
        elif action == "cancel" and (raw := request.POST.get("invitation", "")).isdigit() and len(raw) < 12:
            invitation = get_object_or_404(StaffInvitation, pk=int(raw), body=body, accepted_at__isnull=True)
            services.staff_invitation_cancel(invitation=invitation, by=request.user)
            messages.success(request, "Invitation withdrawn.")
            return redirect("civic:body_staff", slug=body.slug)
        else:
            messages.error(request, "Choose what to do.")
            return redirect("civic:body_staff", slug=body.slug)
    staff = list(holders(body).select_related("user__profile"))
    labels = dict(StaffInvitation._meta.get_field("role").choices)
    for held in staff:
        held.role_label = labels.get(held.role, "Staff")
    waiting = body.invitations.filter(accepted_at__isnull=True).order_by("-created_at")[:100]
    context = {"body": body, "staff": staff, "waiting": waiting, "form": form}
    return render(request, "civic/body_staff.html", context, status=status)


@require_http_methods(["GET", "POST"])
def staff_join(request, token: str):
    """The link in a staff invitation: signed in with the invited address, one click to join."""
    invitation = services.invitation_for(token)
    if invitation is None:
        return render(request, "civic/staff_join.html", {"invalid": True}, status=404)
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    error = ""
    if request.method == "POST":
        try:
            services.staff_accept(invitation=invitation, user=request.user)
        except (PermissionDenied, ValidationError) as exc:
            error = "; ".join(getattr(exc, "messages", None) or [str(exc)])
        else:
            messages.success(request, f"You are now staff of {invitation.body.name}.")
            return redirect(invitation.body.get_absolute_url())
    context = {"invitation": invitation, "error": error}
    return render(request, "civic/staff_join.html", context, status=403 if error else 200)


@require_GET
def representative_list(request):
    page = paginate(request, selectors.representatives(), per_page=50)
    return render(request, "civic/representative_list.html", {"page": page})


@require_GET
def representative_detail(request, pk: int):
    rep = get_object_or_404(Representative.objects.select_related("area", "body"), pk=pk)
    asked = (
        QuestionRecipient.objects.filter(representative=rep, question__status=ModerationState.PUBLISHED)
        .select_related("question")
        .order_by("-question__published_at")[:20]
    )
    return render(request, "civic/representative_detail.html", {"rep": rep, "asked": asked})


# ---- questions to representatives ----------------------------------------------------------------
@require_GET
def question_list(request):
    page = paginate(request, selectors.published_questions())
    return render(request, "civic/question_list.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def question_new(request):
    if not can(request.user, "repquestion.add"):
        raise PermissionDenied(refusal(request.user, "repquestion.add"))
    where = PointForm(request.GET or None)
    reps, area = [], None
    if request.GET and where.is_valid():
        serving = selectors.who_serves(lat=where.cleaned_data["lat"], lng=where.cleaned_data["lng"])
        reps, area = serving.representatives, (serving.areas[0] if serving.areas else None)
    elif not request.GET and (point := _profile_point(request.user)):
        serving = selectors.who_serves(lat=point[0], lng=point[1])
        reps, area = serving.representatives, (serving.areas[0] if serving.areas else None)
    chosen = (request.GET.get("rep") or request.POST.get("rep") or "")[:12]
    if chosen and chosen.isdigit() and (rep := Representative.objects.filter(pk=int(chosen)).first()):
        if rep.pk not in {r.pk for r in reps}:
            reps = [rep, *reps]
        area = area or rep.area
    form = QuestionForm(request.POST or None, representatives=reps,
                        initial={"representatives": [int(chosen)] if chosen and chosen.isdigit() else []})  # fmt: skip
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            q = services.question_create(
                by=request.user, representatives=list(data["representatives"]), title=data["title"],
                text=data["text"], area=area, hide_name=data["hide_name"],
            )  # fmt: skip
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, "Thank you: a moderator checks your question, then it is published and sent.")
            return redirect(q.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "where": where, "reps": reps, "chosen": chosen or ""}
    return render(request, "civic/question_form.html", context, status=status)


@require_GET
def question_detail(request, pk: int):
    q = selectors.question_detail(pk)
    if q is None or not selectors.may_see_question(request.user, q):
        raise Http404
    me_too = getattr(request.user, "is_authenticated", False) and q.me_toos.filter(user=request.user).exists()
    return render(request, "civic/question_detail.html", {"q": q, "me_too": me_too})


@login_required
@require_POST
def question_me_too(request, pk: int):
    q = get_object_or_404(RepQuestion.objects.filter(status=ModerationState.PUBLISHED), pk=pk)
    try:
        services.question_me_too(question=q, by=request.user)
    except ValidationError:
        raise Http404 from None
    messages.success(request, "Thank you: you will hear when it is answered.")
    return redirect(q.get_absolute_url())


def _answer_link(token: str):
    link = read_answer_token(token)
    recipient = (
        QuestionRecipient.objects.select_related("question", "representative").filter(pk=link.recipient_id).first()
        if link
        else None
    )
    if recipient is None or recipient.question.status != ModerationState.PUBLISHED:
        return link, None
    return link, recipient


@require_http_methods(["GET", "POST"])
def answer(request, token: str):
    """A representative answers through the signed link in their e-mail: no account needed. A link
    gives one answer, then only shows it; a fresh link (mailed to them) may change it once."""
    link, recipient = _answer_link(token)
    if recipient is None:
        return render(request, "civic/answer_invalid.html", status=404)
    if link.expired or link.version != recipient.link_version:
        context = {"renew": True, "expired": link.expired, "token": token, "link_days": ANSWER_LINK_DAYS}
        return render(request, "civic/answer_invalid.html", context, status=410)
    used = recipient.answered_version == link.version
    form = AnswerForm(request.POST or None, initial={"answer": recipient.answer})
    context = {"form": form, "recipient": recipient, "used": used, "token": token}
    if request.method == "POST" and not used:
        try:
            ratelimit.hit("civic-answer", ip=ratelimit.client_ip(request))
        except ratelimit.RateLimited:
            return render(request, "civic/answer.html", {**context, "limited": True}, status=429)
        if form.is_valid():
            try:
                services.question_answer(recipient=recipient, text=form.cleaned_data["answer"], version=link.version)
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, "Thank you: your answer is published with the question.")
                return redirect(recipient.question.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(request, "civic/answer.html", context, status=status)


@require_POST
def answer_renew(request, token: str):
    """A fresh answer link, mailed to the representative's own address (any genuine link of theirs,
    even an expired or used one, may ask for it; rate-limited)."""
    link, recipient = _answer_link(token)
    if recipient is None:
        return render(request, "civic/answer_invalid.html", status=404)
    try:
        ratelimit.hit("civic-answer", ip=ratelimit.client_ip(request))
    except ratelimit.RateLimited:
        return render(request, "civic/answer_invalid.html", status=429)
    sent = services.answer_link_renew(recipient=recipient)
    return render(request, "civic/answer_renewed.html", {"sent": sent, "recipient": recipient})


# ---- a map threat or cut, raised in one step ------------------------------------------------------
@login_required
@require_POST
def raise_entry(request, entry_pk: int):
    from squaremile.core.records import resolve

    entry = resolve(f"mapping.entry:{entry_pk}", user=request.user)
    if entry is None or not getattr(entry.category, "is_threat", False):
        raise Http404
    if not can(request.user, "report.add"):
        raise PermissionDenied(refusal(request.user, "report.add"))
    category = ProblemCategory.objects.filter(is_threat=True).order_by("pk").first()
    raw_body = request.POST.get("body") or ""
    body = Body.objects.filter(pk=int(raw_body)).first() if raw_body.isdigit() and len(raw_body) < 12 else None
    if category is None or body is None:
        messages.error(request, "Choose the body to raise it with.")
        return redirect(entry.get_absolute_url())
    report = services.raise_entry(entry=entry, by=request.user, body=body, category=category)
    messages.success(request, f"Raised with {report.body.name if report.body else 'the responsible body'}.")
    return redirect(report.get_absolute_url())
