"""API plumbing shared by every app: token auth, pagination and one shape for every error.

Every error the API returns is JSON: {"message": "...", "errors": {"field": ["..."]}} with a 4xx
status (429 with Retry-After when a rate limit of core/ratelimit.py is reached). Input that does
not fit the schema is a 400, never a 500."""

from typing import Annotated, Generic, TypeVar

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from ninja import NinjaAPI, Query, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer
from ninja.utils import check_csrf
from pydantic import AfterValidator, Field

from squaremile.core.ratelimit import RateLimited, with_retry_after
from squaremile.core.text import clean_text

T = TypeVar("T")
SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")


def _storable_text(value: str) -> str:
    """Text a database can hold and compare, cleaned by the rule every form follows
    (`core.text.clean_text`: control characters, bidi overrides and invisible characters removed,
    NFC; newlines and tabs kept, since one type serves titles and descriptions alike). NUL is
    refused rather than dropped, as a 400 with the field named, before any query runs: PostgreSQL
    refuses it in a lookup as in a write, and a client sending it has a bug worth seeing. (Lone
    surrogates never get here: pydantic refuses them as not a valid string.)"""
    if "\x00" in value:
        raise ValueError("Text may not contain NUL characters.")
    return clean_text(value, multiline=True)


# Every string that comes in through the API (path, query or body) is of this type.
Text = Annotated[str, AfterValidator(_storable_text)]


# How a presented token becomes a person. Core keeps no token model: the app that does (accounts)
# registers its lookup here when Django starts (AccountsConfig.ready), so core imports nothing above it.
_token_lookup = None


def register_token_lookup(lookup) -> None:
    """`lookup(key) -> user | None`: the active person a personal API token belongs to."""
    global _token_lookup
    _token_lookup = lookup


def token_user(key: str):
    """The person a token belongs to, or None (also when no app has registered a lookup)."""
    return _token_lookup(key) if _token_lookup is not None else None


class TokenAuth(HttpBearer):
    """Authorization: Bearer <token>, a personal token made on the "API tokens" page."""

    def authenticate(self, request, token):
        user = token_user(token)
        if user is not None:
            request.user = user
        return user


def optional_user(request):
    """The token's user when a valid token is sent, else whoever the session says (for reads whose
    detail depends on who asks, and for writes that anyone may make).

    A write (POST, PUT, PATCH, DELETE) that rests on the session cookie must carry the CSRF token, as
    a form does: otherwise another site could make a signed-in person's browser send it (a
    text/plain cross-origin POST needs no preflight). Without it the request is refused with a 403."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        user = token_user(header[7:].strip())
        if user is not None:
            return user
    user = request.user
    if user.is_authenticated and request.method not in SAFE_METHODS and check_csrf(request) is not None:
        raise HttpError(
            403,
            "This request uses your signed-in session but has no valid CSRF token: send the X-CSRFToken "
            "header with the csrftoken cookie's value, or use a personal token (Authorization: Bearer <token>).",
        )
    return user


class PageParams(Schema):
    limit: int = Field(settings.API_PAGE_SIZE, ge=1, le=settings.API_MAX_PAGE_SIZE)
    offset: int = Field(0, ge=0, le=10_000_000)


class Page(Schema, Generic[T]):
    count: int
    limit: int
    offset: int
    items: list[T]


def paginate(queryset, page: PageParams, *, count: int | None = None) -> dict:
    items = list(queryset[page.offset : page.offset + page.limit])
    if count is None:
        # A first page that is not full already tells the count; otherwise ask the database.
        count = len(items) if page.offset == 0 and len(items) < page.limit else queryset.count()
    return {"count": count, "limit": page.limit, "offset": page.offset, "items": items}


class ErrorOut(Schema):
    message: str
    errors: dict[str, list[str]] = {}


# An error body never grows with the request: at most this many (field, message) pairs are listed,
# then one "…and N more" line under "__all__"; field names and messages are cut to these lengths.
ERRORS_LISTED = 50
FIELD_NAME_MAX = 100
ERROR_MESSAGE_MAX = 300


def _cut(text, limit: int) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _field_name(loc) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "payload", "params", "page", "filters")]
    return _cut(".".join(parts) or "__all__", FIELD_NAME_MAX)


def _capped_errors(pairs) -> dict[str, list[str]]:
    """{field: [messages]} from (field, message) pairs, listing at most ERRORS_LISTED of them (in
    order), each name and message cut short; the rest are counted in one last "__all__" line."""
    errors: dict[str, list[str]] = {}
    left_out = 0
    for listed, (field, message) in enumerate(pairs):
        if listed >= ERRORS_LISTED:
            left_out += 1
            continue
        errors.setdefault(_cut(field, FIELD_NAME_MAX), []).append(_cut(message, ERROR_MESSAGE_MAX))
    if left_out:
        errors.setdefault("__all__", []).append(f"…and {left_out:,} more not listed.")
    return errors


def _error(api, request, status, message, errors=None):
    return api.create_response(
        request, {"message": _cut(message, ERROR_MESSAGE_MAX), "errors": errors or {}}, status=status
    )


# The errors every operation may answer, whatever its own declaration says, and when: the handlers
# below turn bad input into a 400 and an unknown record (or filter slug) into a 404 on any operation
# that takes input, and a missing token into a 401 and a refusal into a 403 on any that needs one;
# any request may be told to slow down (429) or to come back when the database is free (503), both
# with Retry-After.
ERROR_RESPONSES = {
    "400": ("input", "The input does not fit the schema or the rules."),
    "401": ("auth", "No valid token: send Authorization: Bearer <token>."),
    "403": ("auth", "The token's owner may not do this."),
    "404": ("input", "No such record (in the path or a filter)."),
    "429": ("any", "Too many requests: try again after Retry-After seconds."),
    "503": ("any", "Busy for a moment: try again after Retry-After seconds."),
}


class API(NinjaAPI):
    """A NinjaAPI whose published schema documents the errors that install_error_handlers can answer,
    so that a client (and a schema-driven test) knows every status code and body it may get."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schemas = schema.setdefault("components", {}).setdefault("schemas", {})
        schemas.setdefault("ErrorOut", ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}"))
        for methods in schema["paths"].values():
            for operation in methods.values():
                takes_input = bool(operation.get("parameters") or operation.get("requestBody"))
                kinds = {"any", "input"} if takes_input else {"any"}
                if operation.get("security"):
                    kinds.add("auth")
                responses = operation.setdefault("responses", {})
                for code, (kind, description) in ERROR_RESPONSES.items():
                    if kind in kinds and code not in responses and int(code) not in responses:
                        responses[code] = {
                            "description": description,
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
                        }
        return schema


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(NinjaValidationError)
    def on_schema_error(request, exc):
        pairs = (
            (_field_name(err.get("loc", ())), str(err.get("msg", "Invalid value.")).removeprefix("Value error, "))
            for err in exc.errors
        )
        return _error(api, request, 400, "Some values are missing or not valid.", _capped_errors(pairs))

    @api.exception_handler(DjangoValidationError)
    def on_model_error(request, exc):
        if hasattr(exc, "error_dict"):
            pairs = ((field, message) for field, messages in exc.message_dict.items() for message in messages)
        else:
            pairs = (("__all__", message) for message in exc.messages)
        return _error(api, request, 400, "Some values are not valid.", _capped_errors(pairs))

    from squaremile.core.jobs import TooManyJobs  # here: core.jobs needs the models loaded

    @api.exception_handler(TooManyJobs)
    def on_too_many_jobs(request, exc):
        response = _error(api, request, 429, str(exc))
        response["Retry-After"] = "60"
        return response

    @api.exception_handler(RequestDataTooBig)
    def on_too_big(request, exc):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        size = f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit:,} bytes"
        return _error(api, request, 413, f"The request is too large: at most {size}.")

    @api.exception_handler(SuspiciousOperation)
    def on_suspicious(request, exc):  # too many fields, a malformed multipart body ...
        return _error(api, request, 400, "The request could not be read.")

    @api.exception_handler(PermissionDenied)
    def on_forbidden(request, exc):
        return _error(api, request, 403, str(exc) or "You are not allowed to do this.")

    @api.exception_handler(AuthenticationError)
    def on_unauthenticated(request, exc):
        return _error(api, request, 401, "Send a valid token: Authorization: Bearer <token>.")

    @api.exception_handler(Http404)
    def on_not_found(request, exc):
        return _error(api, request, 404, "Not found.")

    @api.exception_handler(ObjectDoesNotExist)
    def on_missing(request, exc):
        return _error(api, request, 404, "Not found.")

    @api.exception_handler(RateLimited)
    def on_rate_limited(request, exc):
        return with_retry_after(_error(api, request, 429, exc.message), exc)

    @api.exception_handler(HttpError)
    def on_http_error(request, exc):
        return _error(api, request, exc.status_code, str(exc))

    install_unavailable_handler(api)


def install_unavailable_handler(api: NinjaAPI) -> None:
    """The database busy (a lock held too long) or away (restarting): 503 with Retry-After and the
    usual error shape, the reason logged (squaremile/core/unavailable.py); never a 500."""
    from squaremile.core.unavailable import BUSY_MESSAGE, RETRY_AFTER_SECONDS, UNAVAILABLE_ERRORS, log_unavailable

    def on_unavailable(request, exc):
        log_unavailable(request, exc)
        response = _error(api, request, 503, BUSY_MESSAGE)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    for error in UNAVAILABLE_ERRORS:
        api.add_exception_handler(error, on_unavailable)


__all__ = [
    "Text",
    "TokenAuth",
    "optional_user",
    "PageParams",
    "Page",
    "paginate",
    "ErrorOut",
    "install_error_handlers",
    "API",
    "Query",
]
