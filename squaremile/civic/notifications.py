"""What civic tells people, through the one notification system (squaremile.notifications), and the
mails it sends to bodies and representatives (addresses without an account) through the one e-mail
path. Kinds and followable models are registered when the app loads (CivicConfig.ready)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing
from django.urls import reverse

from squaremile.civic.models import Body, Report, RepQuestion
from squaremile.core.signed import read_signed
from squaremile.core.site import absolute_url
from squaremile.moderation.models import ModerationState
from squaremile.notifications import followable, kinds
from squaremile.notifications.email import send_email
from squaremile.notifications.models import Delivery
from squaremile.notifications.services import notify, notify_followers

REPORT_UPDATED, NEW_REPORT, IS_IT_FIXED, QUESTION_ANSWERED, BODY_REPORT = (
    "civic.report_updated",
    "civic.new_report",
    "civic.is_it_fixed",
    "civic.question_answered",
    "civic.body_report",
)
ANSWER_SALT = "civic.answer"
ANSWER_PURPOSE, REPORT_REPLY_PURPOSE = "civic.answer", "civic.body_reply"  # inbound mail


def _question_visible(user, q) -> bool:
    return isinstance(q, RepQuestion) and q.status == ModerationState.PUBLISHED


kinds.register(
    REPORT_UPDATED, label="A problem you reported or supported was updated", default=Delivery.IMMEDIATE,
    description="When the body changes the status of a report, or writes on it.",
)  # fmt: skip
kinds.register(
    NEW_REPORT, label="New problem reports where you follow", default=Delivery.DAILY,
    description="Problems reported in the areas and bodies you follow.",
)  # fmt: skip
kinds.register(
    IS_IT_FIXED, label="Is the problem you reported fixed?", default=Delivery.IMMEDIATE,
    description="Four weeks after you report a problem that is still open, we ask you.",
)  # fmt: skip
kinds.register(
    QUESTION_ANSWERED, label="A question you asked or joined was answered", default=Delivery.IMMEDIATE,
    description="When a representative answers a question you asked or said “me too” to.",
    check=_question_visible,
)  # fmt: skip
kinds.register(
    BODY_REPORT, label="A new report for a body you work for", default=Delivery.IMMEDIATE,
    description="For a body's staff: each report routed to it.",
)  # fmt: skip
followable.register(Report, noun="this report")
followable.register(Body, noun="new reports to this body")
followable.register(RepQuestion, visible=_question_visible, noun="this question")


def report_url(report: Report) -> str:
    return absolute_url(report.get_absolute_url())


def mail_report_to_body(report: Report) -> bool:
    """The report, by e-mail, to the body's address (it has no account here). Replying to it posts
    the reply on the report's page as an update from the body (`civic.replies`)."""
    from squaremile.notifications.inbound import reply_address

    return send_email(
        to=report.body.email, subject="Problem report", template="civic/email/report_to_body",
        context={"report": report, "report_url": report_url(report), "answers": report.answers},
        unsubscribe=None, reply_to=reply_address(REPORT_REPLY_PURPOSE, user=None, obj=report),
    )  # fmt: skip


def mail_confirm_report(report: Report, *, token: str) -> bool:
    """The link that makes a report made without an account public (and sends it to the body)."""
    link = absolute_url(reverse("civic:report_confirm", kwargs={"token": token}))
    return send_email(
        to=report.reporter_email, subject="Confirm your problem report", template="civic/email/confirm_report",
        context={"report": report, "confirm_link": link, "name": report.reporter_name}, unsubscribe=None,
        immediate=True,
    )  # fmt: skip


def mail_confirm_support(report: Report, *, name: str, email: str, token: str) -> bool:
    """The link that adds the voice of someone without an account to a report (`report_support_confirm`)."""
    link = absolute_url(reverse("civic:report_support_confirm", kwargs={"token": token}))
    return send_email(
        to=email, subject="Confirm: add your voice to a problem report", template="civic/email/confirm_support",
        context={"report": report, "confirm_link": link, "name": name, "report_url": report_url(report)},
        unsubscribe=None, immediate=True,
    )  # fmt: skip


def _mail_update(report: Report, *, address: str, name: str, text: str, supporter: bool) -> bool:
    return send_email(
        to=address, subject=("Update on a report you support: " if supporter else "Update on your report: ")
        + " ".join(report.title.split())[:80],
        template="civic/email/report_update", unsubscribe=REPORT_UPDATED,
        context={"report": report, "text": text, "report_url": report_url(report), "name": name,
                 "supporter": supporter},
    )  # fmt: skip


def mail_anonymous_reporter(report: Report, *, text: str = "") -> bool:
    """A report made without an account: its reporter hears of updates by e-mail (one click stops them)."""
    if report.owner_id is not None or not report.reporter_email:
        return False
    return _mail_update(report, address=report.reporter_email, name=report.reporter_name, text=text, supporter=False)


def mail_without_account(report: Report, *, text: str = "") -> int:
    """Everyone who has a voice on the report without an account hears of an update by e-mail: its
    reporter, and those who added their voice by e-mail (one click stops them). How many were mailed."""
    sent = int(mail_anonymous_reporter(report, text=text))
    reporter = (report.reporter_email or "").strip().lower() if report.owner_id is None else ""
    supports = report.supports.filter(user__isnull=True).exclude(email="").order_by("pk").values_list("email", "name")
    for email, name in supports.iterator(chunk_size=500):
        if email.strip().lower() != reporter:
            sent += int(_mail_update(report, address=email, name=name, text=text, supporter=True))
    return sent


def mail_staff_invitation(invitation, *, token: str) -> bool:
    link = absolute_url(reverse("civic:staff_join", kwargs={"token": token}))
    return send_email(
        to=invitation.email, subject=f"Join {invitation.body.name} on the site", template="civic/email/staff_invite",
        context={"invitation": invitation, "link": link, "body": invitation.body}, unsubscribe=None,
    )  # fmt: skip


def tell_staff(report: Report, staff) -> None:
    notify(
        kind=BODY_REPORT, recipients=staff, target=report, title=f"New report: {report.title}",
        url=report.get_absolute_url(),
    )  # fmt: skip


def tell_followers_new(report: Report, *, by) -> None:
    targets = [t for t in (report.area, report.body) if t is not None]
    notify_followers(
        kind=NEW_REPORT, targets=targets, target=report, actor=by, title=f"Problem reported: {report.title}",
        url=report.get_absolute_url(),
    )  # fmt: skip


def tell_report_updated(report: Report, *, people, by, title: str, body: str = "") -> None:
    notify(kind=REPORT_UPDATED, recipients=people, target=report, actor=by, title=title, body=body,
           url=report.get_absolute_url())  # fmt: skip


def ask_is_it_fixed(report: Report) -> None:
    if report.owner is None:
        return
    notify(
        kind=IS_IT_FIXED, recipients=[report.owner], target=report, title=f"Is it fixed? “{report.title}”",
        body="Four weeks ago you reported this problem. Tell us whether it has been fixed.",
        url=report.get_absolute_url() + "#is-it-fixed",
    )  # fmt: skip


ANSWER_LINK_DAYS = 30  # a reminder (7 and 14 days) or a fresh link mails a newly signed one


def answer_token(recipient) -> str:
    return signing.dumps({"r": recipient.pk, "v": recipient.link_version}, salt=ANSWER_SALT, compress=True)


@dataclass(frozen=True)
class AnswerLink:
    recipient_id: int
    version: int
    expired: bool


def read_answer_token(token: str, *, max_age_days: int = ANSWER_LINK_DAYS) -> AnswerLink | None:
    """What a link names (also when it has expired: its page then offers a fresh one), or None when
    it was not made here."""
    data, expired = read_signed(token, salt=ANSWER_SALT, max_age_seconds=max_age_days * 86400)
    if not isinstance(data, dict) or not isinstance(data.get("r"), int) or not isinstance(data.get("v"), int):
        return None
    return AnswerLink(data["r"], data["v"], expired)


def mail_question(recipient, *, reminder: int = 0, fresh: bool = False) -> bool:
    """A question, to one representative, with the signed link that lets them answer once (no account)
    and a reply address: their reply by e-mail is the answer too."""
    from squaremile.notifications.inbound import reply_address

    rep = recipient.representative
    if not rep.email:
        return False
    link = absolute_url(reverse("civic:answer", kwargs={"token": answer_token(recipient)}))
    subject = "A question from a resident" if not reminder else f"Reminder: a question waiting {reminder} days"
    if fresh:
        subject = "Your new link to answer a question"
    return send_email(
        to=rep.email, subject=subject, template="civic/email/question_to_rep",
        context={"question": recipient.question, "rep": rep, "answer_link": link, "reminder": reminder,
                 "fresh": fresh, "link_days": ANSWER_LINK_DAYS,
                 "question_url": absolute_url(recipient.question.get_absolute_url())},
        unsubscribe=None, reply_to=reply_address(ANSWER_PURPOSE, user=None, obj=recipient),
    )  # fmt: skip


def tell_answered(recipient, *, people) -> None:
    q = recipient.question
    title = f"{recipient.representative.name} answered “{q.title}”"
    notify(kind=QUESTION_ANSWERED, recipients=people, target=q, title=title, url=q.get_absolute_url())
