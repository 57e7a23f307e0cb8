"""Groups and threads as records of the platform (core/records.py): cards, links that resolve, and
the panel on a group's page where the apps above show their things (stories, events)."""

from __future__ import annotations

from squaremile.conversations import selectors
from squaremile.conversations.models import Group, Thread
from squaremile.core.records import RecordKind, register_kind
from squaremile.core.text import plain_text


def _group_meta(group) -> str:
    people = f"{group.member_count} member{'s' if group.member_count != 1 else ''}"
    return f"{people} · {group.get_access_display().split(':')[0]}"


def register() -> None:
    register_kind(
        RecordKind(
            model=Group, label="Group", visible=selectors.may_see_group,
            summary=lambda g: plain_text(g.purpose, 160),
            meta=_group_meta,
            url_names={"conversations:group_detail": "slug", "conversations:group_members": "slug"},
            url_field="slug",
        )
    )  # fmt: skip
    register_kind(
        RecordKind(
            model=Thread, label="Conversation", visible=selectors.may_see_thread, title=lambda t: t.title,
            meta=lambda t: f"{t.reply_count} repl{'ies' if t.reply_count != 1 else 'y'}"
            + (" · closed" if t.is_closed else ""),
            url_names={"conversations:thread_detail": "pk"},
        )
    )  # fmt: skip
