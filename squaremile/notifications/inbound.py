"""Inbound mail: people answer the platform's mails from their own mail client.

Every mail that can be answered carries a reply address made here, ``reply_address(purpose,
user=, obj=)``: ``reply+<token>@<INBOUND_MAIL_DOMAIN>``, where the token is signed (HMAC-SHA256 with
a key derived from SECRET_KEY), names the purpose, the person it was sent to and the record it is
about, and carries the day it was made (so it expires). It is short (about 40 characters) and made
of lower-case letters and digits only, so it survives mail systems that change the case of an
address or cut long ones.

An app says what a purpose does with a reply, from its ``AppConfig.ready()``:

    inbound.register_handler("conversations.reply", handle_reply)          # handler(mail) -> str

``receive(raw)`` takes one RFC 5322 message (``manage.py receive_mail`` pipes it from Postfix or Exim;
the HTTP endpoint ``views_inbound.receive_view`` takes it from an inbound-mail service) and:

* ignores, without trace but in the operators' log, auto-replies (``Auto-Submitted``, ``X-Autoreply``,
  ``Precedence: bulk|auto_reply|list|junk``) and bounces (delivery reports, ``MAILER-DAEMON``);
* refuses forged, altered or expired tokens and senders that are not the person the token was made
  for (or, for a purpose without a person, not anyone with a verified address here; or, for a
  purpose registered with ``sender_addresses``, not the address the record was mailed to — councils
  and representatives, who have no account);
* keeps the new words only (the plain-text part, or the HTML part made plain; quoted text, "On ...
  wrote:", forwarded headers and signatures cut off) and calls the purpose's handler.

A handler raises ``ValidationError`` or ``PermissionDenied`` to refuse (the reason is logged);
anything it returns is the outcome's ``result``.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr
from html.parser import HTMLParser

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError

log = logging.getLogger("squaremile.inbound")

LOCAL_PREFIX = "reply"
MAC_BYTES = 10  # 80 bits
EPOCH = dt.date(2024, 1, 1)
ACCEPTED, IGNORED, REFUSED = "accepted", "ignored", "refused"


@dataclass(frozen=True)
class Handler:
    purpose: str
    handle: Callable
    max_age_days: int | None  # None: never expires (a group's own address)
    needs_user: bool  # the token names the person it was sent to
    # For people without an account (a council, a representative): the addresses the record the token
    # names was mailed to; the sender must be one of them, and the handler gets user=None.
    sender_addresses: Callable | None = None


@dataclass
class InboundMail:
    """What a handler receives."""

    purpose: str
    user: object  # the sender, a User
    obj: object  # the record the token names (None when it names none)
    text: str  # the new words, quoted text and signature removed
    subject: str
    message: EmailMessage
    message_id: str = ""


@dataclass
class Outcome:
    status: str  # accepted, ignored, refused
    reason: str = ""
    purpose: str = ""
    result: object = None
    sender: str = ""

    @property
    def ok(self) -> bool:
        return self.status != REFUSED


@dataclass(frozen=True)
class Token:
    purpose_hash: bytes
    content_type_id: int
    object_id: int
    user_id: int | None
    issued: dt.date


_handlers: dict[str, Handler] = {}
_by_hash: dict[bytes, Handler] = {}


def _purpose_hash(purpose: str) -> bytes:
    return hashlib.sha256(purpose.encode()).digest()[:4]


def register_handler(purpose: str, handler: Callable, *, max_age_days: int | None = -1, needs_user: bool = True,
                     sender_addresses: Callable | None = None):  # fmt: skip
    """``handler(mail: InboundMail)`` posts what a reply says. ``max_age_days``: how long an address
    stays good (default INBOUND_MAIL_TOKEN_DAYS; None for an address that never expires, such as a
    group's own). ``needs_user=False``: the address names no person, the sender is found by their
    verified address. ``sender_addresses(obj)``: for senders without an account (a council, a
    representative) — the addresses the record was mailed to; a reply is taken only from one of them
    (the signature and expiry are checked as always) and the handler gets ``user=None``."""
    if max_age_days == -1:
        max_age_days = settings.INBOUND_MAIL_TOKEN_DAYS
    entry = Handler(purpose=purpose, handle=handler, max_age_days=max_age_days,
                    needs_user=needs_user and sender_addresses is None, sender_addresses=sender_addresses)  # fmt: skip
    _handlers[purpose] = entry
    _by_hash[_purpose_hash(purpose)] = entry
    return entry


# ---- tokens --------------------------------------------------------------------------------------
def _key() -> bytes:
    return hashlib.sha256(b"squaremile.inbound-mail:" + settings.SECRET_KEY.encode()).digest()


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _read_varint(data: bytes, at: int) -> tuple[int, int]:
    n = shift = 0
    while True:
        if at >= len(data) or shift > 63:
            raise ValueError("truncated")
        byte = data[at]
        at += 1
        n |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return n, at


def make_token(purpose: str, *, user=None, obj=None, today: dt.date | None = None) -> str:
    if purpose not in _handlers:
        raise LookupError(f"No inbound handler for {purpose!r}: register_handler it first.")
    today = today or dt.date.today()
    ct_id = ContentType.objects.get_for_model(obj).pk if obj is not None else 0
    body = (
        _purpose_hash(purpose)
        + _varint(ct_id)
        + _varint(obj.pk if obj is not None else 0)
        + _varint(user.pk if user is not None else 0)
        + _varint(max(0, (today - EPOCH).days))
    )
    mac = hmac.new(_key(), body, hashlib.sha256).digest()[:MAC_BYTES]
    return base64.b32encode(body + mac).decode().rstrip("=").lower()


def read_token(token: str) -> Token | None:
    """The token's contents, or None when it was not made here or was altered."""
    text = (token or "").strip().upper()
    if not text or len(text) > 80 or not re.fullmatch(r"[A-Z2-7]+", text):
        return None
    try:
        data = base64.b32decode(text + "=" * (-len(text) % 8))
    except ValueError:
        return None
    if len(data) <= MAC_BYTES + 4:
        return None
    body, mac = data[:-MAC_BYTES], data[-MAC_BYTES:]
    if not hmac.compare_digest(mac, hmac.new(_key(), body, hashlib.sha256).digest()[:MAC_BYTES]):
        return None
    try:
        ct_id, at = _read_varint(body, 4)
        obj_id, at = _read_varint(body, at)
        user_id, at = _read_varint(body, at)
        days, at = _read_varint(body, at)
    except ValueError:
        return None
    if at != len(body):
        return None
    return Token(body[:4], ct_id, obj_id, user_id or None, EPOCH + dt.timedelta(days=days))


def reply_address(purpose: str, *, user, obj) -> str:
    """The address a reply to this mail goes to, or "" when inbound mail is not set up
    (INBOUND_MAIL_DOMAIN unset): then the mail carries no reply address."""
    domain = (getattr(settings, "INBOUND_MAIL_DOMAIN", "") or "").strip()
    if not domain:
        return ""
    return f"{LOCAL_PREFIX}+{make_token(purpose, user=user, obj=obj)}@{domain}"


# ---- reading a message ---------------------------------------------------------------------------
AUTO_PRECEDENCE = {"bulk", "auto_reply", "list", "junk"}
BOUNCE_SENDERS = re.compile(r"^(mailer-daemon|postmaster|mail-daemon)@", re.IGNORECASE)


def is_automatic(msg: EmailMessage) -> str:
    """Why this message was written by a machine (an auto-reply or a bounce), or ""."""
    auto = str(msg.get("Auto-Submitted", "") or "").strip().lower()
    if auto and auto != "no":
        return f"auto-submitted: {auto}"
    for name in ("X-Autoreply", "X-Autorespond"):
        if msg.get(name) is not None:
            return f"{name.lower()} header"
    precedence = str(msg.get("Precedence", "") or "").strip().lower()
    if precedence in AUTO_PRECEDENCE:
        return f"precedence: {precedence}"
    if msg.get_content_type() == "multipart/report":
        return "delivery status report"
    if msg.get("X-Failed-Recipients") is not None:
        return "bounce (X-Failed-Recipients)"
    sender = parseaddr(str(msg.get("From", "") or ""))[1]
    if BOUNCE_SENDERS.match(sender or ""):
        return "bounce (mailer daemon)"
    if str(msg.get("Return-Path", "") or "").strip() == "<>":
        return "bounce (empty return path)"
    return ""


def _recipients(msg: EmailMessage) -> list[str]:
    values = []
    for name in ("To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To"):
        values.extend(str(v) for v in (msg.get_all(name) or []))
    return [address for _, address in getaddresses(values) if address]


_TOKEN_ADDRESS = re.compile(r"^[^@+]+\+([a-z2-7]{16,80})@(.+)$", re.IGNORECASE)


def find_token(msg: EmailMessage) -> tuple[str, Token | None]:
    """The first reply token among the message's recipients (the raw text and what it holds)."""
    domain = (getattr(settings, "INBOUND_MAIL_DOMAIN", "") or "").strip().lower()
    for address in _recipients(msg):
        match = _TOKEN_ADDRESS.match(address.strip())
        if not match or (domain and match.group(2).lower() != domain):
            continue
        return match.group(1), read_token(match.group(1))
    return "", None


class _Text(HTMLParser):
    BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "blockquote", "pre", "hr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.quote = 0

    def handle_starttag(self, tag, attrs):
        classes = dict(attrs).get("class") or ""
        if tag in ("script", "style", "head"):
            self.skip += 1
        elif tag == "blockquote" or "gmail_quote" in classes:
            self.quote += 1
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style", "head"):
            self.skip = max(0, self.skip - 1)
        elif tag == "blockquote":
            self.quote = max(0, self.quote - 1)
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if self.skip:
            return
        if self.quote:
            self.parts.append("".join(f"> {line}\n" for line in data.splitlines() if line.strip()))
        else:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _Text()
    parser.feed(html or "")
    parser.close()
    text = "".join(parser.parts)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(line.rstrip() for line in text.splitlines())).strip()


def body_text(msg: EmailMessage) -> str:
    """The message's words: its plain-text part, else its HTML part made plain."""
    part = msg.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, UnicodeError, AssertionError):
        payload = part.get_payload(decode=True) or b""
        content = payload.decode("utf-8", errors="replace")
    if not isinstance(content, str):
        return ""
    if part.get_content_type() == "text/html":
        return html_to_text(content)
    return content


REPLY_ABOVE = "Reply above this line"
_CUTS = [
    re.compile(r"^\s*-{2,}\s*" + re.escape(REPLY_ABOVE), re.IGNORECASE),  # our own marker
    re.compile(r"^\s*#+\s*" + re.escape(REPLY_ABOVE), re.IGNORECASE),
    re.compile(r"^-- ?$"),  # the signature separator
    re.compile(r"^\s*-+\s*Original Message\s*-+", re.IGNORECASE),
    re.compile(r"^\s*-+\s*Forwarded message\s*-+", re.IGNORECASE),
    re.compile(r"^\s*_{10,}\s*$"),  # Outlook's rule before the quoted mail
    re.compile(r"^\s*From:\s.+", re.IGNORECASE),  # Outlook's header block of the quoted mail
    re.compile(r"^\s*Sent from my \w+", re.IGNORECASE),
    re.compile(r"^\s*Get Outlook for ", re.IGNORECASE),
]
# "On Tue, 3 Dec 2026 at 10:00, Someone <x@y> wrote:" (sometimes wrapped over two or three lines)
_WROTE = re.compile(r"^\s*(On|Le|Am|El|Il|Op)\s.{0,300}(wrote|a écrit|schrieb|escribió|ha scritto|schreef)\s*:\s*$",
                    re.IGNORECASE | re.DOTALL)  # fmt: skip


def strip_quoted(text: str) -> str:
    """The new words of a reply: everything from the first quoted-mail marker or signature on is cut,
    and lines quoted with ">" are dropped."""
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    for i, line in enumerate(lines):
        if any(cut.match(line) for cut in _CUTS):
            break
        if line.strip()[:3].lower() in ("on ", "le ", "am ", "el ", "il ", "op ") and any(
            _WROTE.match(" ".join(part.strip() for part in lines[i : i + n])) for n in (1, 2, 3)
        ):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line.rstrip())
    return "\n".join(kept).strip()


# ---- receiving ------------------------------------------------------------------------------------
def _find_sender(address: str):
    from allauth.account.models import EmailAddress

    found = (
        EmailAddress.objects.filter(email__iexact=address.strip(), verified=True, user__is_active=True)
        .select_related("user")
        .first()
    )
    return found.user if found is not None else None


def _object(token: Token):
    if not token.content_type_id:
        return None
    try:
        model = ContentType.objects.get_for_id(token.content_type_id).model_class()
    except ContentType.DoesNotExist:
        return None
    if model is None:
        return None
    return model._default_manager.filter(pk=token.object_id).first()


def _not_mailed_to(handler: Handler, token: Token, address: str) -> str:
    """Why a reply to a record mailed to someone without an account is not theirs, or ""."""
    obj = _object(token)
    if obj is None:
        return "the record is gone"
    allowed = {a.strip().lower() for a in handler.sender_addresses(obj) if a}
    if not address or address.strip().lower() not in allowed:
        return "the sender is not the address this was sent to"
    return ""


def _done(outcome: Outcome, msg_id: str = "") -> Outcome:
    level = logging.INFO if outcome.status == ACCEPTED else logging.WARNING
    log.log(level, "Inbound mail %s %s: %s (from %s, purpose %s)", msg_id or "-", outcome.status, outcome.reason,
            outcome.sender or "-", outcome.purpose or "-")  # fmt: skip
    return outcome


def parse(raw: bytes) -> EmailMessage:
    return BytesParser(policy=policy.default).parsebytes(raw)


def max_bytes() -> int:
    return int(settings.INBOUND_MAIL_MAX_BYTES)


def receive(raw: bytes, *, today: dt.date | None = None) -> Outcome:
    """Take one RFC 5322 message and, if it is a genuine reply, give it to its purpose's handler."""
    if len(raw) > max_bytes():
        return _done(Outcome(REFUSED, "the message is too large"))
    try:
        msg = parse(raw)
    except Exception:  # the parser is lenient; anything it still cannot read is refused
        return _done(Outcome(REFUSED, "the message could not be read"))
    msg_id = str(msg.get("Message-ID", "") or "")[:200]
    sender_address = parseaddr(str(msg.get("From", "") or ""))[1][:254]
    why = is_automatic(msg)
    if why:
        return _done(Outcome(IGNORED, why, sender=sender_address), msg_id)
    raw_token, token = find_token(msg)
    if not raw_token:
        return _done(Outcome(REFUSED, "no reply address of ours", sender=sender_address), msg_id)
    if token is None:
        return _done(Outcome(REFUSED, "forged or altered reply address", sender=sender_address), msg_id)
    handler = _by_hash.get(token.purpose_hash)
    if handler is None:
        return _done(Outcome(REFUSED, "no handler for this address", sender=sender_address), msg_id)
    outcome = Outcome(REFUSED, sender=sender_address, purpose=handler.purpose)
    today = today or dt.date.today()
    if handler.max_age_days is not None and (today - token.issued).days > handler.max_age_days:
        outcome.reason = "expired reply address"
        return _done(outcome, msg_id)
    if handler.sender_addresses is not None and (why := _not_mailed_to(handler, token, sender_address)):
        outcome.reason = why  # no account: the sender must be the address the record was mailed to
        return _done(outcome, msg_id)
    sender = _find_sender(sender_address) if sender_address and handler.sender_addresses is None else None
    if sender is None and handler.sender_addresses is None:
        outcome.reason = "unknown sender"
        return _done(outcome, msg_id)
    if handler.needs_user and (token.user_id is None or token.user_id != sender.pk):
        outcome.reason = "the sender is not the person this address was made for"
        return _done(outcome, msg_id)
    obj = _object(token)
    if token.content_type_id and obj is None:
        outcome.reason = "the record is gone"
        return _done(outcome, msg_id)
    text = strip_quoted(body_text(msg))
    mail = InboundMail(
        purpose=handler.purpose, user=sender, obj=obj, text=text,
        subject=str(msg.get("Subject", "") or "")[:300], message=msg, message_id=msg_id,
    )  # fmt: skip
    try:
        outcome.result = handler.handle(mail)
    except (ValidationError, PermissionDenied) as exc:
        outcome.reason = "; ".join(getattr(exc, "messages", None) or [str(exc)])[:300]
        return _done(outcome, msg_id)
    outcome.status, outcome.reason = ACCEPTED, "posted"
    return _done(outcome, msg_id)
