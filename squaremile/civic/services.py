"""Civic writes: reports (create, add your voice, status, updates, sending to the body), questions to
representatives (ask, send, answer, me too, reminders) and the representatives' responsiveness."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import timedelta

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from squaremile.attachments import services as attachments
from squaremile.audit import services as audit
from squaremile.civic import delivery, routing, tasks
from squaremile.civic import notifications as civic_notify
from squaremile.civic.models import (
    OPEN_STATES,
    Body,
    Delivery,
    MeToo,
    ProblemCategory,
    QuestionRecipient,
    Report,
    ReportStatus,
    ReportSupport,
    ReportUpdate,
    RepQuestion,
    Representative,
    SendState,
    Source,
    StaffInvitation,
    UpdateAuthor,
)  # fmt: skip
from squaremile.core.permissions import can, require
from squaremile.core.search import index_document
from squaremile.core.signed import read_signed
from squaremile.core.spaces import grant, holders, revoke
from squaremile.core.text import plain_text
from squaremile.moderation.models import ModerationState
from squaremile.notifications.services import follow, followers_of
from squaremile.places.selectors import area_for_point

REPORT_FIELDS = ("title", "description", "category", "body", "status", "status_reason", "hide_name")
FIXED_AFTER = timedelta(weeks=4)
REMIND_AFTER_DAYS = (7, 14)
RESPONSIVENESS_WINDOW = timedelta(days=365)


def index_report(report: Report) -> None:
    index_document(
        kind="civic_report", object_id=report.pk, title=report.title, body=plain_text(report.description),
        url=report.get_absolute_url(), area_id=report.area_id,
    )  # fmt: skip


# ---- reports -------------------------------------------------------------------------------------
@attachments.removes_stored_files_on_failure
@transaction.atomic
def report_create(
    *, by, category: ProblemCategory, lat: float, lng: float, title: str, description: str = "",
    body: Body | None = None, hide_name: bool = False, photos=(), photo_alts=(), answers: dict | None = None,
    source: str = Source.WEB, address: str = "", from_ref: str = "",
) -> Report:  # fmt: skip
    """A new report, routed by place and category. `body`: the side the reporter chose when the
    point is near a boundary (one of the routing's choices); otherwise the routing decides."""
    require(by, "report.add")
    report = _new_report(
        by=by, category=category, lat=lat, lng=lng, title=title, description=description, body=body,
        hide_name=hide_name, photos=photos, photo_alts=photo_alts, answers=answers, source=source, address=address,
        from_ref=from_ref,
    )  # fmt: skip
    ReportSupport.objects.create(report=report, user=by)
    audit.record(actor=by, action="report.created", target=report,
                 changes=audit.diff({}, audit.snapshot(report, REPORT_FIELDS)))  # fmt: skip
    follow(user=by, target=report)
    _published(report, by=by)
    return report


def _new_report(*, by, category, lat, lng, title, description, body, hide_name, photos, photo_alts, answers,
                source=Source.WEB, address="", from_ref="", **extra) -> Report:  # fmt: skip
    found = routing.route(lat=lat, lng=lng, category=category)
    if body is not None:
        if body.pk not in {b.pk for b in found.choices}:
            raise ValidationError({"body": "That body does not take this kind of problem here."})
        chosen = body
    else:
        chosen = found.chosen
    report = Report(
        owner=by, hide_name=hide_name, title=title.strip()[:200], description=description, category=category,
        body=chosen, lat=lat, lng=lng, area=area_for_point(lat=lat, lng=lng), source=source, address=address[:300],
        answers=answers or {}, from_ref=from_ref, **extra,
    )  # fmt: skip
    if chosen is None or chosen.delivery == Delivery.ELSEWHERE:
        report.send_state = SendState.NOT_SENT
    report.save()
    if photos:
        attachments.attach_all(owner=report, files=photos, alts=photo_alts, user=by, checked_by_caller=True)
    return report


def _published(report: Report, *, by) -> None:
    """A report is public: index it, tell followers and the body's staff, send it to the body."""
    index_report(report)
    civic_notify.tell_followers_new(report, by=by)
    if report.body is not None:
        staff = [r.user for r in holders(report.body)]
        if staff:
            civic_notify.tell_staff(report, staff)
    if report.send_state == SendState.WAITING and report.source != Source.OPEN311:
        transaction.on_commit(lambda: tasks.send_report.enqueue(report_id=report.pk))
    elif report.source == Source.OPEN311:  # it came from a body's system: nothing to send back
        Report.objects.filter(pk=report.pk).update(send_state=SendState.NOT_SENT)
        report.send_state = SendState.NOT_SENT


# ---- reports from people without an account (as on FixMyStreet) ---------------------------------
CONFIRM_SALT = "civic.report-confirm"
CONFIRM_DAYS = 7


def confirm_token(report: Report) -> str:
    return signing.dumps({"r": report.pk, "e": report.reporter_email.lower()}, salt=CONFIRM_SALT, compress=True)


def report_for_confirmation(token: str) -> Report | None:
    """The draft report a confirmation link names, or None (altered, expired, another address)."""
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_DAYS * 86400)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("r"), int):
        return None
    report = Report.objects.select_related("body", "category").filter(pk=data["r"], owner__isnull=True).first()
    if report is None or report.reporter_email.lower() != str(data.get("e", "")):
        return None
    return report


@attachments.removes_stored_files_on_failure
@transaction.atomic
def report_create_anonymous(
    *, name: str, email: str, category: ProblemCategory, lat: float, lng: float, title: str, description: str = "",
    body: Body | None = None, hide_name: bool = False, photos=(), photo_alts=(), answers: dict | None = None,
) -> Report:  # fmt: skip
    """A report from someone without an account: kept as a draft (not public, not sent) until they
    click the signed link mailed to them (`report_confirm`). The caller rate-limits (core.ratelimit)."""
    name, email = (name or "").strip()[:120], (email or "").strip()[:254]
    if not name:
        raise ValidationError({"name": "Give your name (you can hide it on the public page)."})
    if not email or "@" not in email:
        raise ValidationError({"email": "Give your e-mail address: we send you a link to confirm the report."})
    report = _new_report(
        by=None, category=category, lat=lat, lng=lng, title=title, description=description, body=body,
        hide_name=hide_name, photos=photos, photo_alts=photo_alts, answers=answers,
        moderation=ModerationState.DRAFT, reporter_name=name, reporter_email=email, supporters=1,
    )  # fmt: skip
    audit.record(actor=None, action="report.created", target=report, note="Without an account: waiting for the link")
    transaction.on_commit(lambda: civic_notify.mail_confirm_report(report, token=confirm_token(report)))
    return report


@transaction.atomic
def report_confirm(*, report: Report) -> bool:
    """The reporter clicked their link: the report is public and goes to the body. False when it was
    already confirmed (the link is good once)."""
    if not Report.objects.filter(pk=report.pk, moderation=ModerationState.DRAFT).update(
        moderation=ModerationState.PUBLISHED
    ):
        return False
    report.refresh_from_db()
    audit.record(actor=None, action="report.confirmed", target=report, note="The e-mail link was clicked")
    _published(report, by=None)
    return True


@transaction.atomic
def report_support(*, report: Report, by) -> bool:
    """Add one's voice to a report already made ("me too"); False when they had already."""
    require(by, "report.add")
    _, made = ReportSupport.objects.get_or_create(report=report, user=by)
    if made:
        Report.objects.filter(pk=report.pk).update(supporters=F("supporters") + 1)
        report.refresh_from_db(fields=["supporters"])
        audit.record(actor=by, action="report.supported", target=report)
        follow(user=by, target=report)
    return made


# ---- adding one's voice without an account (a link mailed to the address) ----------------------
SUPPORT_SALT = "civic.support-confirm"
SUPPORT_DAYS = CONFIRM_DAYS


@dataclass(frozen=True)
class SupportLink:
    """What a signed "add your voice" link names. `report` is None when the link was altered, is
    not ours, or its report is no longer public; `expired`: it is genuine but too old."""

    report: Report | None
    email: str = ""
    name: str = ""
    expired: bool = False


def _clean_name(name: str) -> str:
    """A name as typed, on one line: no control characters, spaces collapsed, at most 120 characters."""
    text = "".join(ch if ch.isprintable() else " " for ch in (name or ""))
    return " ".join(text.split())[:120]


def support_token(*, report: Report, email: str, name: str) -> str:
    return signing.dumps({"r": report.pk, "e": email.strip().lower(), "n": name}, salt=SUPPORT_SALT, compress=True)


def support_link(token: str, *, max_age_days: int = SUPPORT_DAYS) -> SupportLink:
    """The report, address and name an "add your voice" link carries (an expired link still names
    its report, so that its page can offer to ask again)."""
    data, expired = read_signed(token, salt=SUPPORT_SALT, max_age_seconds=max_age_days * 86400)
    if not isinstance(data, dict) or not isinstance(data.get("r"), int) or not isinstance(data.get("e"), str):
        return SupportLink(None)
    report = Report.objects.filter(pk=data["r"], moderation=ModerationState.PUBLISHED).first()
    if report is None or "@" not in data["e"]:
        return SupportLink(None)
    return SupportLink(report, data["e"], _clean_name(str(data.get("n", ""))), expired)


def report_support_request(*, report: Report, name: str, email: str) -> None:
    """Someone without an account adds their voice: mail them the signed link that records it
    (`report_support_confirm`); nothing is stored before they click it. The caller rate-limits
    (core.ratelimit, scope "civic-support-email")."""
    from django.core.validators import validate_email

    name, email = _clean_name(name), (email or "").strip()
    if not name:
        raise ValidationError({"name": "Give your name (it is never shown in public)."})
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": "Give your e-mail address: we send you a link to confirm."}) from None
    if len(email) > 254:
        raise ValidationError({"email": "That e-mail address is too long."})
    if not report.is_public:
        raise ValidationError("This report is not open for support.")
    token = support_token(report=report, email=email, name=name)
    transaction.on_commit(lambda: civic_notify.mail_confirm_support(report, name=name, email=email, token=token))


def supported_by_email(report: Report, email: str) -> bool:
    """True when this address has a voice on the report already: as a supporter without an account,
    as the reporter, or as the (verified) address of an account that reported or supported it."""
    from allauth.account.models import EmailAddress

    email = email.strip().lower()
    if report.reporter_email and report.reporter_email.strip().lower() == email:
        return True
    if ReportSupport.objects.filter(report=report, email__iexact=email).exists():
        return True
    people = EmailAddress.objects.filter(email__iexact=email, verified=True).values("user_id")
    return ReportSupport.objects.filter(report=report, user__in=people).exists() or (
        report.owner_id is not None and people.filter(user_id=report.owner_id).exists()
    )


@transaction.atomic
def report_support_confirm(*, report: Report, email: str, name: str = "") -> bool:
    """The link mailed to someone without an account was used: their voice is added once for this
    address (they hear of the report's updates there). False when the address had a voice already."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.moderation != ModerationState.PUBLISHED:
        raise ValidationError("This report is not open for support.")
    email = email.strip()
    if supported_by_email(report, email):
        return False
    try:
        with transaction.atomic():
            ReportSupport.objects.create(report=report, email=email.lower(), name=_clean_name(name))
    except IntegrityError:  # the same link, used twice at the same moment
        return False
    Report.objects.filter(pk=report.pk).update(supporters=F("supporters") + 1)
    audit.record(actor=None, action="report.supported", target=report,
                 note="Without an account: the e-mail link was used")  # fmt: skip
    return True


_interested = delivery.interested


@transaction.atomic
def report_set_status(*, report: Report, by, status: str, reason: str = "", text: str = "") -> ReportUpdate:
    """The body's staff (or an administrator) change a report's status; "not responsible" needs a reason."""
    require(by, "report.status", report)
    if status not in ReportStatus.values:
        raise ValidationError({"status": "Choose a status."})
    if status == ReportStatus.NOT_RESPONSIBLE and not reason.strip():
        raise ValidationError({"reason": "Say why this body is not responsible, and who is."})
    report = Report.objects.select_for_update().get(pk=report.pk)
    before = audit.snapshot(report, REPORT_FIELDS)
    old = report.status
    report.status, report.status_reason = status, reason.strip()[:300]
    report.save(update_fields=["status", "status_reason", "updated_at"])
    update = ReportUpdate.objects.create(
        report=report, author=by, author_kind=UpdateAuthor.BODY, text=text, status_before=old, status_after=status
    )
    audit.record(actor=by, action="report.status_changed", target=report,
                 changes=audit.diff(before, audit.snapshot(report, REPORT_FIELDS)), note=text[:200])  # fmt: skip
    civic_notify.tell_report_updated(
        report, people=_interested(report), by=by,
        title=f"“{report.title}” is now {report.get_status_display().lower()}",
        body=plain_text(text)[:500] or report.status_reason,
    )  # fmt: skip
    civic_notify.mail_without_account(report, text=text or report.status_reason)
    return update


@transaction.atomic
def report_comment(*, report: Report, by, text: str = "", fixed: bool | None = None) -> ReportUpdate:
    """An update on a report's page from its reporter or the body's staff. The reporter answering
    "is it fixed?" sets the status (fixed, or open again)."""
    require(by, "report.comment", report)
    if not text.strip() and fixed is None:
        raise ValidationError({"text": "Write an update."})
    report = Report.objects.select_for_update().get(pk=report.pk)
    is_reporter = report.owner_id == getattr(by, "pk", None)
    kind = UpdateAuthor.REPORTER if is_reporter else UpdateAuthor.BODY
    old = report.status
    if fixed is not None:
        if not is_reporter:
            raise PermissionDenied("Only the person who reported it answers “is it fixed?”.")
        report.status = ReportStatus.FIXED if fixed else (old if old in OPEN_STATES else ReportStatus.OPEN)
        report.save(update_fields=["status", "updated_at"])
    update = ReportUpdate.objects.create(
        report=report, author=by, author_kind=kind, text=text,
        status_before=old if report.status != old else "", status_after=report.status if report.status != old else "",
    )  # fmt: skip
    audit.record(actor=by, action="report.updated", target=report, note=text[:200])
    people = _interested(report)
    if not is_reporter or report.status != old:
        civic_notify.tell_report_updated(
            report, people=people, by=by, title=f"Update on “{report.title}”", body=plain_text(text)[:500]
        )
    return update


@transaction.atomic
def report_body_reply(*, report: Report, text: str) -> ReportUpdate:
    """The body's reply by e-mail to the report mailed to it (no account: the inbound-mail path has
    checked the signed reply address and that it came from the body's address): a public update
    shown as from the body; the reporter and followers are told."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "The reply had no words of its own."})
    if report.body_id is None or report.moderation == ModerationState.DRAFT:
        raise ValidationError("This report is not with a body.")
    update = ReportUpdate.objects.create(report=report, author=None, author_kind=UpdateAuthor.BODY, text=text[:20000])
    audit.record(actor=None, action="report.updated", target=report, note=f"By e-mail from {report.body.name}")
    civic_notify.tell_report_updated(report, people=_interested(report), by=None,
                                     title=f"{report.body.name} replied on “{report.title}”",
                                     body=plain_text(text)[:500])  # fmt: skip
    civic_notify.mail_without_account(report, text=text)
    return update


def ask_if_fixed(*, now=None) -> int:
    """Four weeks after a report that is still open, ask its reporter once (daily command)."""
    now = now or timezone.now()
    due = Report.objects.select_related("owner").filter(
        is_open=True, fixed_asked_at__isnull=True, created_at__lte=now - FIXED_AFTER, owner__isnull=False
    )
    asked = 0
    for report in due.iterator(chunk_size=500):
        with transaction.atomic():
            if Report.objects.filter(pk=report.pk, fixed_asked_at__isnull=True).update(fixed_asked_at=now):
                civic_notify.ask_is_it_fixed(report)
                asked += 1
    return asked


@transaction.atomic
def raise_entry(*, entry, by, body: Body, category: ProblemCategory) -> Report:
    """A map threat or cut raised with a body in one step: a report in the threat category, linking
    back to the entry."""
    from squaremile.core.records import ref_of
    from squaremile.core.site import absolute_url

    text = f"{plain_text(entry.description)}\n\nOn the community map: {absolute_url(entry.get_absolute_url())}"
    choices = {b.pk for b in routing.route(lat=entry.lat, lng=entry.lng, category=category).choices}
    return report_create(
        by=by, category=category, lat=entry.lat, lng=entry.lng, title=entry.title[:200], description=text,
        body=body if body.pk in choices else None,
        from_ref=ref_of(entry),
    )  # fmt: skip


# ---- questions to representatives ---------------------------------------------------------------
@transaction.atomic
def question_create(*, by, representatives: list[Representative], title: str, text: str, area=None,
                    hide_name: bool = False) -> RepQuestion:  # fmt: skip
    require(by, "repquestion.add")
    if not representatives:
        raise ValidationError({"representatives": "Choose at least one representative."})
    q = RepQuestion.objects.create(
        owner=by, title=title.strip()[:200], text=text, area=area, hide_name=hide_name, status=ModerationState.PENDING
    )
    QuestionRecipient.objects.bulk_create([QuestionRecipient(question=q, representative=r) for r in representatives])
    audit.record(actor=by, action="repquestion.created", target=q)
    return q


def question_published(question: RepQuestion) -> int:
    """Called once a moderator publishes a question: e-mail each representative the signed link."""
    now = timezone.now()
    sent = 0
    reps = set()
    for recipient in question.recipients.select_related("representative", "question").filter(sent_at__isnull=True):
        if civic_notify.mail_question(recipient):
            sent += 1
        recipient.sent_at = now
        recipient.save(update_fields=["sent_at"])
        reps.add(recipient.representative_id)
    index_document(
        kind="civic_question", object_id=question.pk, title=question.title, body=plain_text(question.text),
        url=question.get_absolute_url(), area_id=question.area_id,
    )  # fmt: skip
    for rep in Representative.objects.filter(pk__in=reps):
        recompute_responsiveness(rep, now=now)
    return sent


@transaction.atomic
def question_answer(*, recipient: QuestionRecipient, text: str, version: int | None = None) -> QuestionRecipient:
    """A representative's answer (no account needed): through their signed link (`version`: the link's
    version; each link gives one answer, then only shows it) or by replying to the mail (`version`
    None: only while the question has no answer from them)."""
    if recipient.question.status != ModerationState.PUBLISHED:
        raise ValidationError("This question is not open for answers.")
    if not text.strip():
        raise ValidationError({"answer": "Write your answer."})
    recipient = (
        QuestionRecipient.objects.select_for_update().select_related("question", "representative").get(pk=recipient.pk)
    )
    if version is None:
        if recipient.answered_at is not None:
            raise ValidationError("This question is already answered; ask for a fresh link to change the answer.")
        version = recipient.link_version
    elif version != recipient.link_version:
        raise ValidationError("This link was replaced by a newer one: use the latest e-mail.")
    elif recipient.answered_version == version:
        raise ValidationError("This link was used already: ask for a fresh link to change the answer.")
    first = recipient.answered_at is None
    recipient.answer = text
    recipient.answered_at = recipient.answered_at or timezone.now()
    recipient.answered_version = version
    recipient.save(update_fields=["answer", "answered_at", "answered_version"])
    audit.record(actor=None, action="repquestion.answered" if first else "repquestion.answer_changed",
                 target=recipient.question, note=f"{recipient.representative.name}")  # fmt: skip
    recompute_responsiveness(recipient.representative)
    if first:
        q = recipient.question
        people = {u.pk: u for u in followers_of(q)}
        if q.owner is not None:
            people[q.owner.pk] = q.owner
        for mt in MeToo.objects.filter(question=q).select_related("user"):
            people[mt.user.pk] = mt.user
        civic_notify.tell_answered(recipient, people=list(people.values()))
    return recipient


@transaction.atomic
def answer_link_renew(*, recipient: QuestionRecipient) -> bool:
    """A fresh answer link, mailed to the representative's own address (never shown on the page): the
    older links stop working, the new one may give (or change) the answer once."""
    QuestionRecipient.objects.filter(pk=recipient.pk).update(link_version=F("link_version") + 1)
    recipient.refresh_from_db(fields=["link_version"])
    audit.record(actor=None, action="repquestion.link_renewed", target=recipient.question,
                 note=recipient.representative.name)  # fmt: skip
    return civic_notify.mail_question(recipient, fresh=True)


@transaction.atomic
def question_me_too(*, question: RepQuestion, by) -> bool:
    require(by, "repquestion.add")
    if question.status != ModerationState.PUBLISHED:
        raise ValidationError("This question is not published.")
    _, made = MeToo.objects.get_or_create(question=question, user=by)
    if made:
        RepQuestion.objects.filter(pk=question.pk).update(me_too=F("me_too") + 1)
        question.refresh_from_db(fields=["me_too"])
    return made


def send_reminders(*, now=None) -> int:
    """Remind representatives of questions unanswered after 7 and after 14 days (daily command)."""
    now = now or timezone.now()
    sent = 0
    for days, field in zip(REMIND_AFTER_DAYS, ("reminded_7_at", "reminded_14_at"), strict=True):
        due = QuestionRecipient.objects.select_related("question", "representative").filter(
            answered_at__isnull=True, sent_at__lte=now - timedelta(days=days), **{f"{field}__isnull": True},
            question__status=ModerationState.PUBLISHED,
        )  # fmt: skip
        for recipient in due:
            if QuestionRecipient.objects.filter(pk=recipient.pk, **{f"{field}__isnull": True}).update(**{field: now}):
                sent += int(civic_notify.mail_question(recipient, reminder=days))
    return sent


def recompute_responsiveness(rep: Representative, *, now=None) -> Representative:
    """Share answered and median days to answer, over questions sent in the last 12 months."""
    now = now or timezone.now()
    rows = list(
        QuestionRecipient.objects.filter(
            representative=rep, sent_at__isnull=False, sent_at__gte=now - RESPONSIVENESS_WINDOW,
            question__status=ModerationState.PUBLISHED,
        ).values_list("sent_at", "answered_at")
    )  # fmt: skip
    days = [(a - s).total_seconds() / 86400 for s, a in rows if a is not None]
    Representative.objects.filter(pk=rep.pk).update(
        questions_sent=len(rows), questions_answered=len(days),
        median_days=round(statistics.median(days), 1) if days else None, figures_at=now,
    )  # fmt: skip
    rep.refresh_from_db(fields=["questions_sent", "questions_answered", "median_days", "figures_at"])
    return rep


def recompute_all_responsiveness(*, now=None) -> int:
    count = 0
    for rep in Representative.objects.all().iterator():
        recompute_responsiveness(rep, now=now)
        count += 1
    return count


def may_update(user, report: Report) -> bool:
    return can(user, "report.status", report)


# ---- a body's staff ------------------------------------------------------------------------------
STAFF_ROLES = {"facilitator": "Staff (update reports)", "organiser": "Administrator (also manages staff)"}
INVITE_SALT, INVITE_DAYS = "civic.staff-invite", 14


@transaction.atomic
def staff_invite(*, body: Body, email: str, role: str = "facilitator", by) -> StaffInvitation:
    """A body's administrator (space organiser) or a site administrator invites someone by e-mail to
    be its staff; the signed link makes the account that opens it, with that address verified, staff."""
    from squaremile.core import ratelimit

    require(by, "body.roles", body)
    email = (email or "").strip()
    if not email or "@" not in email or len(email) > 254:
        raise ValidationError({"email": "Give the e-mail address to invite."})
    if role not in STAFF_ROLES:
        raise ValidationError({"role": "Choose staff or administrator."})
    ratelimit.hit("invitations", user=str(by.pk))
    invitation = StaffInvitation.objects.create(body=body, email=email, invited_by=by, role=role)
    audit.record(actor=by, action="body.staff_invited", target=body, note=email)
    token = signing.dumps({"i": invitation.pk, "e": email.lower()}, salt=INVITE_SALT, compress=True)
    transaction.on_commit(lambda: civic_notify.mail_staff_invitation(invitation, token=token))
    return invitation


def invitation_for(token: str) -> StaffInvitation | None:
    try:
        data = signing.loads(token, salt=INVITE_SALT, max_age=INVITE_DAYS * 86400)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("i"), int):
        return None
    found = StaffInvitation.objects.select_related("body").filter(pk=data["i"], accepted_at__isnull=True).first()
    return found if found is not None and found.email.lower() == data.get("e") else None


@transaction.atomic
def staff_accept(*, invitation: StaffInvitation, user) -> None:
    """The invited person, signed in with the invited address verified, becomes staff of the body."""
    from allauth.account.models import EmailAddress

    if not EmailAddress.objects.filter(user=user, email__iexact=invitation.email, verified=True).exists():
        raise PermissionDenied(
            f"This invitation is for {invitation.email}: sign in with that address (verified) to accept it."
        )
    if not StaffInvitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(
        accepted_at=timezone.now(), accepted_by=user
    ):
        raise ValidationError("This invitation was used already.")
    grant(space=invitation.body, user=user, role=invitation.role, by=invitation.invited_by, checked_by_caller=True)
    audit.record(actor=user, action="body.staff_joined", target=invitation.body, note=invitation.get_role_display())


@transaction.atomic
def staff_remove(*, body: Body, user, by) -> bool:
    """Take away every role `user` holds in the body (staff or administrator)."""
    require(by, "body.roles", body)
    removed = False
    for role in STAFF_ROLES:
        removed = revoke(space=body, user=user, role=role, by=by) or removed
    if removed:
        audit.record(actor=by, action="body.staff_removed", target=body, note=str(user))
    return removed


@transaction.atomic
def staff_invitation_cancel(*, invitation: StaffInvitation, by) -> None:
    require(by, "body.roles", invitation.body)
    audit.record(actor=by, action="body.staff_invitation_cancelled", target=invitation.body, note=invitation.email)
    invitation.delete()
