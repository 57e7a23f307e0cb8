"""Any record of the platform: referred to by one short reference, shown as one kind of card, and
told about by the apps above it ("stories about this", "events here", "threads that link here").

`core` knows no app above it, so each app registers what it offers from its `AppConfig.ready()`:

* `register_kind(RecordKind(...))`: a model whose records can be linked to and shown as a card
  (a map entry, an organisation, a story...). A reference is `"<app_label>.<model>:<pk>"`
  (`ref_of(obj)`); `resolve(ref, user=...)` gives the record back only if that person may see it;
  `resolve_url(url, user=...)` does the same for a link to one of the record's pages (so a link
  pasted into a post becomes a card). `card(obj)` is what the card shows.
* `register_panel(Panel(...))`: a box on the pages of records of other kinds ("Stories about this"
  on an organisation's page). `panels_for(obj, user=...)` lists the boxes that have something to
  show; templates render them with `{% related_panels obj %}` and one card with `{% record_card obj %}`
  (both in the `squaremile` tag library).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.db.models import Model
from django.urls import Resolver404
from django.urls import resolve as resolve_path

REF_SEPARATOR = ":"


@dataclass(frozen=True)
class Card:
    kind: str  # "Map entry", "Organisation"...: what a person calls it
    title: str
    url: str
    summary: str = ""
    image: str = ""  # a thumbnail's URL, or ""
    meta: str = ""  # one short line: a place, a date, a status
    ref: str = ""


@dataclass(frozen=True)
class RecordKind:
    model: type[Model]
    label: str  # what a person calls one: "Map entry"
    # (user, obj) -> may this person see it (its page, its card)?
    visible: Callable[[Any, Any], bool]
    title: Callable[[Any], str] = str
    summary: Callable[[Any], str] = lambda obj: ""
    image: Callable[[Any], str] = lambda obj: ""
    meta: Callable[[Any], str] = lambda obj: ""
    url: Callable[[Any], str] = lambda obj: obj.get_absolute_url()
    # URL names of the record's pages, and the keyword that finds it: {"mapping:entry_detail": "pk"}
    url_names: dict[str, str] = field(default_factory=dict)
    # a field other than pk that the URL keyword names (e.g. "slug")
    url_field: str = "pk"

    @property
    def key(self) -> str:
        return self.model._meta.label_lower


@dataclass(frozen=True)
class PanelItems:
    items: list  # records (cards are drawn for them) or whatever the panel's template expects
    total: int  # how many in all (items may be the first few)
    more_url: str = ""  # where all of them are listed


@dataclass(frozen=True)
class Panel:
    key: str  # unique, e.g. "stories"
    title: str  # "Stories about this"
    # (obj, user) -> PanelItems, or None when the panel has nothing for this record
    items: Callable[[Any, Any], PanelItems | None]
    # model labels ("mapping.entry") the panel appears on; empty: every registered kind
    applies_to: tuple[str, ...] = ()
    template: str = "core/includes/_panel_cards.html"  # renders `panel`, `found` (PanelItems), `obj`
    order: int = 100


_kinds: dict[str, RecordKind] = {}
_by_url_name: dict[str, RecordKind] = {}
_panels: dict[str, Panel] = {}


def register_kind(kind: RecordKind) -> None:
    _kinds[kind.key] = kind
    for name in kind.url_names:
        _by_url_name[name] = kind


def register_panel(panel: Panel) -> None:
    _panels[panel.key] = panel


def kinds() -> list[RecordKind]:
    return list(_kinds.values())


def kind_of(obj_or_model) -> RecordKind | None:
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    return _kinds.get(model._meta.label_lower)


def ref_of(obj) -> str:
    """`"mapping.entry:42"`: one string that names any record."""
    return f"{obj._meta.label_lower}{REF_SEPARATOR}{obj.pk}"


def parse_ref(ref: str) -> tuple[RecordKind, int] | None:
    """The kind and primary key a reference names, or None when it names no registered kind."""
    label, sep, pk = (ref or "").strip().partition(REF_SEPARATOR)
    kind = _kinds.get(label.lower())
    if not sep or kind is None or not pk.isdigit() or len(pk) > 18:
        return None
    return kind, int(pk)


def resolve(ref: str, *, user) -> Any | None:
    """The record a reference names, if it exists and `user` may see it; else None."""
    parsed = parse_ref(ref)
    if parsed is None:
        return None
    kind, pk = parsed
    obj = kind.model._default_manager.filter(pk=pk).first()
    if obj is None or not kind.visible(user, obj):
        return None
    return obj


def resolve_url(url: str, *, user) -> Any | None:
    """The record whose page `url` is (a path, or a full address on this site), if `user` may see it."""
    try:
        parts = urlsplit((url or "").strip())
    except ValueError:
        return None
    if parts.scheme not in ("", "http", "https") or not parts.path.startswith("/"):
        return None
    try:
        match = resolve_path(parts.path)
    except Resolver404:
        return None
    kind = _by_url_name.get(match.view_name)
    if kind is None:
        return None
    value = match.kwargs.get(kind.url_names[match.view_name])
    if value is None:
        return None
    try:
        obj = kind.model._default_manager.filter(**{kind.url_field: value}).first()
    except (ValueError, TypeError):
        return None
    if obj is None or not kind.visible(user, obj):
        return None
    return obj


def may_see(user, obj) -> bool:
    kind = kind_of(obj)
    return kind is not None and kind.visible(user, obj)


def card(obj) -> Card | None:
    """What a card of the record shows (None for a model no app registered)."""
    kind = kind_of(obj)
    if kind is None:
        return None
    return Card(
        kind=kind.label,
        title=kind.title(obj),
        url=kind.url(obj),
        summary=kind.summary(obj),
        image=kind.image(obj),
        meta=kind.meta(obj),
        ref=ref_of(obj),
    )


def panels_for(obj, *, user) -> list[tuple[Panel, PanelItems]]:
    """The boxes the apps above have for this record's page, in order, each with what it shows."""
    label = obj._meta.label_lower
    shown = []
    for panel in sorted(_panels.values(), key=lambda p: (p.order, p.key)):
        if panel.applies_to and label not in panel.applies_to:
            continue
        found = panel.items(obj, user)
        if found is not None and found.total:
            shown.append((panel, found))
    return shown
