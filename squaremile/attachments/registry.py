"""Which models may have attachments, and on what terms: a feature app registers its model once
(in its AppConfig.ready()), naming the permission action (core/permissions.py) that lets a person
add or remove attachments on a record, the kinds it takes, and how many a record may hold."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from squaremile.attachments import images
from squaremile.attachments.uploads import FILE, IMAGE, KINDS


@dataclass(frozen=True)
class OwnerOptions:
    action: str
    kinds: tuple[str, ...] = (IMAGE,)
    max_count: Callable[[], int] | int | None = None  # None: the ATTACHMENTS_PER_OWNER setting

    def limit(self) -> int:
        if self.max_count is None:
            return images.max_per_owner()
        return int(self.max_count() if callable(self.max_count) else self.max_count)

    @property
    def noun(self) -> str:
        return "photos" if self.kinds == (IMAGE,) else "attachments"


_owners: dict[str, OwnerOptions] = {}


def _key(model) -> str:
    return model._meta.label_lower


def register(model, *, action: str, kinds: tuple[str, ...] = (IMAGE,), max_count=None) -> None:
    """Let `model`'s records have attachments. `action` is checked with `require(user, action, owner)`."""
    unknown = set(kinds) - set(KINDS)
    if unknown or not kinds:
        raise ValueError(f"Attachment kinds must be among {KINDS}, not {kinds!r}")
    _owners[_key(model)] = OwnerOptions(action=action, kinds=tuple(kinds), max_count=max_count)


def unregister(model) -> None:
    """Forget `model` (for tests that register a model of their own)."""
    _owners.pop(_key(model), None)


def options_for(owner) -> OwnerOptions:
    try:
        return _owners[_key(type(owner))]
    except KeyError:
        raise LookupError(
            f"{type(owner).__name__} is not registered for attachments (squaremile.attachments.registry.register)"
        ) from None


__all__ = ["FILE", "IMAGE", "OwnerOptions", "options_for", "register", "unregister"]
