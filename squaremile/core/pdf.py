"""PDF from our own print views, once for every app (booklets of stories and methods, event
proceedings, noticeboards): the same HTML and print stylesheet a person prints from the browser,
laid out by WeasyPrint.

    pdf_bytes = render_pdf("stories/booklet_print.html", {"stories": ...}, request=request)
    return pdf_response(pdf_bytes, filename="stories.pdf")

Nothing is fetched from the network while a PDF is made: the only files a page may pull in are our
static files and uploaded media (photos), read from where Django keeps them; any other address
(another site, `file:`, `data:` larger than a small image) is refused and left out of the PDF.
"""

from __future__ import annotations

import logging
import mimetypes
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.storage import default_storage
from django.http import HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger("squaremile.pdf")

BASE_URL = "https://squaremile.invalid/"  # relative links resolve here; url_fetcher maps it back to files
MAX_FILE_BYTES = 10 * 1024 * 1024  # one image or stylesheet pulled into a PDF


class RefusedResource(ValueError):
    pass


def _prefix(url_setting: str) -> str:
    value = "/" + str(url_setting or "").lstrip("/")
    return value if value.endswith("/") else value + "/"


def _read_local(path: str) -> tuple[bytes, str]:
    static_prefix = _prefix(settings.STATIC_URL)
    media_prefix = _prefix(settings.MEDIA_URL)
    if ".." in path.split("/"):
        raise RefusedResource(path)
    if path.startswith(static_prefix):
        found = finders.find(path[len(static_prefix) :])
        if not found:
            root = getattr(settings, "STATIC_ROOT", None)
            candidate = (root / path[len(static_prefix) :]) if root else None
            found = str(candidate) if candidate and candidate.is_file() else None
        if not found:
            raise RefusedResource(path)
        with open(found, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    elif path.startswith(media_prefix):
        name = path[len(media_prefix) :]
        if not default_storage.exists(name):
            raise RefusedResource(path)
        with default_storage.open(name, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    else:
        raise RefusedResource(path)
    if len(data) > MAX_FILE_BYTES:
        raise RefusedResource(path)
    return data, mimetypes.guess_type(path)[0] or "application/octet-stream"


def url_fetcher(url: str, *args, **kwargs) -> dict:
    """WeasyPrint's fetcher: our static files and media only, never the network."""
    parts = urlsplit(url)
    if url.startswith(BASE_URL) or (parts.scheme in ("http", "https") and parts.netloc == urlsplit(BASE_URL).netloc):
        data, mime = _read_local(unquote(parts.path))
        return {"string": data, "mime_type": mime}
    if parts.scheme == "data" and len(url) < 200_000:
        from weasyprint.urls import default_url_fetcher

        return default_url_fetcher(url)
    raise RefusedResource(url)


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url=BASE_URL, url_fetcher=url_fetcher).write_pdf()


def render_pdf(template_name: str, context: dict | None = None, *, request=None) -> bytes:
    """The PDF of a print view: its template rendered with `context`, with `for_pdf` set so the
    template can leave out what only a screen needs (buttons, "print this page")."""
    context = {**(context or {}), "for_pdf": True}
    return html_to_pdf(render_to_string(template_name, context, request=request))


def pdf_response(pdf: bytes, *, filename: str, inline: bool = True) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    safe = "".join(ch for ch in filename if ch.isalnum() or ch in "-_.") or "document.pdf"
    response["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{safe}"'
    return response
