"""The generic history include: `{% include "audit/includes/_history.html" with target=obj %}`.
The page that includes it decides who may see it (wrap the include in that check)."""

from django import template

from squaremile.audit.selectors import history_for

register = template.Library()
HISTORY_LIMIT = 100


@register.simple_tag
def audit_history(target, limit: int = HISTORY_LIMIT) -> dict:
    events = list(history_for(target)[: limit + 1])
    return {"events": events[:limit], "more": len(events) > limit, "limit": limit}


@register.filter
def change_rows(changes) -> list[tuple[str, str, str]]:
    """`changes` as (field, before, after) rows in words."""
    rows = []
    for field, pair in (changes or {}).items():
        try:
            before, after = pair
        except (TypeError, ValueError):
            before, after = "", pair
        rows.append((str(field).replace("_", " "), _word(before), _word(after)))
    return rows


def _word(value) -> str:
    if value is None or value == "":
        return "(empty)"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_word(v)}" for k, v in value.items()) or "(none)"
    if isinstance(value, list):
        return ", ".join(_word(v) for v in value) or "(none)"
    text = str(value)
    return text if len(text) <= 300 else text[:300] + "…"
