"""What civic tells people, through the one notification system (squaremile.notifications), and the
mails it sends to bodies and representatives (addresses without an account) through the one e-mail
path. Kinds and followable models are registered when the app loads (CivicConfig.ready)."""

from __future__ import annotations

from django.core import signing
from django.urls import reverse

from squaremile.civic.models import Body, Report, RepQuestion
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
    """The report, by e-mail, to the body's address (it has no account here)."""
    return send_email(
        to=report.body.email, subject="Problem report", template="civic/email/report_to_body",
        context={"report": report, "report_url": report_url(report), "answers": report.answers},
        unsubscribe=None,
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


def answer_token(recipient_id: int) -> str:
    return signing.dumps({"r": recipient_id}, salt=ANSWER_SALT, compress=True)


def read_answer_token(token: str, *, max_age_days: int = 180) -> int | None:
    try:
        data = signing.loads(token, salt=ANSWER_SALT, max_age=max_age_days * 86400)
    except signing.BadSignature:
        return None
    value = data.get("r") if isinstance(data, dict) else None
    return value if isinstance(value, int) else None


def mail_question(recipient, *, reminder: int = 0) -> bool:
    """A question, to one representative, with the signed link that lets them answer (no account)."""
    rep = recipient.representative
    if not rep.email:
        return False
    link = absolute_url(reverse("civic:answer", kwargs={"token": answer_token(recipient.pk)}))
    subject = "A question from a resident" if not reminder else f"Reminder: a question waiting {reminder} days"
    return send_email(
        to=rep.email, subject=subject, template="civic/email/question_to_rep",
        context={"question": recipient.question, "rep": rep, "answer_link": link, "reminder": reminder,
                 "question_url": absolute_url(recipient.question.get_absolute_url())},
        unsubscribe=None,
    )  # fmt: skip


def tell_answered(recipient, *, people) -> None:
    q = recipient.question
    title = f"{recipient.representative.name} answered “{q.title}”"
    notify(kind=QUESTION_ANSWERED, recipients=people, target=q, title=title, url=q.get_absolute_url())
