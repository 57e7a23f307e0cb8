"""Every string the API takes in (path, query or body, at any depth) is of the `Text` type, so it
is cleaned by the rule every form follows (core.text.clean_text). Walks every operation of the
API, so endpoints added later are checked without being listed here."""

import json
import typing

import pytest
from pydantic import BaseModel

from squaremile.api import api
from squaremile.core.api import _storable_text


def _routers(router):
    yield router
    for entry in getattr(router, "_routers", []):  # (prefix, router[, ...]) in every ninja version
        yield from _routers(entry[1])


def _plain_strings(tp, where: str, out: list[str]) -> None:
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        base, *meta = typing.get_args(tp)
        if base is str:
            if not any(getattr(m, "func", None) is _storable_text for m in meta):
                out.append(where)
            return
        _plain_strings(base, where, out)
        return
    if tp is str:
        out.append(where)
        return
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        for name, info in tp.model_fields.items():
            annotation = typing.Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation
            _plain_strings(annotation, f"{where}.{name}", out)
        return
    for arg in typing.get_args(tp):
        if arg is not type(None) and not isinstance(arg, str):  # Literal["a", "b"] is checked already
            _plain_strings(arg, f"{where}[]", out)


def test_every_string_the_api_takes_in_is_text():
    operations, plain = 0, []
    for router in (r for entry in api._routers for r in _routers(entry[1])):
        for path, view in router.path_operations.items():
            for operation in view.operations:
                operations += 1
                for model in operation.models:
                    _plain_strings(model, f"{'/'.join(operation.methods)} {path} {model.__name__}", plain)
    assert operations >= 30  # the walk reaches every app's routers
    assert not plain, f"Use squaremile.core.api.Text for these strings, not str: {plain}"


@pytest.mark.django_db
def test_text_in_a_query_and_a_path_is_cleaned(client):
    response = client.get("/api/v1/organisations", {"q": "Food\u202e\u0001 bank"})
    assert response.status_code == 200
    assert client.get("/api/v1/organisations", {"q": "Food\x00"}).status_code == 400
    body = client.get("/api/v1/areas/no\u200bwhere").json()
    assert json.dumps(body) and body["message"] == "Not found."
