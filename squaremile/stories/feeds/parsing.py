"""Turning a feed's bytes into items, refusing what could harm: any DOCTYPE that declares entities
(a "billion laughs" or an external entity) is refused before feedparser sees the document, then
feedparser (well kept, lenient with real-world feeds) reads it; text is made plain and links are
web addresses only."""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import re
from dataclasses import dataclass

import feedparser
import nh3
from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET
from django.utils import timezone

from squaremile.core.text import clean_text, safe_link
from squaremile.stories.feeds.fetcher import FeedRefused

MAX_ITEMS = 100  # items read per poll (the newest, as the feed lists them)
SUMMARY_MAX = 1500
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)


@dataclass
class Item:
    guid: str
    title: str
    summary: str
    link: str
    published: dt.datetime


def _plain(value: str, limit: int) -> str:
    text = html.unescape(nh3.clean(value or "", tags=set()))
    text = clean_text(text, multiline=False)
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1].rsplit(" ", 1)[0] + "…"
    return text


def _when(entry, now: dt.datetime) -> dt.datetime:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return now
    try:
        value = dt.datetime(*parsed[:6], tzinfo=dt.UTC)
    except (TypeError, ValueError):
        return now
    return min(value, now)


def check_safe(body: bytes) -> None:
    """Refuse entity declarations outright; let anything else through to feedparser."""
    head = body[:200_000]
    if _DOCTYPE.search(head) and _ENTITY.search(body):
        raise FeedRefused(
            "The feed declares XML entities, which are never expanded here (this is how a "
            "“billion laughs” attack looks): it was refused."
        )
    try:
        SafeET.fromstring(body, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise FeedRefused("The feed uses XML features that are never read here (entities): it was refused.") from exc
    except SafeET.ParseError:  # not well-formed: feedparser's reading below says so
        return


def parse(body: bytes, *, now: dt.datetime | None = None) -> tuple[str, list[Item]]:
    """(the feed's own title, its items), or FeedRefused when nothing usable is in it."""
    now = now or timezone.now()
    check_safe(body)
    result = feedparser.parse(body, resolve_relative_uris=False, sanitize_html=True)
    entries = result.get("entries") or []
    problem = result.get("bozo_exception") if result.get("bozo") else None
    harmless = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)
    if problem is not None and not isinstance(problem, harmless):
        if not result.get("version") and not entries:
            raise FeedRefused("This address does not give an RSS or Atom feed.")
        line = getattr(problem, "getLineNumber", lambda: None)()
        where = f" (line {line})" if line else ""
        raise FeedRefused(f"This is not a readable RSS or Atom feed: the XML is malformed{where}.")
    if not entries and not result.get("version"):
        raise FeedRefused("This address does not give an RSS or Atom feed.")
    items, seen = [], set()
    for entry in entries[:MAX_ITEMS]:
        link = safe_link(entry.get("link", ""))
        link = link if link.startswith(("http://", "https://")) and len(link) <= 1000 else ""
        title = _plain(entry.get("title", ""), 200) or "(untitled)"
        summary = _plain(entry.get("summary", "") or entry.get("description", ""), SUMMARY_MAX)
        guid = (entry.get("id") or entry.get("guid") or link or "").strip()
        if not guid:
            guid = "sha1:" + hashlib.sha1(f"{title}\n{summary}".encode(), usedforsecurity=False).hexdigest()
        guid = guid[:500]
        if guid in seen:
            continue
        seen.add(guid)
        items.append(Item(guid=guid, title=title, summary=summary, link=link, published=_when(entry, now)))
    return _plain(result.get("feed", {}).get("title", ""), 200), items
