"""Fetching a feed with limits enforced before anything is parsed.

* at most STORIES_FEED_MAX_BYTES (2 MB) read, streamed: reading stops at the limit (a declared
  Content-Length above it is refused unread);
* a total time limit (STORIES_FEED_TIMEOUT, 10 s) for connecting, each read and the whole body;
* at most 5 redirects, each checked again, and a loop is refused;
* http and https only; addresses on private, loopback or link-local networks are refused unless
  the operator allows them (STORIES_FEED_ALLOW_PRIVATE; tests and development do);
* conditional GET: `If-None-Match` / `If-Modified-Since` from the last answer; 304 is "nothing new".

The demo's feeds are files: `demo-feed:<name>` reads `squaremile/stories/demo_feeds/<name>.xml`,
only when STORIES_DEMO_FEEDS is on (development, tests). The feed form accepts http(s) only, so
that scheme never comes from what an organiser typed, and `file:` is never opened.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests
from django.conf import settings

MAX_REDIRECTS = 5
CHUNK = 64 * 1024
DEMO_SCHEME = "demo-feed:"
DEMO_DIR = Path(__file__).resolve().parent.parent / "demo_feeds"
USER_AGENT = "SquareMile-stories/1.0 (+feed reader; polls at most every 30 minutes)"


class FeedRefused(Exception):
    """The feed could not be read safely; the message says why, in plain words, for its page."""


@dataclass
class Fetched:
    body: bytes = b""
    not_modified: bool = False
    etag: str = ""
    last_modified: str = ""
    url: str = ""


def max_bytes() -> int:
    return int(getattr(settings, "STORIES_FEED_MAX_BYTES", 2 * 1024 * 1024))


def timeout() -> float:
    return float(getattr(settings, "STORIES_FEED_TIMEOUT", 10))


def _allow_private() -> bool:
    return bool(getattr(settings, "STORIES_FEED_ALLOW_PRIVATE", False))


def _check_address(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FeedRefused("Only web addresses (http or https) can be read.")
    if _allow_private():
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    except (socket.gaierror, UnicodeError) as exc:
        raise FeedRefused(f"The site's name could not be found ({parts.hostname}).") from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise FeedRefused("That address is on a private network: it cannot be read from here.")


def _read_demo(url: str) -> Fetched:
    if not getattr(settings, "STORIES_DEMO_FEEDS", False):
        raise FeedRefused("Demonstration feeds are switched off on this site.")
    name = url[len(DEMO_SCHEME) :]
    if not re.fullmatch(r"[a-z0-9-]{1,60}", name):
        raise FeedRefused("No such demonstration feed.")
    path = DEMO_DIR / f"{name}.xml"
    if not path.is_file():
        raise FeedRefused("No such demonstration feed.")
    with path.open("rb") as handle:
        body = handle.read(max_bytes() + 1)
    if len(body) > max_bytes():
        raise FeedRefused(f"The feed is larger than {max_bytes() // (1024 * 1024)} MB: it was not read.")
    return Fetched(body=body, url=url)


def fetch(url: str, *, etag: str = "", last_modified: str = "", session: requests.Session | None = None) -> Fetched:
    """The feed's bytes (or "not modified"), or FeedRefused with the reason."""
    if url.startswith(DEMO_SCHEME):
        return _read_demo(url)
    limit, wait = max_bytes(), timeout()
    deadline = time.monotonic() + wait
    headers = {
        "User-Agent": USER_AGENT,
        "Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5",
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    http = session or requests.Session()
    seen = {url}
    current = url
    try:
        for _hop in range(MAX_REDIRECTS + 1):
            _check_address(current)
            try:
                response = http.get(current, headers=headers, stream=True, allow_redirects=False, timeout=(wait, wait))
            except requests.Timeout as exc:
                raise FeedRefused(f"The site did not answer within {wait:g} seconds.") from exc
            except requests.RequestException as exc:
                raise FeedRefused("The site could not be reached.") from exc
            with response:
                if response.is_redirect or response.status_code in (301, 302, 303, 307, 308):
                    location = response.headers.get("Location", "")
                    if not location:
                        raise FeedRefused("The site sent a redirect without an address.")
                    nxt = urljoin(current, location)
                    if nxt in seen:
                        raise FeedRefused("The feed's address redirects in a loop.")
                    seen.add(nxt)
                    current = nxt
                    continue
                if response.status_code == 304:
                    return Fetched(not_modified=True, etag=etag, last_modified=last_modified, url=current)
                if response.status_code != 200:
                    raise FeedRefused(f"The site answered with an error ({response.status_code}).")
                declared = response.headers.get("Content-Length", "")
                if declared.isdigit() and int(declared) > limit:
                    raise FeedRefused(f"The feed is larger than {limit // (1024 * 1024)} MB: it was not read.")
                body = bytearray()
                for chunk in response.iter_content(CHUNK):
                    body += chunk
                    if len(body) > limit:
                        raise FeedRefused(f"The feed is larger than {limit // (1024 * 1024)} MB: it was not read.")
                    if time.monotonic() > deadline:
                        raise FeedRefused(f"The feed took longer than {wait:g} seconds to read.")
                return Fetched(
                    body=bytes(body),
                    etag=response.headers.get("ETag", "")[:300],
                    last_modified=response.headers.get("Last-Modified", "")[:100],
                    url=current,
                )
        raise FeedRefused(f"The feed's address redirects more than {MAX_REDIRECTS} times.")
    except requests.Timeout as exc:
        raise FeedRefused(f"The site did not answer within {wait:g} seconds.") from exc
    except requests.RequestException as exc:
        raise FeedRefused("The connection to the site failed while reading.") from exc
    finally:
        if session is None:
            http.close()
