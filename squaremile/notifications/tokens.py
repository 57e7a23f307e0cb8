"""Signed one-click unsubscribe tokens: a person (by id) or an address without an account, and a
kind ("*" for every kind). Signed with SECRET_KEY; they do not expire (a mail read a year later
must still let its reader stop the mails)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing

SALT = "squaremile.notifications.unsubscribe"
ALL = "*"


@dataclass(frozen=True)
class Unsubscribe:
    kind: str
    user_id: int | None = None
    email: str = ""


def make(*, kind: str, user=None, email: str = "") -> str:
    data = {"k": kind}
    if user is not None:
        data["u"] = user.pk
    else:
        data["e"] = email.strip().lower()
    return signing.dumps(data, salt=SALT, compress=True)


def read(token: str) -> Unsubscribe | None:
    """What the token stands for, or None when it was not made here or was altered."""
    try:
        data = signing.loads(str(token)[:1000], salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("k"), str):
        return None
    user_id = data.get("u")
    email = data.get("e") or ""
    if user_id is None and not email:
        return None
    return Unsubscribe(kind=data["k"], user_id=user_id if isinstance(user_id, int) else None, email=str(email))
