"""The Open311 GeoReport v2 server (JSON and XML, the spec's names and errors) and the client, which
is tested against this project's own server (live_server)."""

import json
from datetime import timedelta

import pytest
from defusedxml import ElementTree
from django.urls import reverse
from django.utils import timezone

from squaremile.accounts import services as account_services
from squaremile.accounts.tests.factories import UserFactory
from squaremile.civic import delivery, open311_client
from squaremile.civic.models import Delivery, Report, ReportStatus, SendState, Source
from squaremile.civic.tests.factories import BodyFactory, CategoryFactory, ReportFactory
from squaremile.places.tests.factories import AreaFactory
from squaremile.questions.models import Question

pytestmark = pytest.mark.django_db

REQUEST_FIELDS = {
    "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
    "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
    "address", "address_id", "zipcode", "lat", "long", "media_url",
}  # fmt: skip


@pytest.fixture
def setup():
    area = AreaFactory(lat=53.8, lng=-1.55, half=0.05)
    lights = CategoryFactory(name="Street lights", service_code="LIGHT", group="Streets")
    Question.objects.create(owner=lights, label="Which column number?", kind="text", position=1)
    Question.objects.create(owner=lights, label="Is it dark all night?", kind="yesno", position=2, required=True)
    body = BodyFactory(areas=[area], categories=[lights])
    return {"area": area, "lights": lights, "body": body}


def _url(name, fmt="json", **kw):
    return reverse(f"civic:{name}", kwargs={"fmt": fmt, **kw})


def test_discovery_and_services_in_json_and_xml(client, setup):
    data = client.get(_url("open311_discovery")).json()
    assert data["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    services = client.get(_url("open311_services")).json()
    assert services == [{
        "service_code": "LIGHT", "service_name": "Street lights", "description": "Street lights", "metadata": True,
        "type": "realtime", "keywords": "", "group": "Streets",
    }]  # fmt: skip
    xml = client.get(_url("open311_services", "xml"))
    assert xml["Content-Type"].startswith("text/xml")
    root = ElementTree.fromstring(xml.content)
    assert root.tag == "services" and root.find("service/service_code").text == "LIGHT"


def test_service_definition_from_the_custom_questions(client, setup):
    data = client.get(_url("open311_service", code="LIGHT")).json()
    assert data["service_code"] == "LIGHT"
    first, second = data["attributes"]
    assert (first["datatype"], first["required"], first["order"]) == ("string", False, 1)
    assert second["datatype"] == "singlevaluelist" and second["required"] is True
    assert [v["key"] for v in second["values"]] == ["yes", "no"]
    missing = client.get(_url("open311_service", code="NOPE"))
    assert missing.status_code == 404 and missing.json()[0]["code"] == 404
    root = ElementTree.fromstring(client.get(_url("open311_service", "xml", code="LIGHT")).content)
    assert root.tag == "service_definition" and len(root.findall("attributes/attribute")) == 2


def test_requests_filters_and_pages(client, setup, django_assert_max_num_queries):
    now = timezone.now()
    for _ in range(7):
        ReportFactory(category=setup["lights"], body=setup["body"])
    fixed = ReportFactory(category=setup["lights"], status=ReportStatus.FIXED)
    old = ReportFactory(category=setup["lights"])
    Report.objects.filter(pk=old.pk).update(created_at=now - timedelta(days=40))
    with django_assert_max_num_queries(3):
        rows = client.get(_url("open311_requests")).json()
    assert len(rows) == 9 and set(rows[0]) == REQUEST_FIELDS
    assert rows[0]["requested_datetime"].endswith("Z")
    closed = client.get(_url("open311_requests"), {"status": "closed"}).json()
    assert [r["service_request_id"] for r in closed] == [str(fixed.pk)]
    recent = client.get(
        _url("open311_requests"), {"start_date": (now - timedelta(days=5)).strftime("%Y-%m-%dT%H:%M:%SZ")}
    )
    assert str(old.pk) not in [r["service_request_id"] for r in recent.json()]
    page2 = client.get(_url("open311_requests"), {"page_size": 4, "page": 2}).json()
    assert len(page2) == 4
    assert client.get(_url("open311_requests"), {"service_code": "OTHER"}).json() == []
    bad = client.get(_url("open311_requests"), {"status": "sideways"})
    assert bad.status_code == 400 and bad.json()[0]["code"] == 400
    bad_date = client.get(_url("open311_requests", "xml"), {"start_date": "yesterday"})
    root = ElementTree.fromstring(bad_date.content)
    assert bad_date.status_code == 400 and root.tag == "errors" and root.find("error/code").text == "400"
    one = client.get(_url("open311_request", request_id=str(fixed.pk))).json()
    assert one[0]["status"] == "closed"
    assert client.get(_url("open311_request", request_id="999999")).status_code == 404


def test_xml_survives_hostile_text(client, setup):
    ReportFactory(category=setup["lights"], title='<lamp> & \x01 "broken"')
    root = ElementTree.fromstring(client.get(_url("open311_requests", "xml")).content)
    assert "<lamp> & " in root.find("request/description").text


def test_post_needs_a_key_and_checks_the_attributes(client, setup):
    user = UserFactory()
    _, key = account_services.api_token_create(user=user, by=user, name="app")
    base = {"service_code": "LIGHT", "lat": "53.8", "long": "-1.55", "description": "Lamp 12 out"}
    refused = client.post(_url("open311_requests"), base)
    assert refused.status_code == 403 and refused.json()[0]["code"] == 403
    missing = client.post(_url("open311_requests"), {**base, "api_key": key})
    assert missing.status_code == 400 and "attribute" in missing.json()[0]["description"]
    made = client.post(_url("open311_requests"), {**base, "api_key": key, f"attribute[{_q(setup, 2)}]": "yes"})
    assert made.status_code == 201
    report = Report.objects.get(pk=int(made.json()[0]["service_request_id"]))
    assert report.source == Source.OPEN311 and report.owner == user and report.body == setup["body"]
    assert report.answers == {str(_q(setup, 2)): True}
    assert report.send_state == SendState.NOT_SENT  # never sent back out
    bad = client.post(_url("open311_requests"), {**base, "api_key": key, "lat": "x"})
    assert bad.status_code == 400


def _q(setup, position):
    return setup["lights"].questions.get(position=position).pk


@pytest.mark.django_db(transaction=True)
def test_the_client_posts_to_a_bodys_endpoint_and_reads_the_status_back(live_server):
    """Another body's report goes out by Open311: here the body's endpoint is this project's own server."""
    area = AreaFactory(lat=53.8, lng=-1.55, half=0.05)
    lights = CategoryFactory(name="Street lights", service_code="LIGHT")
    operator = UserFactory()
    _, key = account_services.api_token_create(user=operator, by=operator, name="water company")
    body = BodyFactory(areas=[area], categories=[lights], delivery=Delivery.OPEN311,
                       open311_endpoint=f"{live_server.url}/open311/v2/", open311_api_key=key)  # fmt: skip
    endpoint = body.open311_endpoint
    assert [s["service_code"] for s in open311_client.services(endpoint)] == ["LIGHT"]
    resident = UserFactory()
    report = Report.objects.create(owner=resident, title="Lamp out", category=lights, body=body, lat=53.8, lng=-1.55)
    assert delivery.send_report(report_id=report.pk) == "sent"
    report.refresh_from_db()
    assert report.send_state == SendState.SENT and report.external_id
    theirs = Report.objects.get(pk=int(report.external_id))
    assert theirs.source == Source.OPEN311 and "Lamp out" in theirs.description
    status = open311_client.get_request(endpoint, report.external_id)
    assert status.status == "open"
    theirs.status = ReportStatus.FIXED
    theirs.save()
    assert delivery.fetch_open311_updates() == 1
    report.refresh_from_db()
    assert report.status == ReportStatus.FIXED
    with pytest.raises(open311_client.Open311Error, match="403"):
        open311_client.post_request(endpoint, api_key="wrong", service_code="LIGHT", lat=53.8, lng=-1.55,
                                    description="x")  # fmt: skip
    assert json.loads(json.dumps(status.__dict__))
