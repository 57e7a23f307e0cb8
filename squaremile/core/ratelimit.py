"""One rate limiter for everything that sends mail or creates records on a stranger's word.

Rates are written as allauth writes them: ``"5/h"``, ``"60/h/ip,3/h/email"``, ``"500/d/user"`` —
an amount, a period (``s``, ``m``, ``h``, ``d``, optionally with a multiple: ``15m``) and, optionally,
the key it counts per. A rate without a key counts per every key given. Each scope (what is being
limited) has its rate in ``DEFAULT_RATES``; an operator overrides any of them with the
``RATE_LIMITS`` setting (``"survey-response=100/h/ip,3/h/email;invitations=1000/d/user"``).

Counts live in Django's default cache, so several web nodes agree when the cache is shared (Redis
with ``CACHE_URL``, else the database cache; see docs/operators.md). Each count is one cache key per
fixed window, raised atomically with ``cache.add`` (the first hit) and ``cache.incr`` (the next ones).

    usage = ratelimit.hit("survey-response", ip=client_ip(request), email=address)   # may raise
    ...
    usage.refund()   # the action did not happen after all (invalid input): do not count it

Views: ``@rate_limited("scope")`` counts every POST per address and answers a kind 429 page; form
views catch ``RateLimited`` themselves and show the form again with ``exc.message`` (status 429,
``with_retry_after``). The API answers ``RateLimited`` with 429 JSON and ``Retry-After``
(``core/api.py``).
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import math
import re
import time
from dataclasses import dataclass, field
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.shortcuts import render

log = logging.getLogger(__name__)

# What each scope allows, unless RATE_LIMITS says otherwise.
DEFAULT_RATES = {
    # Answers to a questionnaire: generous per address (a workshop answers through one venue's
    # wi-fi), strict per e-mail address the private link is mailed to.
    "survey-response": "60/h/ip,3/h/email,10/d/email",
    # Every mail the account system sends to one address (sign-up, "you already have an account",
    # confirmation, password reset, sign-in code), whoever asks for it; allauth's own ACCOUNT_RATE_LIMITS
    # limit each action further.
    "account-mail": "10/h/email,30/d/email",
    # Invitations an organiser sends (counted per address invited).
    "invitations": "500/d/user",
    # The community map's anonymous submissions: MAP_ANONYMOUS_RATE, per address and per e-mail.
    "map-submission": None,
    # Wants and offers (exchange): everyone, and stricter for accounts younger than
    # EXCHANGE_NEW_ACCOUNT_DAYS (spam comes from new accounts).
    "exchange-post": "20/h/user,60/d/user",
    "exchange-new-account": "3/h/user,5/d/user",
    "exchange-pdf": "30/h/ip",  # the printable noticeboard's PDF (WeasyPrint is heavy)
    # civic: answers through a representative's signed link (no account), and Open311 POSTs per key.
    "civic-answer": "30/h/ip",
    # civic: problem reports from people without an account (a confirmation link is mailed)
    "civic-report-anonymous": "10/h/ip,3/h/email,10/d/email",
    # civic: "add your voice" without an account (a link is mailed to confirm it)
    "civic-support-email": "20/h/ip,5/h/email,20/d/email",
    "open311-post": "120/h/user,600/h/ip",
    # conversations: private conversations opened and messages sent, per person
    "private-conversation": "10/h/user,30/d/user",
    "private-message": "60/h/user,300/d/user",
    # conversations: threads and replies of accounts younger than CONVERSATIONS_NEW_ACCOUNT_DAYS
    # (older accounts are limited only by a group's slow mode)
    "conversation-thread-new-account": "1/15s/user,10/d/user",
    "conversation-reply-new-account": "1/15s/user,60/d/user",
    # stories: a draft saved as it is typed (every few seconds), and short replies to stories
    "stories-autosave": "30/m/user",
    "stories-reply": "20/h/user,100/d/user",
    # Guests who register for an event without an account (a confirmation link is mailed).
    "event-guest": "20/h/ip,3/h/email,6/d/email",
    # Joining a table of the skills game by its code (a whole hall joins through one venue's wi-fi).
    "game-join": "300/h/ip",
}
PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RATE = re.compile(r"\s*(\d+)\s*/\s*(\d*)\s*([smhd])[a-z]*\s*(?:/\s*([a-z_]+)\s*)?", re.IGNORECASE)


@dataclass(frozen=True)
class Rate:
    amount: int
    seconds: int
    per: str = "*"  # the key it counts per; "*" for every key

    def __str__(self) -> str:
        return f"{self.amount}/{self.seconds}s/{self.per}"


def parse_rates(text: str) -> list[Rate]:
    """``"60/h/ip,3/h/email"`` -> [Rate(60, 3600, "ip"), Rate(3, 3600, "email")]. An empty text is no
    limit; anything else that is not a rate raises ImproperlyConfigured."""
    rates = []
    for part in (text or "").split(","):
        if not part.strip():
            continue
        match = _RATE.fullmatch(part)
        if not match:
            raise ImproperlyConfigured(f"Not a rate: {part.strip()!r} (write e.g. 5/h, 10/15m or 3/d/email).")
        amount, many, unit, per = match.groups()
        rates.append(Rate(int(amount), int(many or 1) * PERIODS[unit.lower()], (per or "*").lower()))
    return rates


def parse_rate(text: str) -> tuple[int, int]:
    """A single rate as (amount, seconds): ``"5/h"`` -> (5, 3600)."""
    rates = parse_rates(text)
    if len(rates) != 1:
        raise ImproperlyConfigured(f"Not a single rate: {text!r}")
    return rates[0].amount, rates[0].seconds


def configured_rates() -> dict[str, str]:
    """Every scope's rate text: the defaults, then the RATE_LIMITS setting."""
    rates = dict(DEFAULT_RATES)
    rates["map-submission"] = getattr(settings, "MAP_ANONYMOUS_RATE", "5/h")
    for item in (getattr(settings, "RATE_LIMITS", "") or "").split(";"):
        if item.strip():
            scope, sep, rate = item.partition("=")
            if not sep:
                raise ImproperlyConfigured(f"RATE_LIMITS: write scope=rate, not {item.strip()!r}")
            rates[scope.strip()] = rate.strip()
    return rates


def rates_for(scope: str) -> list[Rate]:
    rates = configured_rates()
    if scope not in rates:
        raise ImproperlyConfigured(f"No rate for {scope!r}: add it to ratelimit.DEFAULT_RATES.")
    return parse_rates(rates[scope] or "")


class RateLimited(Exception):
    """Too many in a short time. ``retry_after``: seconds until the next attempt may succeed."""

    def __init__(self, scope: str, retry_after: int, message: str | None = None):
        self.scope, self.retry_after = scope, max(1, int(retry_after))
        self.message = message or (
            f"You have sent this several times in a short time. Please wait {wait_words(self.retry_after)} "
            "and try again."
        )
        super().__init__(self.message)


def wait_words(seconds: int) -> str:
    if seconds < 90:
        return "a minute"
    minutes = math.ceil(seconds / 60)
    if minutes < 90:
        return f"{minutes} minutes"
    hours = round(minutes / 60)
    return "an hour" if hours <= 1 else f"{hours} hours"


@dataclass
class Usage:
    """What one ``hit`` counted, to be given back if the action did not happen."""

    keys: list[tuple[str, int]] = field(default_factory=list)

    def refund(self) -> None:
        for key, cost in self.keys:
            try:
                cache.decr(key, cost)
            except ValueError:  # expired meanwhile: nothing to give back
                pass
            except Exception:  # the cache is down: the count stays (stricter, never looser)
                log.exception("Rate limit count %s not given back: the cache did not answer.", key)
        self.keys = []


def _digest(value: str) -> str:
    return hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]


def _count(key: str, cost: int, timeout: int) -> int:
    if cache.add(key, cost, timeout=timeout):
        return cost
    try:
        return cache.incr(key, cost)
    except ValueError:  # expired between add and incr
        cache.add(key, cost, timeout=timeout)
        return cost


def hit(scope: str, *, cost: int = 1, now: float | None = None, **keys: str | None) -> Usage:
    """Count one attempt (or ``cost`` of them) against every rate of ``scope`` for each key given
    (keys whose value is empty are skipped). Raises RateLimited, counting nothing, when any count
    would go over its rate."""
    now = time.time() if now is None else now
    counted: list[tuple[str, int]] = []
    over: list[int] = []
    for rate in rates_for(scope):
        for name, value in keys.items():
            if not value or rate.per not in ("*", name):
                continue
            window = int(now // rate.seconds)
            key = f"rl:{scope}:{name}:{rate.amount}/{rate.seconds}:{_digest(str(value))}:{window}"
            try:
                count = _count(key, cost, rate.seconds + 1)
            except Exception:  # the cache is down: let people through, and say so loudly
                log.exception("Rate limit %s not counted: the cache did not answer.", scope)
                continue
            counted.append((key, cost))
            if count > rate.amount:
                over.append(int((window + 1) * rate.seconds - now) + 1)
    usage = Usage(counted)
    if over:
        usage.refund()
        raise RateLimited(scope, max(over))
    return usage


def client_ip(request) -> str:
    """The visitor's address, as allauth sees it (so ALLAUTH_TRUSTED_PROXY_COUNT /
    ALLAUTH_TRUSTED_CLIENT_IP_HEADER apply to every limit alike); an IPv6 address stands for its /64."""
    from allauth.account.adapter import get_adapter

    try:
        ip = get_adapter(request).get_client_ip(request)
    except PermissionDenied:
        return "unknown"
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip or "unknown"
    if address.version == 6:
        return str(ipaddress.IPv6Network(f"{address}/64", strict=False).network_address)
    return str(address)


def with_retry_after(response, exc: RateLimited):
    response["Retry-After"] = str(exc.retry_after)
    return response


def too_many_requests(request, exc: RateLimited, *, template: str = "429.html", context: dict | None = None):
    """The kind 429 page (or ``template`` with ``context``, e.g. a form shown again)."""
    response = render(request, template, {"message": exc.message, **(context or {})}, status=429)
    return with_retry_after(response, exc)


def rate_limited(scope: str, *, methods=("POST",), keys=None):
    """View decorator: count each request of ``methods`` per visitor address (or per what
    ``keys(request)`` returns, a dict) and answer the 429 page when over. A RateLimited raised
    inside the view is answered the same way."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                if request.method in methods:
                    hit(scope, **(keys(request) if keys else {"ip": client_ip(request)}))
                return view(request, *args, **kwargs)
            except RateLimited as exc:
                return too_many_requests(request, exc)

        return wrapper

    return decorator
