"""Moderation actions as objects (the Wagtail "action" pattern): each knows which states it starts
from and leads to, `check(user, obj)` says why a person may not take it now (or None), and
`execute(*, user, obj, note=...)` takes it: atomic, audited, derived data kept in step, open reports
decided and their reporters told.

A model's description (`registry.Moderated`) lists its action classes; subclass one to add fields
it sets (`apply`) or what follows it (`after`, e.g. an e-mail once committed)."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from squaremile.core.permissions import can, refusal
from squaremile.moderation.models import ModerationState as S
from squaremile.moderation.models import ReportOutcome

REASON_MAX = 2000


class Action:
    name = ""  # "publish": in URLs and forms
    verb = ""  # "published": the audit action is "<kind>.<verb>"
    label = ""  # the button: "Publish"
    words = ""  # "Cannot <words> ...": "publish"
    help = ""  # one line under the button
    done = ""  # the message afterwards: "Published"
    from_states: frozenset[str] = frozenset()
    to_state: str | None = None  # None: the state does not change
    needs_reason = False  # the note is a reason the submitter is told
    in_bulk = True  # offered on the queue for several items at once
    # What a moderator's action means for the open reports: None leaves them open.
    report_outcome: str | None = None

    def __init__(self, config):
        self.config = config

    def problem(self, obj) -> str | None:
        """Why the record's state does not allow this action now, or None."""
        state = self.config.state_of(obj)
        if state not in self.from_states:
            return f"Cannot {self.words} “{obj}”: it is {self.config.state_label(obj).lower()}."
        return None

    def check(self, user, obj) -> str | None:
        """Why `user` may not take this action on `obj` now, or None when they may."""
        if not can(user, self.config.permission, obj):
            return refusal(user, self.config.permission)
        return self.problem(obj)

    def allowed(self, user, obj) -> bool:
        return self.check(user, obj) is None

    def clean_note(self, note: str) -> str:
        note = (note or "").strip()
        if self.needs_reason and not note:
            raise ValidationError({"reason": ["Say why, for the person who sent it."]})
        if len(note) > REASON_MAX:
            raise ValidationError({"reason": [f"At most {REASON_MAX} characters."]})
        return note

    def next_state(self, obj) -> str | None:
        return self.to_state

    def apply(self, obj, *, user, note: str) -> None:
        """Change `obj` (not saved yet)."""
        state = self.next_state(obj)
        if state is not None:
            setattr(obj, self.config.state_field, state)

    def after(self, obj, *, user, note: str, old_state: str) -> None:
        """What follows once saved (inside the transaction: use on_commit for e-mails)."""

    def execute(self, *, user, obj, note: str = ""):
        from squaremile.moderation.execution import run

        return run(action=self, user=user, obj=obj, note=note)


class Publish(Action):
    name, verb, label, words, done = "publish", "published", "Publish", "publish", "Published"
    help = "It shows for everyone."
    from_states = frozenset({S.DRAFT, S.PENDING, S.REJECTED})
    to_state = S.PUBLISHED
    report_outcome = ReportOutcome.KEPT


class Reject(Action):
    name, verb, label, words, done = "reject", "rejected", "Reject", "reject", "Rejected"
    help = "It stays hidden; the person who sent it is told your reason."
    from_states = frozenset({S.PENDING, S.PUBLISHED, S.HIDDEN})
    to_state = S.REJECTED
    needs_reason = True
    report_outcome = ReportOutcome.REMOVED


class Archive(Action):
    name, verb, label, words, done = "archive", "archived", "Archive", "archive", "Archived"
    help = "It is taken down but kept, and can be restored."
    from_states = frozenset({S.PENDING, S.PUBLISHED, S.REJECTED, S.HIDDEN})
    to_state = S.ARCHIVED
    report_outcome = ReportOutcome.REMOVED


class Hide(Action):
    name, verb, label, words, done = "hide", "hidden", "Hide", "hide", "Hidden"
    help = "It is taken down until a moderator restores it."
    from_states = frozenset({S.PUBLISHED})
    to_state = S.HIDDEN
    report_outcome = ReportOutcome.REMOVED


class Restore(Action):
    name, verb, label, words, done = "restore", "restored", "Restore", "restore", "Restored"
    help = "Shown again: reports against it are closed as nothing wrong."
    from_states = frozenset({S.ARCHIVED, S.HIDDEN})
    to_state = S.PUBLISHED
    report_outcome = ReportOutcome.KEPT


DEFAULT_ACTIONS = [Publish, Reject, Archive, Hide, Restore]
