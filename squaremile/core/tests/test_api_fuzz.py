"""A property-based fuzz of every API operation, driven by the published OpenAPI schema.

For each path and method in /api/v1/openapi.json, hypothesis sends path parameters (real slugs and
arbitrary text), query strings and JSON bodies built from the schema's own fields but filled with
anything (huge and unicode text, NUL characters, NaN and infinities, huge integers, nested lists and
objects, wrong types), with no token, a bad one, or a valid one. Whatever it sends, the API must
never answer 5xx, and every 4xx must be JSON with a "message".

Bounded for the test suite (derandomised, a few dozen examples per operation). For a longer, random
hunt: SQUAREMILE_FUZZ=deep pytest squaremile/core/tests/test_api_fuzz.py
"""

import json
import math
import os
from urllib.parse import quote

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from squaremile.accounts.models import Role
from squaremile.accounts.services import api_token_create
from squaremile.accounts.tests.factories import UserFactory
from squaremile.api import api
from squaremile.directory import services
from squaremile.directory.models import Skill
from squaremile.places.tests.factories import AreaFactory

pytestmark = pytest.mark.django_db

DEEP = os.environ.get("SQUAREMILE_FUZZ") == "deep"
FUZZ = settings(
    max_examples=300 if DEEP else 35,
    deadline=None,
    derandomize=not DEEP,
    database=None,  # keep no example database in the working tree
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)

SCHEMA = api.get_openapi_schema()
OPERATIONS = sorted((path, method) for path, methods in SCHEMA["paths"].items() for method in methods)

# ---- values ------------------------------------------------------------------------------------------
HOSTILE_TEXT = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    '"; DROP TABLE x; --',
    "%00",
    "%",
    "../../etc/passwd",
    "null",
    "None",
    "NaN",
    "-1",
    "1e400",
    "9" * 40,
    "\ufeff",
    "\u202e",
    "🙂" * 50,
    "日本語",
    "e\u0301",
    "\t\r\n",
    "*",
    '"',
    'AND OR NEAR * " ( ) : -',
    "\ud800",
    "lone \udfff surrogate",
]
# Very long text, built when drawn: a strategy holding the strings themselves would have a repr of over
# 100 kB, which hypothesis computes (and warns about) whenever it describes the strategy, e.g. when a
# filter below retries a draw.
LONG_TEXT = (("x", 100_000), ("é", 20_000))
long_texts = st.sampled_from(LONG_TEXT).map(lambda pair: pair[0] * pair[1])
texts = st.one_of(st.text(max_size=40), st.sampled_from(HOSTILE_TEXT), long_texts)


def _encodable(text: str) -> bool:
    """Whether text can travel in a URL (lone surrogates only ever arrive inside JSON)."""
    return not any(0xD800 <= ord(c) <= 0xDFFF for c in text)


numbers = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, -0.0, 1e308, -1e308, 2**63, -(2**63) - 1, 10**30, 5e-324]),
)
leaves = st.one_of(st.none(), st.booleans(), numbers, texts)
json_values = st.recursive(
    leaves,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


def _resolve(schema):
    while "$ref" in schema:
        schema = SCHEMA["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def valid_for(schema, real=()):
    """Values the schema accepts (as far as a schema can say: a slug may still be unknown)."""
    schema = _resolve(schema)
    options = [valid_for(o, real) for o in schema.get("anyOf", []) + schema.get("oneOf", [])]
    if options:
        return st.one_of(*options)
    kind = schema.get("type")
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    if kind == "string" and schema.get("format") in ("date", "date-time"):
        return st.dates().map(str)
    if kind == "string":
        longest = min(schema.get("maxLength", 60), 60)
        shortest = schema.get("minLength", 0)
        words = st.text(min_size=max(shortest, 1), max_size=longest).filter(lambda t: t.strip())
        return st.sampled_from(list(real)) | words if real else words
    if kind == "number":
        return st.floats(min_value=schema.get("minimum", -1e6), max_value=schema.get("maximum", 1e6))
    if kind == "integer":
        return st.integers(min_value=int(schema.get("minimum", -1e6)), max_value=int(schema.get("maximum", 1e6)))
    if kind == "boolean":
        return st.booleans()
    if kind == "array":
        return st.lists(valid_for(schema.get("items", {}), real), max_size=4)
    if kind == "null":
        return st.none()
    return json_values


def value_for(schema, real=()):
    """Mostly values the schema accepts, often the wrong thing altogether."""
    schema = _resolve(schema)
    kind = schema.get("type")
    wrong = [json_values]
    if kind == "string" or any(o.get("type") == "string" for o in schema.get("anyOf", [])):
        wrong.append(texts)
    if kind in ("number", "integer") or any(o.get("type") in ("number", "integer") for o in schema.get("anyOf", [])):
        wrong.append(numbers)
    if kind == "array" or any(o.get("type") == "array" for o in schema.get("anyOf", [])):
        wrong.append(st.lists(texts, max_size=5))
        wrong.append(st.lists(st.sampled_from(list(real) or ["x"]), min_size=200, max_size=205))
    return st.one_of(valid_for(schema, real), *wrong)


def body_strategy(schema, world):
    """JSON bodies: valid ones with one field fuzzed (the likeliest way to reach code that could
    break), every field fuzzed at once, arbitrary JSON, and bytes that are not JSON at all."""
    schema = _resolve(schema)
    props = schema.get("properties", {})
    required = set(schema.get("required", []))
    real = {name: real_values(world, name) for name in props}
    valid = st.fixed_dictionaries(
        {n: valid_for(p, real[n]) for n, p in props.items() if n in required},
        optional={n: valid_for(p, real[n]) for n, p in props.items() if n not in required},
    )
    one_field_fuzzed = st.tuples(valid, st.sampled_from(sorted(props))).flatmap(
        lambda pair: value_for(props[pair[1]], real[pair[1]]).map(lambda v: {**pair[0], pair[1]: v})
    )
    all_fuzzed = st.fixed_dictionaries({}, optional={n: value_for(p, real[n]) for n, p in props.items()})
    return st.one_of(
        valid,
        one_field_fuzzed,
        one_field_fuzzed,
        one_field_fuzzed,
        all_fuzzed,
        json_values.map(json.dumps),
        st.binary(max_size=64),
        st.none(),
    )


def query_value(schema, real=()):
    """Query strings are text: render a generated value the way a client would type it."""

    def render(value):
        if isinstance(value, bool):
            return str(value).lower()
        if isinstance(value, float) and not math.isfinite(value):
            return str(value)
        if isinstance(value, (list, dict)):
            return json.dumps(value, ensure_ascii=False)
        return "" if value is None else str(value)

    return value_for(schema, real).map(render).filter(_encodable)


# ---- the world the fuzz runs in ------------------------------------------------------------------------
@pytest.fixture
def world(settings):
    owner, moderator = UserFactory(), UserFactory(role=Role.MODERATOR)
    city = AreaFactory(name="Leeds", slug="leeds", half=0.3)
    AreaFactory(name="Hyde Park", slug="hyde-park", parent=city)
    org = services.organisation_create(
        by=owner,
        data={
            "name": "Real Org",
            "lat": 53.8,
            "lng": -1.55,
            "email": "real@example.org",
            "contact_visibility": "nobody",
            "skills": list(Skill.objects.all()[:3]),
        },
    )
    services.organisation_create(by=moderator, data={"name": "Other Org"})
    project = services.project_create(by=owner, data={"name": "Real Project", "start_date": "2025-01-01"})
    project.organisations.set([org])
    slugs = {
        "organisations": ["real-org", "other-org"],
        "projects": [project.slug],
        "areas": ["leeds", "hyde-park"],
        "skills": list(Skill.objects.values_list("slug", flat=True)[:5]),
    }
    tokens = {
        "owner": api_token_create(user=owner, by=owner, name="fuzz")[1],
        "moderator": api_token_create(user=moderator, by=moderator, name="fuzz")[1],
    }
    return {"slugs": slugs, "tokens": tokens}


def real_values(world, name):
    slugs = world["slugs"]
    return {
        "area": slugs["areas"],
        "parent": slugs["areas"],
        "areas_served": slugs["areas"],
        "skill": slugs["skills"],
        "skills": slugs["skills"],
        "organisations": slugs["organisations"],
        "q": ["real", "org", "leeds", "projec"],
    }.get(name, ())


def request_strategy(world, path, method):
    operation = SCHEMA["paths"][path][method]
    collection = path.split("/")[3]
    path_params, query = {}, {}
    for param in operation.get("parameters", []):
        if param["in"] == "path":
            path_params[param["name"]] = st.one_of(
                st.sampled_from(world["slugs"].get(collection, ["x"])),
                st.text(min_size=1, max_size=40).filter(lambda s: "/" not in s),
                st.sampled_from([h for h in HOSTILE_TEXT if h and "/" not in h and _encodable(h)]),
                long_texts,
            )
        else:
            query[param["name"]] = query_value(param["schema"], real_values(world, param["name"]))
    query_strategy = st.fixed_dictionaries({}, optional=query) | st.dictionaries(
        st.sampled_from([*query, "unknown", "limit", "offset"]),
        st.lists(texts.filter(_encodable), max_size=3),
        max_size=3,
    )
    body = st.none()
    if "requestBody" in operation:
        body = body_strategy(operation["requestBody"]["content"]["application/json"]["schema"], world)
    # mostly a valid token, so that most bodies get past authentication to validation
    auth = st.sampled_from(["owner", "owner", "owner", "moderator", None, "bad", "garbage"])
    return st.fixed_dictionaries(
        {"path": st.fixed_dictionaries(path_params), "query": query_strategy, "body": body, "auth": auth}
    )


def send(client, world, path, method, req):
    url = path
    for name, value in req["path"].items():
        url = url.replace("{" + name + "}", quote(value, safe=""))
    headers = {}
    if req["auth"] in world["tokens"]:
        headers["Authorization"] = f"Bearer {world['tokens'][req['auth']]}"
    elif req["auth"] == "bad":
        headers["Authorization"] = "Bearer sqm_not-a-real-token"
    elif req["auth"] == "garbage":
        headers["Authorization"] = "Bearer\x7f \xff\xfe token with spaces"
    body = req["body"]
    if method == "get":
        return client.get(url, req["query"], headers=headers)
    if isinstance(body, dict):
        body = json.dumps(body)
    if body is None:
        body = ""
    if req["query"]:
        url += "?" + "&".join(f"{quote(k)}={quote(str(v))}" for k, v in req["query"].items())
    return getattr(client, method)(url, data=body, content_type="application/json", headers=headers)


# What a successful export may answer instead of JSON.
FILE_TYPES = {"application/geo+json", "text/csv", "application/vnd.google-earth.kml+xml"}


def check(response, method, path, req):
    where = f"{method.upper()} {path} {str(req)[:500]}"
    assert response.status_code < 500, f"{response.status_code} for {where}"
    if response.status_code == 204:
        return
    content_type = response["Content-Type"]
    if response.status_code < 300 and content_type.split(";")[0] in FILE_TYPES:
        return  # a file download (an export): not JSON, and that is right
    assert content_type.startswith("application/json"), f"not JSON ({response.status_code}) for {where}"
    body = json.loads(response.content)
    if response.status_code >= 400:
        assert isinstance(body, dict) and isinstance(body.get("message"), str) and body["message"], where
        assert isinstance(body.get("errors", {}), dict), where


# ---- the tests ---------------------------------------------------------------------------------------------
def test_the_published_schema_is_the_one_fuzzed(client):
    published = client.get("/api/v1/openapi.json").json()
    assert sorted((p, m) for p, methods in published["paths"].items() for m in methods) == OPERATIONS
    assert len(OPERATIONS) >= 14


@pytest.mark.parametrize(("path", "method"), OPERATIONS, ids=[f"{m.upper()} {p}" for p, m in OPERATIONS])
def test_fuzz_operation(client, world, path, method):
    @FUZZ
    @given(req=request_strategy(world, path, method))
    def run(req):
        # every request runs in a savepoint that is rolled back, so that each example sees the same data
        # (and a database error, were there one, could not poison the rest of the run)
        sid = transaction.savepoint()
        try:
            response = send(client, world, path, method, req)
        finally:
            transaction.savepoint_rollback(sid)
        check(response, method, path, req)

    run()
