"""When the database cannot answer: "The site is busy, try again in a moment" (HTTP 503), never a 500.

A write that waited `DB_BUSY_TIMEOUT` seconds for another transaction's lock (SQLite's busy
timeout, PostgreSQL's lock_timeout), a serialization failure or deadlock, a connection refused or
dropped while the database restarts: Django raises `OperationalError` or `InterfaceError`. Such a
request is answered 503 with `Retry-After` (the API's JSON error shape under /api/, a plain page
that needs no database elsewhere), and the reason is logged. Nothing half-done is kept: the failed
statement's transaction was rolled back.

A full upload disk (MEDIA_ROOT: ENOSPC, EDQUOT while a file is written) is answered the same way,
in its own words ("The site cannot store files just now"), logged as an error for the operator.

Three places use this module, so that every path ends the same way:
- `DatabaseUnavailableMiddleware` (in settings.MIDDLEWARE) for exceptions raised by views;
- `server_error` (config/urls.py `handler500`) for those raised elsewhere (a session saved after
  the view, a middleware);
- `core.api.install_error_handlers` for the JSON API (django-ninja handles its own exceptions).
"""

import errno
import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

logger = logging.getLogger("squaremile.unavailable")

BUSY_MESSAGE = "The site is busy, try again in a moment."
RETRY_AFTER_SECONDS = 5
UNAVAILABLE_ERRORS = (OperationalError, InterfaceError)
# The disk that holds uploads (MEDIA_ROOT) is full: also a 503, with its own words.
STORAGE_FULL_MESSAGE = "The site cannot store files just now. Nothing was saved; please try again later."
STORAGE_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT}
STORAGE_RETRY_AFTER_SECONDS = 300

# Words of the database errors that are expected while the database is busy or restarting: logged
# as a warning with the reason; any other OperationalError also gets its traceback.
_TRANSIENT = (
    "locked",  # SQLite: database is locked / database table is locked
    "busy",
    "lock timeout",  # PostgreSQL lock_timeout
    "could not serialize",
    "deadlock",
    "connection",  # refused, closed, reset, already closed, failed
    "server closed",
    "terminating",  # terminating connection due to administrator command
    "shutting down",
    "starting up",
    "in recovery",
    "timeout",
)


def is_unavailable(exc: BaseException | None) -> bool:
    return isinstance(exc, UNAVAILABLE_ERRORS) or is_storage_full(exc)


def is_storage_full(exc: BaseException | None) -> bool:
    return isinstance(exc, OSError) and exc.errno in STORAGE_FULL_ERRNOS


def reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or "(no message)"
    return f"{type(exc).__name__}: {text[:300]}"


def is_transient(exc: BaseException) -> bool:
    text = str(exc).lower()
    return isinstance(exc, InterfaceError) or any(word in text for word in _TRANSIENT)


def log_unavailable(request, exc: BaseException) -> None:
    where = f"{request.method} {request.path}" if request is not None else "(no request)"
    if is_storage_full(exc):
        logger.error("Storage full, answered 503 to %s: %s", where, reason(exc))
    elif is_transient(exc):
        logger.warning("Database busy or unavailable, answered 503 to %s: %s", where, reason(exc))
    else:
        logger.error("Database error, answered 503 to %s: %s", where, reason(exc), exc_info=exc)


def wants_json(request) -> bool:
    if request is None:
        return False
    return request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", "")


def busy_response(request, *, storage_full: bool = False) -> HttpResponse:
    """The 503 itself: JSON under /api/ (or when JSON is asked for), else the 503 page. Touches no
    database (no context processors, no user, no session)."""
    message = STORAGE_FULL_MESSAGE if storage_full else BUSY_MESSAGE
    if wants_json(request):
        response = JsonResponse({"message": message, "errors": {}}, status=503)
    else:
        from django.conf import settings

        title = "Files cannot be stored just now" if storage_full else "The site is busy"
        context = {"SITE_NAME": settings.SITE_NAME, "title": title, "message": message}
        try:
            html = render_to_string("503.html", context)
        except Exception:  # e.g. static files not collected: the answer must still be a 503
            logger.exception("The 503 page could not be rendered")
            html = f"<!doctype html><title>{title}</title><h1>{title}</h1><p>{message}</p>"
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(STORAGE_RETRY_AFTER_SECONDS if storage_full else RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def unavailable_response(request, exc: BaseException) -> HttpResponse:
    log_unavailable(request, exc)
    return busy_response(request, storage_full=is_storage_full(exc))


class DatabaseUnavailableMiddleware:
    """A view that fails because the database is busy or away answers 503, with the reason logged."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_unavailable(exception):
            return unavailable_response(request, exception)
        return None


def server_error(request, template_name="500.html"):
    """handler500: a 503 when the exception being handled is the database's (raised outside a view,
    e.g. while the session is saved), else Django's own 500 page (the traceback is logged by
    django.request either way)."""
    exc = sys.exc_info()[1]
    if is_unavailable(exc):
        return unavailable_response(request, exc)
    from django.views.defaults import server_error as default_server_error

    return default_server_error(request, template_name=template_name)
