"""The kinds of notification, declared once by the app that sends them:

    from squaremile.notifications import kinds
    kinds.register("mapping.entry_published", label="Your map entry was published",
                   description="...", default="immediate")

`check(user, target) -> bool` (optional) says at digest time whether the notification still
matters to that person (an entry hidden since is left out); `audience(user) -> bool` (optional)
says who sees the kind on the preferences page (moderators' kinds for moderators only).
`check_all(target) -> bool | None` (optional, with `check`) answers for everyone at once when it can
(True: it matters to all who were told, e.g. a public group's post; False: to nobody, e.g. it was
hidden since; None: it depends on the person, then `check` is asked per person): a digest for
100,000 people then asks once per record, not once per person."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from squaremile.notifications.models import Delivery


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    description: str = ""
    default: str = Delivery.DAILY
    check: Callable | None = None
    check_all: Callable | None = None
    audience: Callable | None = None
    subject: str = ""  # fixed words for the e-mail's subject (never typed text); the label when empty

    @property
    def mail_subject(self) -> str:
        return self.subject or self.label

    def still_relevant(self, user, target) -> bool:
        return self.check is None or bool(self.check(user, target))

    def relevant_to_all(self, target) -> bool | None:
        """True/False when `still_relevant` gives the same answer for everyone, else None."""
        if self.check is None:
            return True
        return None if self.check_all is None else self.check_all(target)

    def offered_to(self, user) -> bool:
        return self.audience is None or bool(self.audience(user))


_KINDS: dict[str, Kind] = {}  # filled at import time by the apps (like the admin's registry)


def register(key: str, *, label: str, description: str = "", default: str = Delivery.DAILY, check=None,
             audience=None, subject: str = "", check_all=None) -> Kind:  # fmt: skip
    if default not in Delivery.values:
        raise ValueError(f"Unknown delivery {default!r} for kind {key!r}.")
    kind = Kind(key=key, label=label, description=description, default=default, check=check, audience=audience,
                subject=subject, check_all=check_all)  # fmt: skip
    _KINDS[key] = kind
    return kind


def get(key: str) -> Kind:
    try:
        return _KINDS[key]
    except KeyError:
        raise LookupError(f"Notification kind {key!r} is not registered (kinds.register in its app).") from None


def all_kinds() -> list[Kind]:
    return sorted(_KINDS.values(), key=lambda k: k.label)
