"""Schemathesis against the published OpenAPI schema, in-process through Django's WSGI application.

Every operation in /api/v1/openapi.json (new endpoints are picked up by themselves: the test walks
the schema) is called with requests that schemathesis builds from the schema, valid and invalid,
both without a token and with a valid one. Every response must pass:
- not_a_server_error: never a 5xx;
- response_schema_conformance: the body matches the schema declared for its status;
- status_code_conformance: the status is one the operation declares.

Path parameters are drawn from what schemathesis makes up and, as often, from records that exist
(the world of test_api_fuzz.py, plus a map entry, a survey with an answer and a job), so that the
operations are reached beyond their 404.

Bounded to stay a small part of `make test` (derandomised, a few dozen examples per operation, no
coverage phase, a deadline per example). For a longer hunt, with schemathesis's coverage phase:
    SQUAREMILE_FUZZ=deep pytest -n 0 squaremile/core/tests/test_schemathesis.py
"""

import os
from datetime import timedelta

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error, response_schema_conformance, status_code_conformance

from config.wsgi import application
from squaremile.accounts.services import api_token_user
from squaremile.core.models import Job, JobStatus
from squaremile.core.tests.test_api_fuzz import world  # noqa: F401  (the same users, areas and records)
from squaremile.mapping.models import Category
from squaremile.mapping.tests.factories import EntryFactory, publish
from squaremile.network.tests.factories import ResponseFactory, SurveyFactory

pytestmark = pytest.mark.django_db

DEEP = os.environ.get("SQUAREMILE_FUZZ") == "deep"
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]

# The coverage phase (every boundary, every missing or wrong-typed parameter, deterministically) sends
# thousands of requests: only in the deep run. The bounded run keeps the fuzzing phase (valid and
# invalid input).
CONFIG = schemathesis.Config.from_dict({"phases": {"coverage": {"enabled": DEEP}}})
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application, config=CONFIG)

BOUNDED = settings(
    max_examples=300 if DEEP else 20,
    deadline=None if DEEP else timedelta(seconds=10),
    derandomize=not DEEP,
    database=None,  # keep no example database in the working tree
    suppress_health_check=list(HealthCheck),
)

# Path parameters of records that exist, filled in by the `records` fixture for the running test:
# (collection in the path, parameter name) -> values.
REAL: dict[tuple[str, str], list] = {}


def _collection(path: str) -> str:
    """/api/v1/network/surveys/{slug}/responses -> "surveys"; /api/v1/map/entries/{entry_id} -> "entries"."""
    parts = [p for p in path.split("/") if p and not p.startswith("{")]
    before = path.split("/{", 1)[0]
    return before.rsplit("/", 1)[-1] if "{" in path else parts[-1]


@schema.hook
def before_generate_path_parameters(context, strategy):
    """As often as not, a record that exists instead of whatever schemathesis makes up."""
    path = context.operation.path
    collection = _collection(path)

    def real(params) -> st.SearchStrategy:
        if not isinstance(params, dict) or not params:
            return st.just(params)
        choices = {name: REAL.get((collection, name)) for name in params}
        if not all(choices.values()):
            return st.just(params)
        return st.fixed_dictionaries({name: st.sampled_from(values) for name, values in choices.items()})

    return st.one_of(strategy, strategy.flatmap(real))


@pytest.fixture
def records(world):  # noqa: F811
    """The fuzz world, plus a published and a pending map entry, a survey with an answer and a job, all
    the token owner's; their keys go into REAL for the hook above."""
    owner = api_token_user(world["tokens"]["owner"])
    category = Category.objects.order_by("pk").first()
    published = publish(EntryFactory(category=category, owner=owner, lat=53.8, lng=-1.55, status="pending"),
                        status="published")  # fmt: skip
    pending = EntryFactory(category=category, owner=owner, status="pending")
    survey = SurveyFactory(owner=owner, title="Fuzz survey")
    ResponseFactory(round=survey.rounds.get(number=1))
    job = Job.objects.create(kind="map_export", owner=owner, status=JobStatus.DONE)
    slugs = world["slugs"]
    REAL.clear()
    REAL.update({
        ("organisations", "slug"): slugs["organisations"],
        ("projects", "slug"): slugs["projects"],
        ("areas", "slug"): slugs["areas"],
        ("entries", "entry_id"): [published.pk, pending.pk],
        ("surveys", "slug"): [survey.slug],
        ("jobs", "job_id"): [job.pk],
    })  # fmt: skip
    yield world
    REAL.clear()


@pytest.fixture
def in_test_transaction():
    """Django's WSGI handler closes the database connection when a request ends, which would end the
    test's transaction: disconnect the same signals as Django's own test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def call(case, headers=None):
    # Each example runs in a savepoint that is rolled back, so that every example sees the same data.
    sid = transaction.savepoint()
    try:
        case.call_and_validate(headers=headers, checks=CHECKS)
    finally:
        transaction.savepoint_rollback(sid)


@schema.parametrize()
@BOUNDED
def test_without_token(case, in_test_transaction, records):
    call(case)


@schema.parametrize()
@BOUNDED
def test_with_token(case, in_test_transaction, records):
    call(case, headers={"Authorization": f"Bearer {records['tokens']['owner']}"})


def test_every_operation_is_walked():
    """The two tests above walk whatever the published schema lists: nothing to add for a new endpoint."""
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 40
    assert {"GET /api/v1/map/clusters", "POST /api/v1/map/entries"} <= {op.label for op in operations}


def test_the_schema_documents_the_errors_every_operation_can_answer(client):
    published = client.get("/api/v1/openapi.json").json()
    for path, methods in published["paths"].items():
        for method, operation in methods.items():
            codes = set(operation["responses"])
            expected = {"429", "503"}
            if operation.get("parameters") or operation.get("requestBody"):
                expected |= {"400", "404"}
            if operation.get("security"):
                expected |= {"401", "403"}
            assert expected <= codes, f"{method.upper()} {path} does not document {sorted(expected - codes)}"
    export = published["paths"]["/api/v1/map/export"]["get"]["responses"]["200"]["content"]
    assert {"application/geo+json", "text/csv", "application/vnd.google-earth.kml+xml"} <= set(export)
