"""Routing, duplicates, sending, statuses and "is it fixed?"."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from squaremile.accounts.tests.factories import UserFactory
from squaremile.civic import delivery, routing, selectors, services
from squaremile.civic.models import Delivery, Report, ReportStatus, ReportUpdate, SendState
from squaremile.civic.tests.factories import BodyFactory, CategoryFactory, ReportFactory
from squaremile.core import spaces
from squaremile.notifications.models import Notification
from squaremile.places.tests.factories import AreaFactory

pytestmark = pytest.mark.django_db

# two parishes side by side, split at longitude -1.55; a county over both
LAT = 53.80


@pytest.fixture
def place():
    west = AreaFactory(name="Westfield", lat=LAT, lng=-1.56, half=0.01)
    east = AreaFactory(name="Eastbrook", lat=LAT, lng=-1.54, half=0.01)
    county = AreaFactory(name="The County", lat=LAT, lng=-1.55, half=0.2)
    lights = CategoryFactory(name="Street lights", service_code="LIGHT")
    potholes = CategoryFactory(name="Potholes", service_code="POT")
    west_pc = BodyFactory(name="Westfield Parish", areas=[west], categories=[lights])
    east_pc = BodyFactory(name="Eastbrook Parish", areas=[east], categories=[lights])
    county_c = BodyFactory(name="County Council", areas=[county], categories=[potholes, lights])
    return {"west": west_pc, "east": east_pc, "county": county_c, "lights": lights, "potholes": potholes}


def test_routing_picks_the_most_local_body_that_handles_the_category(place):
    found = routing.route(lat=LAT, lng=-1.565, category=place["lights"])
    assert found.chosen == place["west"] and not found.ask_which_side
    found = routing.route(lat=LAT, lng=-1.565, category=place["potholes"])
    assert found.chosen == place["county"] and not found.ask_which_side


def test_routing_asks_which_side_within_100_m_of_a_boundary(place):
    # about 40 m west of the parish boundary (-1.55): inside Westfield, near Eastbrook
    found = routing.route(lat=LAT, lng=-1.5506, category=place["lights"])
    assert found.chosen == place["west"]
    assert found.ask_which_side
    assert [b.name for b in found.choices] == ["Westfield Parish", "Eastbrook Parish"]
    assert 30 < found.near[0].distance_m < 50
    # 300 m away: no question
    assert not routing.route(lat=LAT, lng=-1.5545, category=place["lights"]).ask_which_side


def test_the_county_across_nothing_is_not_a_side(place):
    found = routing.route(lat=LAT, lng=-1.5506, category=place["potholes"])
    assert found.chosen == place["county"] and not found.ask_which_side


def test_a_report_goes_to_the_body_by_email_with_its_page(place, django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_create(by=user, category=place["lights"], lat=LAT, lng=-1.565, title="Light out")
    report.refresh_from_db()
    assert report.body == place["west"] and report.send_state == SendState.SENT and report.sent_at
    sent = [m for m in mail.outbox if place["west"].email in m.to]
    assert len(sent) == 1
    assert f"/civic/reports/{report.pk}/" in sent[0].body and "Street lights" in sent[0].body


def test_the_reporter_chooses_the_side_and_only_a_real_choice(place):
    user = UserFactory()
    report = services.report_create(
        by=user, category=place["lights"], lat=LAT, lng=-1.5506, title="Lamp", body=place["east"]
    )
    assert report.body == place["east"]
    with pytest.raises(ValidationError):
        services.report_create(by=user, category=place["lights"], lat=LAT, lng=-1.565, title="x", body=place["east"])


def test_duplicates_within_50_m_of_the_same_category_in_recent_weeks(place):
    near = ReportFactory(category=place["lights"], lat=LAT, lng=-1.5650)
    ReportFactory(category=place["lights"], lat=LAT + 0.0009, lng=-1.5650)  # 100 m north
    ReportFactory(category=place["potholes"], lat=LAT, lng=-1.5650)  # another category
    old = ReportFactory(category=place["lights"], lat=LAT, lng=-1.5651)
    Report.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(weeks=12))
    fixed = ReportFactory(category=place["lights"], lat=LAT, lng=-1.5652, status=ReportStatus.FIXED)
    found = selectors.nearby_duplicates(lat=LAT, lng=-1.56545, category=place["lights"])
    assert [r.pk for r in found] == [near.pk]
    assert fixed.pk not in [r.pk for r in found]


def test_adding_ones_voice_counts_once_and_follows(place):
    report = ReportFactory(category=place["lights"])
    neighbour = UserFactory()
    assert services.report_support(report=report, by=neighbour)
    assert not services.report_support(report=report, by=neighbour)
    report.refresh_from_db()
    assert report.supporters == 2


def test_body_staff_set_the_status_and_the_reporter_is_told(place):
    reporter, staff, stranger = UserFactory(), UserFactory(), UserFactory()
    report = services.report_create(by=reporter, category=place["lights"], lat=LAT, lng=-1.565, title="Lamp")
    with pytest.raises(PermissionDenied):
        services.report_set_status(report=report, by=staff, status=ReportStatus.FIXED)
    spaces.grant(space=place["west"], user=staff, by=UserFactory(role="admin"))
    services.report_set_status(report=report, by=staff, status=ReportStatus.IN_PROGRESS, text="Engineer booked")
    report.refresh_from_db()
    assert report.status == ReportStatus.IN_PROGRESS and report.is_open
    note = Notification.objects.get(recipient=reporter, kind="civic.report_updated")
    assert "in progress" in note.title
    with pytest.raises(ValidationError):
        services.report_set_status(report=report, by=staff, status=ReportStatus.NOT_RESPONSIBLE)
    services.report_set_status(report=report, by=staff, status=ReportStatus.NOT_RESPONSIBLE, reason="The county's")
    report.refresh_from_db()
    assert not report.is_open and report.status_reason == "The county's"
    with pytest.raises(PermissionDenied):
        services.report_set_status(report=report, by=stranger, status=ReportStatus.OPEN)


def test_is_it_fixed_after_four_weeks_once(place):
    reporter = UserFactory()
    report = ReportFactory(owner=reporter, category=place["lights"])
    Report.objects.filter(pk=report.pk).update(created_at=timezone.now() - timedelta(days=29))
    ReportFactory(owner=reporter, category=place["lights"])  # too new
    assert services.ask_if_fixed() == 1
    assert services.ask_if_fixed() == 0
    assert Notification.objects.filter(recipient=reporter, kind="civic.is_it_fixed").count() == 1
    services.report_comment(report=report, by=reporter, fixed=True, text="Mended on Tuesday")
    report.refresh_from_db()
    assert report.status == ReportStatus.FIXED
    assert ReportUpdate.objects.filter(report=report, status_after=ReportStatus.FIXED).exists()


def test_a_body_that_handles_it_elsewhere_gets_nothing_sent(place, client):
    place["west"].delivery = Delivery.ELSEWHERE
    place["west"].elsewhere_url = "https://westfield.example.org/report"
    place["west"].save()
    user = UserFactory()
    client.force_login(user)
    page = client.get(reverse("civic:report_new"), {"category": place["lights"].pk, "lat": LAT, "lng": -1.565})
    assert page.status_code == 200
    assert b"westfield.example.org/report" in page.content


def test_the_report_pages_walk(place, client, django_capture_on_commit_callbacks):
    user = UserFactory()
    client.force_login(user)
    assert client.get(reverse("civic:report_new")).status_code == 200
    near = ReportFactory(category=place["lights"], lat=LAT, lng=-1.5506)
    step2 = client.get(reverse("civic:report_new"), {"category": place["lights"].pk, "lat": LAT, "lng": -1.5508})
    assert step2.status_code == 200
    assert b"Which side is it on?" in step2.content and b"Add your voice" in step2.content
    assert near.get_absolute_url().encode() in step2.content
    bad = client.post(reverse("civic:report_new"), {"category": place["lights"].pk, "lat": LAT, "lng": -1.5508,
                                                    "title": "Lamp"})  # fmt: skip
    assert bad.status_code == 400 and b"Which side" in bad.content
    with django_capture_on_commit_callbacks(execute=True):
        made = client.post(reverse("civic:report_new"), {
            "category": place["lights"].pk, "lat": LAT, "lng": -1.5508, "title": "Lamp", "body": place["east"].pk,
        })  # fmt: skip
    report = Report.objects.latest("id")
    assert made.status_code == 302 and report.body == place["east"]
    assert client.get(report.get_absolute_url()).status_code == 200
    assert client.get(reverse("civic:reports")).status_code == 200
    assert client.get(reverse("civic:home"), {"lat": LAT, "lng": -1.565}).status_code == 200
    assert client.get(reverse("civic:body_detail", args=[place["west"].slug])).status_code == 200


def test_the_map_layer_answers_geojson_within_the_box(client, place):
    ReportFactory(category=place["lights"], lat=LAT, lng=-1.55, title="<b>Lamp</b>")
    ReportFactory(category=place["lights"], lat=10, lng=10)
    data = client.get(reverse("civic:map_layer"), {"bbox": "-1.6,53.7,-1.5,53.9"}).json()
    assert data["type"] == "FeatureCollection" and len(data["features"]) == 1
    assert set(data["features"][0]["properties"]) == {"title", "url", "kind"}
    assert client.get(reverse("civic:map_layer"), {"bbox": "x"}).status_code == 400


def test_report_list_queries_do_not_grow(client, place, django_assert_max_num_queries):
    for _ in range(30):
        ReportFactory(category=place["lights"], body=place["west"])
    with django_assert_max_num_queries(8):
        assert client.get(reverse("civic:reports")).status_code == 200


def test_delivery_failure_is_kept_for_a_retry(place):
    place["west"].delivery = Delivery.OPEN311
    place["west"].open311_endpoint = "http://127.0.0.1:9/open311/v2/"
    place["west"].save()
    report = ReportFactory(category=place["lights"], body=place["west"])
    assert delivery.send_report(report_id=report.pk) == "failed"
    report.refresh_from_db()
    assert report.send_state == SendState.FAILED and "reach" in report.send_error


def test_a_persons_reports_are_in_their_data_download(client, place):
    user = UserFactory()
    ReportFactory(owner=user, category=place["lights"], title="My lamp")
    client.force_login(user)
    data = client.get(reverse("accounts:data_export")).json()
    assert [r["title"] for r in data["civic"]["reports"]] == ["My lamp"]


def test_bodies_responsiveness_over_12_months(place):
    staff = UserFactory()
    spaces.grant(space=place["west"], user=staff, by=UserFactory(role="admin"))
    a = ReportFactory(category=place["lights"], body=place["west"])
    ReportFactory(category=place["lights"], body=place["west"])
    old = ReportFactory(category=place["lights"], body=place["west"], status=ReportStatus.FIXED)
    Report.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=400))
    Report.objects.filter(pk=a.pk).update(created_at=timezone.now() - timedelta(days=3))
    services.report_set_status(report=a, by=staff, status=ReportStatus.FIXED)
    bodies = [place["west"], place["east"]]
    selectors.body_figures(bodies)
    assert (bodies[0].reports_12m, bodies[0].fixed_12m) == (2, 1)
    assert 2.9 < bodies[0].median_fix_days < 3.1
    assert (bodies[1].reports_12m, bodies[1].median_fix_days) == (0, None)


def test_a_map_threat_is_raised_with_the_responsible_body_in_one_step(client, place):
    from squaremile.mapping.tests.factories import CategoryFactory as MapCategoryFactory
    from squaremile.mapping.tests.factories import EntryFactory

    threat_cat = CategoryFactory(name="Threat or cut", service_code="THREAT", is_threat=True)
    place["county"].categories.add(threat_cat)
    entry = EntryFactory(category=MapCategoryFactory(is_threat=True), title="Library to close", lat=LAT, lng=-1.565)
    user = UserFactory()
    client.force_login(user)
    page = client.get(entry.get_absolute_url())
    assert b"Raise it with County Council" in page.content
    made = client.post(reverse("civic:raise_entry", args=[entry.pk]), {"body": place["county"].pk})
    report = Report.objects.get(from_ref=f"mapping.entry:{entry.pk}")
    assert made.status_code == 302 and report.body == place["county"] and report.category == threat_cat
    assert entry.get_absolute_url() in report.description
    again = client.get(entry.get_absolute_url())
    assert b"Already raised" in again.content
    ordinary = EntryFactory(title="Allotments", lat=LAT, lng=-1.565)
    assert (
        client.post(reverse("civic:raise_entry", args=[ordinary.pk]), {"body": place["county"].pk}).status_code == 404
    )
