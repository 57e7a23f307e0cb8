"""Opening hours: the stored shape and its checks, days grouped in words, "open now", the form's
rows of time boxes (errors keep what was typed), the organisation page, the API and Open Referral."""

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from squaremile.accounts.services import api_token_create
from squaremile.accounts.tests.factories import UserFactory
from squaremile.directory import hours, services
from squaremile.directory.forms import OrganisationForm
from squaremile.directory.models import Organisation

pytestmark = pytest.mark.django_db
WEEKDAYS = {"mo": ["09:00", "17:00"], "tu": ["09:00", "17:00"], "we": ["09:00", "17:00"], "th": ["09:00", "17:00"],
            "fr": ["09:00", "16:30"], "sa": ["10:00", "13:00"]}  # fmt: skip


def test_days_with_the_same_times_are_grouped_in_words():
    words = [o.words for o in hours.grouped(WEEKDAYS)]
    assert words == ["Monday to Thursday, 9:00 to 17:00", "Friday, 9:00 to 16:30", "Saturday, 10:00 to 13:00"]
    assert [o.words for o in hours.grouped({"sa": ["10:00", "13:00"], "su": ["10:00", "13:00"]})] == [
        "Saturday and Sunday, 10:00 to 13:00"
    ]
    gap = {"mo": ["09:00", "12:00"], "we": ["09:00", "12:00"]}  # not consecutive: two openings
    assert [o.days for o in hours.grouped(gap)] == [("mo",), ("we",)]
    assert hours.grouped({}) == [] and hours.grouped(None) == []


def test_open_now_in_local_time():
    monday_ten = datetime.datetime(2026, 12, 7, 10, 0)
    assert hours.is_open(WEEKDAYS, monday_ten) is True
    assert hours.is_open(WEEKDAYS, monday_ten.replace(hour=17)) is False  # closes at 17:00
    assert hours.is_open(WEEKDAYS, monday_ten + datetime.timedelta(days=6)) is False  # Sunday
    assert hours.is_open({}, monday_ten) is None


@pytest.mark.parametrize(
    "value, words",
    [
        ({"xx": ["09:00", "10:00"]}, "is not a day"),
        ({"mo": ["10:00", "09:00"]}, "closing time must be after"),
        ({"mo": ["9", "10:00"]}, "give an opening and a closing time"),
        ({"mo": ["09:00"]}, "give an opening and a closing time"),
        (["mo"], "a list of days"),
    ],
)
def test_bad_hours_are_refused_in_words(value, words):
    with pytest.raises(ValidationError) as caught:
        hours.validate_hours(value)
    assert words in " ".join(caught.value.messages)


def _form_data(**days) -> dict:
    data = {"name": "Drop-in Café", "stream": "community", "org_type": "community_group",
            "contact_visibility": "public", "hours_note": "Term time only"}  # fmt: skip
    for i, day in enumerate(hours.DAYS):
        opens, closes = days.get(day, ("", ""))
        data[f"opening_hours_{2 * i}"], data[f"opening_hours_{2 * i + 1}"] = opens, closes
    return data


def test_the_form_gives_the_stored_shape_and_names_each_bad_day():
    form = OrganisationForm(_form_data(mo=("09:00", "17:00"), sa=("10:00", "13:00")))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["opening_hours"] == {"mo": ["09:00", "17:00"], "sa": ["10:00", "13:00"]}
    bad = OrganisationForm(_form_data(mo=("09:00", ""), tu=("18:00", "08:00")))
    assert not bad.is_valid()
    text = " ".join(bad.errors["opening_hours"])
    assert "Monday: give both the opening and the closing time" in text
    html = bad["opening_hours"].as_widget()
    assert 'value="09:00"' in html and 'value="18:00"' in html  # what was typed is kept
    assert "Monday: opens at" in html and "Sunday: closes at" in html  # every box has a label


def test_the_page_shows_the_hours_and_the_edit_form_keeps_them(settings):
    owner = UserFactory()
    org = services.organisation_create(by=owner, data={"name": "Drop-in Café", "opening_hours": WEEKDAYS,
                                                       "hours_note": "Closed on bank holidays"})  # fmt: skip
    page = Client().get(org.get_absolute_url()).content.decode()
    assert "Opening hours" in page and "Monday to Thursday, 9:00 to 17:00" in page
    assert "Saturday, 10:00 to 13:00" in page and "Closed on bank holidays" in page
    assert "Open now" in page or "Closed now" in page
    web = Client()
    web.force_login(owner)
    form = web.get(reverse("directory:organisation_edit", args=[org.slug])).content.decode()
    assert 'name="opening_hours_0" value="09:00"' in form and 'name="opening_hours_11" value="13:00"' in form
    data = _form_data(mo=("08:30", "12:00"))
    data["name"] = org.name
    response = web.post(reverse("directory:organisation_edit", args=[org.slug]), data)
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.opening_hours == {"mo": ["08:30", "12:00"]} and org.hours_note == "Term time only"
    refused = web.post(reverse("directory:organisation_edit", args=[org.slug]), _form_data(mo=("12:00", "08:30")))
    assert refused.status_code == 400 and "closing time must be after" in refused.content.decode()
    org.refresh_from_db()
    assert org.opening_hours == {"mo": ["08:30", "12:00"]}


def test_the_api_reads_and_writes_hours_and_refuses_bad_ones(client):
    owner = UserFactory()
    token = api_token_create(user=owner, by=owner, name="t")[1]
    auth = {"Authorization": f"Bearer {token}"}
    body = {"name": "Tool Library", "opening_hours": {"sa": ["10:00", "12:00"]}, "hours_note": "Saturdays only"}
    made = client.post("/api/v1/organisations", json.dumps(body), content_type="application/json", headers=auth)
    assert made.status_code == 201, made.content
    assert made.json()["opening_hours"] == {"sa": ["10:00", "12:00"]} and made.json()["hours_note"] == "Saturdays only"
    slug = made.json()["slug"]
    bad = client.patch(f"/api/v1/organisations/{slug}", json.dumps({"opening_hours": {"sa": ["12:00", "10:00"]}}),
                       content_type="application/json", headers=auth)  # fmt: skip
    assert bad.status_code == 400 and "closing time must be after" in json.dumps(bad.json())
    unknown = client.patch(f"/api/v1/organisations/{slug}", json.dumps({"opening_hours": {"xx": ["1", "2"]}}),
                           content_type="application/json", headers=auth)  # fmt: skip
    assert unknown.status_code in (400, 422) and unknown.json()["message"]
    assert Organisation.objects.get(slug=slug).opening_hours == {"sa": ["10:00", "12:00"]}


def test_open_referral_gives_weekly_schedules():
    from squaremile.civic import openreferral

    org = services.organisation_create(by=UserFactory(), data={"name": "Drop-in Café", "opening_hours": WEEKDAYS})
    schedules = openreferral.org_service(org)["schedules"]
    assert [s["byday"] for s in schedules] == ["MO,TU,WE,TH", "FR", "SA"]
    first = schedules[0]
    assert first["freq"] == "WEEKLY" and first["opens_at"][:8] == "09:00:00" and first["closes_at"][:8] == "17:00:00"
    assert first["opens_at"][8:] in ("+00:00", "+01:00") and first["timezone"] in (0, 1)
    assert len({s["id"] for s in schedules}) == 3


def test_hours_written_around_the_services_are_shown_only_where_well_formed(client):
    """The admin or bulk SQL can store anything: the page, the API and Open Referral show only what
    the validator would have let in, and never fail."""
    from squaremile.civic import openreferral

    org = services.organisation_create(by=UserFactory(), data={"name": "Odd Hours Club"})
    Organisation.objects.filter(pk=org.pk).update(
        opening_hours={"mo": "<script>alert(1)</script>", "tu": ["9", "x"], "we": ["10:00", "12:00"], "zz": 1}
    )
    org.refresh_from_db()
    assert hours.well_formed(org.opening_hours) == {"we": ["10:00", "12:00"]}
    assert hours.well_formed("<b>") == {} and hours.grouped(["mo"]) == []
    page = client.get(org.get_absolute_url())
    assert page.status_code == 200 and "Wednesday, 10:00 to 12:00" in page.content.decode()
    assert "<script>alert" not in page.content.decode()
    api = client.get(f"/api/v1/organisations/{org.slug}")
    assert api.status_code == 200 and api.json()["opening_hours"] == {"we": ["10:00", "12:00"]}
    assert [s["byday"] for s in openreferral.org_service(org)["schedules"]] == ["WE"]
