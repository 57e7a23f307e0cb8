"""Reading a signed link's data (`django.core.signing.dumps`) so that its page can tell an expired
link (offer a fresh one) from one that was never made here."""

from __future__ import annotations

from django.core import signing


def read_signed(token: str, *, salt: str, max_age_seconds: int) -> tuple[object | None, bool]:
    """(the data, expired?) of a token signed with `salt`; (None, False) when it was not made here."""
    try:
        return signing.loads(token, salt=salt, max_age=max_age_seconds), False
    except signing.SignatureExpired:
        try:
            return signing.loads(token, salt=salt), True
        except signing.BadSignature:
            return None, False
    except signing.BadSignature:
        return None, False
