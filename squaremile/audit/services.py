"""Writes to the audit log. `record()` is called by the services of every app, inside their
transaction, so an event exists exactly when its change does."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType

from squaremile.audit.models import AuditEvent

LABEL_MAX = AuditEvent._meta.get_field("target_label").max_length


def _is_user(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def record(*, actor, action: str, target, changes: dict | None = None, note: str = "") -> AuditEvent:
    """Write one event: `actor` (None or anonymous for the system or a visitor), an `action` key such
    as "entry.published", the `target` record, `changes` as {field: [old, new]} and a note."""
    if not action or "." not in action:
        raise ValueError("An audit action is '<kind>.<what happened>', such as 'entry.published'.")
    return AuditEvent.objects.create(
        actor=actor if _is_user(actor) else None,
        action=action,
        content_type=ContentType.objects.get_for_model(target),
        object_id=target.pk,
        target_label=str(target)[:LABEL_MAX],
        changes=changes or {},
        note=note or "",
    )


PEOPLE_VERBS = ("added", "removed", "left")


def register_people_actions(kind: str, noun: str = "its people") -> None:
    """Name the three audit actions of a space's people (`<kind>.person_added` / `_removed` / `_left`)."""
    from squaremile.audit import registry

    registry.register(f"{kind}.person_added", f"A person was added to {noun}")
    registry.register(f"{kind}.person_removed", f"A person was removed from {noun}")
    registry.register(f"{kind}.person_left", f"A person left {noun}")


def people_recorder(space, *, kind: str):
    """What `core.space_people` calls inside each write to a space's people (an organisation's, an
    event's organisers, a survey's co-organisers): one audit event `<kind>.person_<verb>` on the space."""

    def recorder(*, by, verb: str, person, role: str) -> None:
        if verb not in PEOPLE_VERBS:
            raise ValueError(f"Unknown change to a space's people: {verb!r}")
        record(actor=by, action=f"{kind}.person_{verb}", target=space, note=f"{person} ({role})")

    return recorder


def shown(value):
    """A JSON-friendly, readable form of a field's value for `changes`."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): shown(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [shown(v) for v in value]
    return str(value)


def snapshot(obj, fields: Iterable[str]) -> dict:
    """The values of `fields` of `obj` as they would be shown in a diff."""
    return {name: shown(getattr(obj, name)) for name in fields}


def diff(before: dict, after: dict) -> dict:
    """{field: [old, new]} for every field whose value differs between two snapshots."""
    names = list(before) + [n for n in after if n not in before]
    return {name: [before.get(name), after.get(name)] for name in names if before.get(name) != after.get(name)}
