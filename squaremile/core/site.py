"""The site's own absolute addresses, for feeds, e-mails, QR codes and share links.

SITE_URL (e.g. "https://squaremile.example.org") when set — the one public address, whatever Host a
request came with; else the address the request came to; else (the worker, with no request) the
Sites framework's domain, which ``migrate`` sets from SITE_URL (core/signals.py)."""

from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings


@dataclass(frozen=True)
class CurrentSite:
    """Quacks like a Sites framework row, for templates that show ``current_site.name/domain``."""

    name: str
    domain: str


def base_url(request=None) -> str:
    if settings.SITE_URL:
        return settings.SITE_URL.rstrip("/")
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    from django.contrib.sites.models import Site

    return ("http://" if settings.DEBUG else "https://") + Site.objects.get_current().domain


def absolute_url(path: str = "/", request=None) -> str:
    """``path`` (an absolute path such as ``/map/entries/3/``) as a full address."""
    if path.startswith(("http://", "https://")):
        return path
    return base_url(request) + "/" + path.lstrip("/")


def current_site(request=None) -> CurrentSite:
    return CurrentSite(name=settings.SITE_NAME, domain=urlsplit(base_url(request)).netloc)


def on_site(url: str) -> str:
    """An absolute URL built from a request (by a library), moved onto SITE_URL when that is set."""
    if not settings.SITE_URL:
        return url
    parts = urlsplit(url)
    return absolute_url(urlunsplit(("", "", parts.path or "/", parts.query, parts.fragment)))
