"""What a post's words hold besides words: @mentions of people and links to records of the platform
(shown under the post as cards). Markdown itself is rendered by `core.text.render_markdown`."""

from __future__ import annotations

import re

from squaremile.core.records import resolve_url

MENTION = re.compile(r"(?<![\w@])@([A-Za-z][\w.\-]{1,40})")
LINK = re.compile(r"https?://[^\s<>()\[\]\"']+|(?<![\w/])/[a-z][\w\-/]*\d+[\w\-/]*/?", re.IGNORECASE)
MAX_MENTIONS = 20
MAX_CARDS = 6


def handle_of(user) -> str:
    """The handle a person is mentioned by: their display name without spaces ("@JaneDoe"), or the
    "neighbour<id>" when they have not chosen a name (never any part of their e-mail address)."""
    profile = getattr(user, "profile", None)
    name = (getattr(profile, "display_name", "") or "").strip()
    if name:
        return re.sub(r"[^\w.\-]", "", name)
    return f"neighbour{user.pk}"


def mentioned_handles(body: str) -> list[str]:
    seen: list[str] = []
    for match in MENTION.finditer(body or ""):
        handle = match.group(1).rstrip(".-").lower()
        if handle and handle not in seen:
            seen.append(handle)
    return seen[:MAX_MENTIONS]


def mentioned_people(body: str, candidates) -> list:
    """The people among `candidates` (those who may read the post) named by @handle in `body`: a
    handle matches a person's whole handle, or their first name when only one candidate has it."""
    handles = mentioned_handles(body)
    if not handles:
        return []
    by_handle: dict[str, list] = {}
    by_first: dict[str, list] = {}
    for person in candidates:
        by_handle.setdefault(handle_of(person).lower(), []).append(person)
        profile = getattr(person, "profile", None)
        first = ((getattr(profile, "display_name", "") or "").split() or [""])[0].lower()
        if first:
            by_first.setdefault(re.sub(r"[^\w.\-]", "", first), []).append(person)
    found = []
    for handle in handles:
        people = by_handle.get(handle) or (by_first.get(handle) if len(by_first.get(handle, [])) == 1 else [])
        for person in people or []:
            if person not in found:
                found.append(person)
    return found


def linked_records(body: str, *, user, memo: dict | None = None) -> list:
    """The records of the platform linked in `body` that `user` may see, in order, at most MAX_CARDS.
    `memo`: one dict for a whole page, so a link repeated in many posts is looked up once."""
    found, seen = [], set()
    memo = {} if memo is None else memo
    for match in LINK.finditer(body or ""):
        url = match.group(0).rstrip(".,;:!?")
        if url not in memo:
            memo[url] = resolve_url(url, user=user)
        obj = memo[url]
        if obj is None:
            continue
        key = (obj._meta.label_lower, obj.pk)
        if key in seen:
            continue
        seen.add(key)
        found.append(obj)
        if len(found) >= MAX_CARDS:
            break
    return found


def quote(body: str, author_name: str) -> str:
    """A reply's opening quote of another post, as markdown."""
    lines = (body or "").strip().splitlines()[:12]
    quoted = "\n".join(f"> {line}" for line in lines)
    return f"> **{author_name}** wrote:\n{quoted}\n\n"
