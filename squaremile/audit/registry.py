"""Readable labels for audit action keys. Feature apps register theirs (in `AppConfig.ready()`);
an unregistered key is shown from its words ("organisation.changed" -> "Changed")."""

_LABELS: dict[str, str] = {}
_QUIET: set[str] = set()  # actions whose diff is not shown line by line (e.g. a photo added)

GENERIC = {
    "created": "Created",
    "changed": "Changed",
    "edited": "Edited",
    "deleted": "Deleted",
    "published": "Published",
    "rejected": "Rejected",
    "archived": "Archived",
    "hidden": "Hidden",
    "restored": "Restored",
    "merged": "Merged",
    "reported": "Reported",
}


def register(action: str, label: str, *, show_changes: bool = True) -> None:
    _LABELS[action] = label
    if not show_changes:
        _QUIET.add(action)


def label_for(action: str) -> str:
    if action in _LABELS:
        return _LABELS[action]
    verb = action.rsplit(".", 1)[-1]
    return GENERIC.get(verb) or verb.replace("_", " ").capitalize()


def shows_changes(action: str) -> bool:
    return action not in _QUIET
