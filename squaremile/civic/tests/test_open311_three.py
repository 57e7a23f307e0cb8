"""A standard Open311 client library that *posts*: `three` 0.8.0 from PyPI (Code for America's
Open311 wrapper, listed among open311.org's client libraries) against this project's own
GeoReport v2 server (live_server): it lists services, reads a service's definition, lists and reads
requests, posts a request with a photo, and reads the new request back.

`three` was written for Python 2: the one Python-2-only name it uses is `itertools.ifilter`, which
the test provides (as Python 3's `filter`, which it became) before importing it. Nothing else of
the library is changed. Its XML reading uses Python 2 dict methods, so it runs in JSON here; the
XML side of the server is read by `georeport` in test_open311_georeport.py."""

import io
import itertools

import pytest
from PIL import Image

from squaremile.accounts import services as account_services
from squaremile.accounts.tests.factories import UserFactory
from squaremile.civic.models import Report, ReportStatus, Source
from squaremile.civic.tests.factories import BodyFactory, CategoryFactory, ReportFactory
from squaremile.places.tests.factories import AreaFactory
from squaremile.questions.models import Question

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def three(monkeypatch):
    monkeypatch.setattr(itertools, "ifilter", filter, raising=False)
    import three

    return three


@pytest.fixture
def city():
    area = AreaFactory(lat=53.8, lng=-1.55, half=0.05)
    lights = CategoryFactory(name="Street lights", service_code="LIGHT", group="Streets")
    dark = Question.objects.create(owner=lights, label="Is it dark all night?", kind="yesno", position=1, required=True)
    potholes = CategoryFactory(name="Potholes", service_code="HOLE", group="Roads")
    council = BodyFactory(name="Leeds City Council", areas=[area], categories=[lights])
    BodyFactory(name="Highways", areas=[area], categories=[potholes])
    open_one = ReportFactory(category=lights, body=council, title="Lamp 7 out", address="1 Park Row")
    fixed = ReportFactory(category=lights, body=council, title="Lamp 9 flickers", status=ReportStatus.FIXED)
    operator = UserFactory()
    _, key = account_services.api_token_create(user=operator, by=operator, name="three")
    return {"lights": lights, "council": council, "open": open_one, "fixed": fixed, "key": key,
            "operator": operator, "dark": dark}  # fmt: skip


def _photo() -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "orange").save(out, "PNG")
    out.seek(0)
    out.name = "lamp.png"
    return out


def test_three_lists_reads_and_posts_with_a_photo(live_server, city, three):
    client = three.Three(live_server.url + "/open311/v2", api_key=city["key"], format="json")

    by_code = {s["service_code"]: s for s in client.services()}
    assert set(by_code) == {"LIGHT", "HOLE"}
    assert by_code["LIGHT"]["service_name"] == "Street lights" and by_code["LIGHT"]["metadata"] is True

    definition = client.services("LIGHT")
    assert definition["service_code"] == "LIGHT"
    (dark,) = definition["attributes"]
    assert dark["code"] == str(city["dark"].pk) and dark["required"] is True
    assert [v["key"] for v in dark["values"]] == ["yes", "no"]

    # `requests(code, **filters)` and its date helper (`between`, turned into start_date/end_date)
    found = client.requests("LIGHT", status="open", between=["01-01-2000", "12-31-2099"])
    assert [r["service_request_id"] for r in found] == [str(city["open"].pk)]
    assert found[0]["agency_responsible"] == "Leeds City Council" and found[0]["address"] == "1 Park Row"
    (one,) = client.request(str(city["fixed"].pk))
    assert one["status"] == "closed" and "Lamp 9" in one["description"]

    # Post a new request, with an answer to the service's question and a photo taken on the street.
    answer = client.post(
        "LIGHT",
        address="12 Park Row",
        name="Ada Lovelace",
        email="ada@example.org",
        lat="53.81",
        long="-1.54",
        description="Lamp 12 out on Park Row",
        media=_photo(),
        **{f"attribute[{city['dark'].pk}]": "yes"},
    )
    assert client.post_response.status_code == 201, client.post_response.content
    new_id = answer[0]["service_request_id"]
    report = Report.objects.get(pk=int(new_id))
    assert report.source == Source.OPEN311 and report.owner == city["operator"]
    assert report.body == city["council"] and report.category == city["lights"]
    assert report.address == "12 Park Row" and report.answers == {str(city["dark"].pk): True}
    (photo,) = report.attachments.all()
    assert photo.alt == "Photo: Lamp 12 out on Park Row"

    (back,) = client.request(new_id)
    assert back["status"] == "open" and back["address"] == "12 Park Row"
    assert float(back["lat"]) == pytest.approx(53.81) and float(back["long"]) == pytest.approx(-1.54)

    # Errors come back in the spec's format, which the library hands over as data.
    missing = client.post("LIGHT", address="nowhere", description="No place given")
    assert client.post_response.status_code == 400
    assert missing == [{"code": 400, "description": "lat and long are needed (decimal degrees)."}]
    wrong_key = three.Three(live_server.url + "/open311/v2", api_key="wrong", format="json")
    refused = wrong_key.post("LIGHT", lat="53.81", long="-1.54", description="x")
    assert wrong_key.post_response.status_code == 403 and refused[0]["code"] == 403
    assert Report.objects.filter(source=Source.OPEN311).count() == 1


def test_a_photo_that_is_not_an_image_is_refused_and_nothing_is_kept(live_server, city, three):
    client = three.Three(live_server.url + "/open311/v2", api_key=city["key"], format="json")
    fake = io.BytesIO(b"MZ\x90\x00 this is not a picture")
    fake.name = "lamp.png"
    answer = client.post(
        "LIGHT", lat="53.81", long="-1.54", description="Lamp out", media=fake,
        **{f"attribute[{city['dark'].pk}]": "no"},
    )  # fmt: skip
    assert client.post_response.status_code == 400
    assert answer[0]["code"] == 400 and answer[0]["description"]
    assert not Report.objects.filter(source=Source.OPEN311).exists()
