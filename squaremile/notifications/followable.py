"""Which records people may follow, and who may see them:

    from squaremile.notifications import followable
    followable.register(Organisation, visible=lambda user, org: True)

Only registered models can be followed (the follow view refuses the rest)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.db import models


@dataclass(frozen=True)
class Followable:
    model: type[models.Model]
    visible: Callable | None = None
    noun: object = "this"  # words after "Follow": a str, or a function of the record

    def noun_for(self, obj) -> str:
        return self.noun(obj) if callable(self.noun) else str(self.noun)

    def may_follow(self, user, obj) -> bool:
        return bool(getattr(user, "is_authenticated", False)) and (self.visible is None or self.visible(user, obj))


_MODELS: dict[str, Followable] = {}


def label_of(model_or_obj) -> str:
    return model_or_obj._meta.label_lower


def register(model: type[models.Model], *, visible=None, noun="this") -> None:
    _MODELS[label_of(model)] = Followable(model=model, visible=visible, noun=noun)


def get(obj_or_label) -> Followable | None:
    label = obj_or_label if isinstance(obj_or_label, str) else label_of(obj_or_label)
    return _MODELS.get(label)


def resolve(label: str, pk) -> tuple[Followable, models.Model] | None:
    """The registered record `label` ("app.model") number `pk`, or None."""
    entry = _MODELS.get(str(label).lower())
    if entry is None:
        return None
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    if not 0 < pk < 2**63:
        return None
    model = apps.get_model(entry.model._meta.label)
    obj = model._default_manager.filter(pk=pk).first()
    return (entry, obj) if obj is not None else None
