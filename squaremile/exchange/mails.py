"""The exchange's own e-mails (sent through the one notifications path: `notify(email_template=...)`):
what each mail says and its one-tap links — a match (with each reason and "Message them"), a
neighbour asked, the reminders before an item ends ("Renew for 30 days"), promised and done ("Yes,
it is done"). Also the signed links that let a person renew or confirm from the mail without
logging in: the link opens a page with one button (a mail scanner that follows links changes
nothing; only the button, a POST, does)."""

from __future__ import annotations

from django.core import signing
from django.urls import NoReverseMatch, reverse

from squaremile.core.site import absolute_url
from squaremile.exchange.models import Item, Side

SALT = "squaremile.exchange.action"
ACTIONS = {"renew": "Renew", "done": "Confirm it is done"}
TOKEN_MAX_AGE = 60 * 24 * 3600  # a reminder read weeks later still works; the item may have moved on


def action_token(*, item: Item, user, action: str) -> str:
    if action not in ACTIONS:
        raise ValueError(f"Not an action: {action}")
    return signing.dumps({"i": item.pk, "u": user.pk, "a": action}, salt=SALT, compress=True)


def read_action_token(token: str, *, item_id: int) -> tuple[int, str] | None:
    """(user id, action) when the token was made here for this item and is not too old, else None."""
    try:
        data = signing.loads(str(token)[:500], salt=SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired is one
        return None
    if not isinstance(data, dict) or data.get("i") != item_id or data.get("a") not in ACTIONS:
        return None
    if not isinstance(data.get("u"), int):
        return None
    return data["u"], data["a"]


def action_url(*, item: Item, user, action: str) -> str:
    return absolute_url(reverse("exchange:act", args=[item.pk, action_token(item=item, user=user, action=action)]))


def message_url(*, item: Item, with_user_id: int | None) -> str:
    """One tap to a private conversation about `item` with that person (login first if needed)."""
    if not with_user_id:
        return ""
    try:
        base = reverse("conversations:private_start")
    except NoReverseMatch:
        return ""
    return absolute_url(f"{base}?with={with_user_id}&about=exchange.item:{item.pk}")


def item_url(item: Item) -> str:
    return absolute_url(item.get_absolute_url())


# ---- what each mail says ---------------------------------------------------------------------------
def matched_for_owner(*, item: Item, found: list) -> dict:
    """The owner of a new (or changed) item: its best matches, each with the reason and a message link."""
    noun = "offers" if item.side == Side.WANT else "wants"
    return {
        "item": item, "item_url": item_url(item), "noun": noun,
        "matches": [
            {"title": f.item.title, "reason": f.reason, "url": item_url(f.item),
             "message_url": message_url(item=f.item, with_user_id=f.item.owner_id)}
            for f in found[:5]
        ],
        "more": max(0, len(found) - 5),
    }  # fmt: skip


def matched_for_counterpart(*, item: Item, new_item: Item, reason: str) -> dict:
    """The owner of an existing item that a new one may meet."""
    return {
        "item": item, "item_url": item_url(item), "new_item": new_item, "new_url": item_url(new_item),
        "reason": reason, "message_url": message_url(item=new_item, with_user_id=new_item.owner_id),
    }  # fmt: skip


def asked(*, item: Item, reason: str, person) -> dict:
    try:
        profile_url = absolute_url(reverse("accounts:profile_edit"))
    except NoReverseMatch:
        profile_url = ""
    return {
        "item": item, "item_url": item_url(item), "reason": reason, "profile_url": profile_url,
        "message_url": message_url(item=item, with_user_id=item.owner_id),
    }  # fmt: skip


def reminder(*, item: Item, days: int, lifetime: int) -> dict:
    return {
        "item": item, "item_url": item_url(item), "days": days, "lifetime": lifetime,
        "ends": item.expires_at, "renew_url": action_url(item=item, user=item.owner, action="renew"),
    }  # fmt: skip


def progress(*, item: Item, by, recipient, what: str) -> dict:
    """`what`: "promised" (someone said they can help, or the owner promised it to them) or "done"
    (one side said it happened; the other can confirm with one tap)."""
    other_id = by.pk if by is not None and by.pk != recipient.pk else None
    return {
        "item": item, "item_url": item_url(item), "what": what,
        "by_name": _name(by), "message_url": message_url(item=item, with_user_id=other_id),
        "done_url": action_url(item=item, user=recipient, action="done"),
    }  # fmt: skip


def _name(user) -> str:
    profile = getattr(user, "profile", None) if user is not None else None
    return (profile.display_name if profile else "") or "A neighbour"
