"""API plumbing shared by every app: token auth, pagination and one shape for every error.

Every error the API returns is JSON: {"message": "...", "errors": {"field": ["..."]}} with a 4xx
status. Input that does not fit the schema is a 400, never a 500."""

from typing import Annotated, Generic, TypeVar

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from ninja import NinjaAPI, Query, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer
from pydantic import AfterValidator, Field

T = TypeVar("T")


def _storable_text(value: str) -> str:
    """Text a database can hold and compare: PostgreSQL refuses NUL characters, in a lookup as in
    a write. Refused as a 400 with the field named, before any query runs. (Lone surrogates never
    get here: pydantic refuses them as not a valid string.)"""
    if "\x00" in value:
        raise ValueError("Text may not contain NUL characters.")
    return value


# Every string that comes in through the API (path, query or body) is of this type.
Text = Annotated[str, AfterValidator(_storable_text)]


class TokenAuth(HttpBearer):
    """Authorization: Bearer <token>, a personal token made on the "API tokens" page."""

    def authenticate(self, request, token):
        from squaremile.accounts.services import api_token_user

        user = api_token_user(token)
        if user is not None:
            request.user = user
        return user


def optional_user(request):
    """The token's user when a valid token is sent, else the anonymous user (for reads whose
    detail depends on who asks)."""
    from squaremile.accounts.services import api_token_user

    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        user = api_token_user(header[7:].strip())
        if user is not None:
            return user
    return request.user


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


def _field_name(loc) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "payload", "params", "page", "filters")]
    return ".".join(parts) or "__all__"


def _error(api, request, status, message, errors=None):
    return api.create_response(request, {"message": message, "errors": errors or {}}, status=status)


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
        errors: dict[str, list[str]] = {}
        for err in exc.errors:
            msg = str(err.get("msg", "Invalid value.")).removeprefix("Value error, ")
            errors.setdefault(_field_name(err.get("loc", ())), []).append(msg)
        return _error(api, request, 400, "Some values are missing or not valid.", errors)

    @api.exception_handler(DjangoValidationError)
    def on_model_error(request, exc):
        if hasattr(exc, "error_dict"):
            errors = {k: [str(m) for m in v.messages] if hasattr(v, "messages") else [str(x) for x in v]
                      for k, v in exc.message_dict.items()}  # fmt: skip
        else:
            errors = {"__all__": [str(m) for m in exc.messages]}
        return _error(api, request, 400, "Some values are not valid.", errors)

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

    @api.exception_handler(HttpError)
    def on_http_error(request, exc):
        return _error(api, request, exc.status_code, str(exc))


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
