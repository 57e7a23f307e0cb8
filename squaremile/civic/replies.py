"""Replies by e-mail from people without an account (through the one inbound-mail path,
`squaremile.notifications.inbound`): a body's reply to the report mailed to it becomes a public
update from the body; a representative's reply to a question is their answer. Each reply address is
signed, expires, names the record, and is taken only from the address that record was mailed to.
Registered from `CivicConfig.ready()`."""

from __future__ import annotations

from squaremile.civic import services
from squaremile.civic.notifications import ANSWER_LINK_DAYS, ANSWER_PURPOSE, REPORT_REPLY_PURPOSE
from squaremile.notifications import inbound


def _body_address(report) -> list[str]:
    return [report.body.email] if report.body_id and report.body.email else []


def _rep_address(recipient) -> list[str]:
    return [recipient.representative.email] if recipient.representative.email else []


def body_reply(mail: inbound.InboundMail):
    return services.report_body_reply(report=mail.obj, text=mail.text)


def rep_answer(mail: inbound.InboundMail):
    return services.question_answer(recipient=mail.obj, text=mail.text)


def register() -> None:
    inbound.register_handler(REPORT_REPLY_PURPOSE, body_reply, needs_user=False, sender_addresses=_body_address)
    inbound.register_handler(
        ANSWER_PURPOSE, rep_answer, needs_user=False, sender_addresses=_rep_address, max_age_days=ANSWER_LINK_DAYS
    )
