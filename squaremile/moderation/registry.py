"""Which kinds of record are moderatable, and how: one `Moderated` description per model.

A feature app describes its model (kind key, permission, the state field, the fields the audit
log compares, a preview for the queue, hooks to keep derived data in step) and registers it from
its `AppConfig.ready()`. The queue, the bulk actions and reports work from this registry alone."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

from squaremile.moderation.models import ModerationState

_BY_KIND: dict[str, Moderated] = {}
_BY_MODEL: dict[type, Moderated] = {}


@dataclass
class Preview:
    """What the queue shows of one item."""

    title: str
    url: str = ""
    excerpt: str = ""
    thumbnail: str = ""  # an image URL, or ""
    thumbnail_alt: str = ""
    who: str = ""
    area: str = ""


class Moderated:
    """Describe a moderatable model. Override what differs; the defaults suit a model with a
    `status` field holding `ModerationState` values, an `owner`, an `area` and a `created_at`."""

    kind: str = ""  # "entry": audit actions are "<kind>.<verb>", the permission "<kind>.moderate"
    label: str = ""  # "map entry"
    label_plural: str = ""  # "map entries"
    model: type[models.Model]
    state_field: str = "status"
    area_field: str | None = "area"  # for the queue's area filter (None: not filterable by area)
    created_field: str = "created_at"
    row_actions: tuple[str, ...] = ("publish", "restore", "reject", "hide", "archive")  # buttons on a queue row
    search_field: str | None = "title"  # the queue's "title contains" filter (None: not searchable)
    tracked: tuple[str, ...] = ("status",)  # fields the audit log compares before and after
    # The states the queue lists by default: waiting for a decision, and hidden by reports.
    waiting_states: tuple[str, ...] = (ModerationState.PENDING, ModerationState.HIDDEN)

    def __init__(self):
        from squaremile.moderation import actions

        self.actions: dict[str, actions.Action] = {}
        for cls in self.get_action_classes():
            action = cls(self)
            self.actions[action.name] = action

    # --- to override ---------------------------------------------------------------------------
    def get_action_classes(self) -> list:
        from squaremile.moderation.actions import DEFAULT_ACTIONS

        return list(DEFAULT_ACTIONS)

    @property
    def permission(self) -> str:
        return f"{self.kind}.moderate"

    def queryset(self):
        """The rows the queue reads, with what `preview` needs joined or prefetched."""
        return self.model._default_manager.all()

    def preview(self, obj) -> Preview:
        return Preview(title=str(obj), url=obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else "")

    def after_report_url(self, obj) -> str:
        """Where a reporter goes once the record they reported was hidden (its page is gone for them)."""
        return "/"

    def before_change(self, obj):
        """Called before a moderation action changes `obj`; its result goes to `after_change`."""
        return None

    def after_change(self, obj, before) -> None:
        """Keep derived data in step (for example the map's cells) once `obj` is saved."""

    # --- helpers ---------------------------------------------------------------------------------
    def state_of(self, obj) -> str:
        return getattr(obj, self.state_field)

    def state_label(self, obj) -> str:
        display = getattr(obj, f"get_{self.state_field}_display", None)
        return display() if display else self.state_of(obj)

    def lock(self, obj):
        return self.model._default_manager.select_for_update().get(pk=obj.pk)


def register(config_class: type[Moderated]) -> type[Moderated]:
    """Register a model's description (usable as a class decorator)."""
    config = config_class()
    if not config.kind:
        raise ValueError("A moderated kind needs a `kind` key.")
    _BY_KIND[config.kind] = config
    _BY_MODEL[config.model] = config
    return config_class


def get(kind: str) -> Moderated | None:
    return _BY_KIND.get(kind)


def for_object(obj) -> Moderated:
    config = _BY_MODEL.get(type(obj)) or _BY_MODEL.get(type(obj)._meta.concrete_model)
    if config is None:
        raise LookupError(f"{type(obj).__name__} is not registered for moderation.")
    return config


def kinds() -> list[Moderated]:
    return list(_BY_KIND.values())
