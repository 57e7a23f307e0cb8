"""A standard Open311 client library (`georeport` 0.3.1 from PyPI) against this project's own
GeoReport v2 server (live_server), in JSON and in XML.

georeport 0.3.1 reads only: it has no method to post a request. The post here is made with
`requests` (the library's own HTTP client) exactly as the spec has it — form-encoded, with
`api_key` — and the new request is then read back through the library."""

import georeport
import pytest
import requests

from squaremile.accounts import services as account_services
from squaremile.accounts.tests.factories import UserFactory
from squaremile.civic.models import Report, ReportStatus, Source
from squaremile.civic.tests.factories import BodyFactory, CategoryFactory, ReportFactory
from squaremile.places.tests.factories import AreaFactory
from squaremile.questions.models import Question

pytestmark = pytest.mark.django_db(transaction=True)

REQUEST_FIELDS = {
    "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
    "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
    "address", "address_id", "zipcode", "lat", "long", "media_url",
}  # fmt: skip


def _list(value):
    """xmltodict gives one child as a dict and several as a list."""
    return value if isinstance(value, list) else [value]


@pytest.fixture
def city():
    area = AreaFactory(lat=53.8, lng=-1.55, half=0.05)
    lights = CategoryFactory(name="Street lights", service_code="LIGHT", group="Streets")
    Question.objects.create(owner=lights, label="Which column number?", kind="text", position=1)
    Question.objects.create(owner=lights, label="Is it dark all night?", kind="yesno", position=2, required=True)
    potholes = CategoryFactory(name="Potholes", service_code="HOLE", group="Roads")
    council = BodyFactory(name="Leeds City Council", areas=[area], categories=[lights])
    highways = BodyFactory(name="Highways", areas=[area], categories=[potholes])
    open_one = ReportFactory(category=lights, body=council, title="Lamp 7 out", address="1 Park Row")
    fixed = ReportFactory(category=lights, body=council, title="Lamp 9 flickers", status=ReportStatus.FIXED)
    ReportFactory(category=potholes, body=highways, title="Hole on Briggate")
    operator = UserFactory()
    _, key = account_services.api_token_create(user=operator, by=operator, name="georeport")
    dark = lights.questions.get(position=2)
    return {"lights": lights, "council": council, "open": open_one, "fixed": fixed, "key": key,
            "operator": operator, "dark": dark}  # fmt: skip


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_standard_client_lists_reads_and_posts(live_server, city, fmt):
    root = live_server.url + "/open311/v2"
    client = georeport.GeoReport(root_address=root, api_key=city["key"], output_format=fmt)

    services = _list(client.get_service_list())
    by_code = {s["service_code"]: s for s in services}
    assert set(by_code) == {"LIGHT", "HOLE"}
    assert by_code["LIGHT"]["service_name"] == "Street lights" and by_code["HOLE"]["group"] == "Roads"
    assert str(by_code["LIGHT"]["metadata"]).lower() == "true"

    definition = client.get_service_definition("LIGHT")
    assert definition["service_code"] == "LIGHT"
    attributes = definition["attributes"] if fmt == "json" else _list(definition["attributes"]["attribute"])
    assert [a["description"] for a in attributes] == ["Which column number?", "Is it dark all night?"]
    dark = attributes[1]
    assert dark["code"] == str(city["dark"].pk) and dark["datatype"] == "singlevaluelist"
    values = dark["values"] if fmt == "json" else _list(dark["values"]["value"])
    assert [v["key"] for v in values] == ["yes", "no"]

    found = _list(client.get_service_requests(service_code="LIGHT", status="open"))
    assert [r["service_request_id"] for r in found] == [str(city["open"].pk)]
    assert set(found[0]) == REQUEST_FIELDS
    assert found[0]["agency_responsible"] == "Leeds City Council" and found[0]["address"] == "1 Park Row"
    assert found[0]["requested_datetime"].endswith("Z")
    closed = _list(client.get_service_requests(service_code="LIGHT", status="closed"))
    assert [r["service_request_id"] for r in closed] == [str(city["fixed"].pk)]

    one = client.get_service_request(str(city["fixed"].pk))
    assert set(one) == REQUEST_FIELDS
    assert one["status"] == "closed" and one["service_code"] == "LIGHT" and "Lamp 9" in one["description"]
    assert float(one["lat"]) == pytest.approx(53.8) and float(one["long"]) == pytest.approx(-1.55)

    # georeport 0.3.1 has no create method: post as the spec says, then read it back through the library.
    assert not hasattr(client, "create_service_request")
    posted = requests.post(
        f"{root}/requests.{fmt}",
        data={
            "api_key": client.api_key,
            "service_code": "LIGHT",
            "lat": "53.81",
            "long": "-1.54",
            "description": "Lamp 12 out on Park Row",
            "address_string": "12 Park Row",
            f"attribute[{city['dark'].pk}]": "yes",
        },  # fmt: skip
        timeout=10,
    )
    assert posted.status_code == 201
    if fmt == "json":
        new_id = posted.json()[0]["service_request_id"]
    else:
        import xmltodict

        new_id = xmltodict.parse(posted.content)["service_requests"]["request"]["service_request_id"]
    report = Report.objects.get(pk=int(new_id))
    assert report.source == Source.OPEN311 and report.owner == city["operator"]
    assert report.body == city["council"] and report.category == city["lights"]
    assert report.answers == {str(city["dark"].pk): True}
    assert (round(report.lat, 2), round(report.lng, 2)) == (53.81, -1.54)
    back = client.get_service_request(new_id)
    assert back["status"] == "open" and back["agency_responsible"] == "Leeds City Council"
    assert back["address"] == "12 Park Row"

    refused = requests.post(f"{root}/requests.{fmt}", data={"api_key": "wrong", "service_code": "LIGHT"}, timeout=10)
    assert refused.status_code == 403
