"""The bell, the list (newest first, paginated, mark read), the choices page and follow buttons."""

import pytest
from django.urls import reverse

from squaremile.accounts.models import Role
from squaremile.accounts.tests.factories import UserFactory
from squaremile.directory.tests.factories import OrganisationFactory
from squaremile.mapping.tests.factories import EntryFactory
from squaremile.network.tests.factories import SurveyFactory
from squaremile.notifications.models import Follow, Notification, Preference
from squaremile.places.tests.factories import AreaFactory

pytestmark = pytest.mark.django_db
LIST = "/notifications/"


def make(person, n=1, **kw):
    return [Notification.objects.create(recipient=person, kind="mapping.new_entry", title=f"Note {i}", url="/map/",
                                        **kw) for i in range(n)]  # fmt: skip


def test_bell_shows_unread_count_with_one_query(client, django_assert_max_num_queries):
    person = UserFactory()
    make(person, 3)
    make(person, 1, read_at="2026-01-01T00:00Z")
    make(UserFactory(), 2)
    client.force_login(person)
    html = client.get("/").content.decode()
    assert 'data-unread="3"' in html and '3<span class="visually-hidden"> unread</span>' in html
    from django.test import RequestFactory

    from squaremile.notifications.context_processors import unread

    request = RequestFactory().get("/")
    request.user = person
    lazy = unread(request)["NOTIFICATIONS_UNREAD"]
    with django_assert_max_num_queries(1):
        assert lazy == 3 and str(lazy) == "3"


def test_visitors_have_no_bell(client):
    assert 'class="bell"' not in client.get("/").content.decode()
    assert client.get(LIST).status_code == 302


def test_list_newest_first_paginated_and_opening_marks_read(client):
    person = UserFactory()
    notes = make(person, 30)
    client.force_login(person)
    page = client.get(LIST)
    html = page.content.decode()
    assert page.status_code == 200 and html.index("Note 29") < html.index("Note 28") and "Note 0<" not in html
    assert "Note 0" in client.get(LIST + "?page=2").content.decode()
    opened = client.get(reverse("notifications:open", args=[notes[5].pk]))
    assert opened.status_code == 302 and opened.url == "/map/"
    assert Notification.objects.filter(read_at__isnull=False).count() == 1
    other = make(UserFactory())[0]
    assert client.get(reverse("notifications:open", args=[other.pk])).status_code == 404


def test_mark_all_read_is_a_post(client):
    person = UserFactory()
    make(person, 3)
    client.force_login(person)
    assert client.get(reverse("notifications:mark_all_read")).status_code == 405
    assert client.post(reverse("notifications:mark_all_read")).status_code == 302
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_preferences_page_saves_choices(client):
    person = UserFactory()
    client.force_login(person)
    url = reverse("notifications:preferences")
    assert client.get(url).status_code == 200
    assert client.post(url, {"kind_mapping__new_entry": "hourly"}).status_code == 400
    from squaremile.notifications.selectors import preferences_for

    data = {"kind_" + kind.key.replace(".", "__"): current for kind, current in preferences_for(person)}
    data["kind_mapping__new_entry"] = "weekly"
    assert client.post(url, data).status_code == 302
    assert Preference.objects.get(user=person, kind="mapping.new_entry").delivery == "weekly"


@pytest.mark.parametrize("what", ["area", "organisation", "entry", "category", "survey"])
def test_follow_buttons_on_record_pages(client, what):
    organiser = UserFactory(role=Role.ORGANISER)
    records = {
        "area": lambda: AreaFactory(),
        "organisation": lambda: OrganisationFactory(),
        "entry": lambda: EntryFactory(),
        "category": lambda: EntryFactory().category,
        "survey": lambda: SurveyFactory(owner=organiser),
    }
    record = records[what]()
    page_of = {"category": lambda c: c.entries.first().get_absolute_url(),
               "survey": lambda s: reverse("network:survey_detail", args=[s.slug])}  # fmt: skip
    url = page_of.get(what, lambda r: r.get_absolute_url())(record)
    client.force_login(organiser)
    html = client.get(url).content.decode()
    assert f'name="model" value="{record._meta.label_lower}"' in html
    # without JavaScript: a form post, back to the page
    post = {"model": record._meta.label_lower, "pk": record.pk, "next": url}
    response = client.post(reverse("notifications:follow"), post)
    assert response.status_code == 302 and response.url == url
    assert Follow.objects.get().target == record
    assert "Following" in client.get(url).content.decode()
    # with htmx: the button again, now "stop following" undone
    response = client.post(reverse("notifications:follow"), {**post, "action": "unfollow"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'value="follow"' in response.content.decode()
    assert not Follow.objects.exists()


def test_follow_refusals(client):
    area = AreaFactory()
    post = {"model": "places.area", "pk": area.pk}
    assert client.post(reverse("notifications:follow"), post).status_code == 302  # to log in
    member = UserFactory()
    client.force_login(member)
    assert client.post(reverse("notifications:follow"), {"model": "accounts.user", "pk": member.pk}).status_code == 400
    assert client.post(reverse("notifications:follow"), {"model": "places.area", "pk": "9" * 30}).status_code == 400
    survey = SurveyFactory()  # someone else's: its answers are not this member's to follow
    assert client.post(reverse("notifications:follow"), {"model": "network.survey", "pk": survey.pk}).status_code == 403
    assert not Follow.objects.exists()


def test_my_data_download_holds_my_follows_choices_and_notifications(client):
    import json

    person = UserFactory()
    area = AreaFactory()
    Follow.objects.create(user=person, target=area)
    Preference.objects.create(user=person, kind="mapping.new_entry", delivery="weekly")
    make(person, 2)
    client.force_login(person)
    data = json.loads(client.get("/people/me/data.json").content)
    assert data["follows"] == [{"kind": "places.area", "id": area.pk}]
    assert data["notification_choices"] == {"mapping.new_entry": "weekly"}
    assert sorted(n["title"] for n in data["notifications"]) == ["Note 0", "Note 1"]
