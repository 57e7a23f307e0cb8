"""Digests: one e-mail per person and period with what is new for them, grouped, checked again at
send time, never twice, resumed after a crash; and the map's publish path feeding followers."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from squaremile.accounts.models import Role
from squaremile.accounts.tests.factories import UserFactory
from squaremile.mapping.entries import services as map_services
from squaremile.mapping.models import EntryStatus
from squaremile.mapping.tests.factories import CategoryFactory, EntryFactory
from squaremile.notifications import services
from squaremile.notifications.digests import send_digests
from squaremile.notifications.models import DigestRun, Notification
from squaremile.places.tests.factories import AreaFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    def go(period="daily"):
        out = StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("send_digests", "--period", period, stdout=out)
        return out.getvalue()

    return go


@pytest.fixture
def moderator():
    return UserFactory(role=Role.MODERATOR)


def publish_in(area, moderator, category, title):
    entry = EntryFactory(area=area, category=category, status=EntryStatus.PENDING, title=title)
    return map_services.entry_publish(entry=entry, by=moderator)


def test_a_person_who_follows_an_area_gets_one_daily_digest_and_nothing_twice(
    run, moderator, mailoutbox, django_capture_on_commit_callbacks
):
    riverside, elsewhere = AreaFactory(name="Riverside"), AreaFactory(name="Hilltop")
    category = CategoryFactory(name="Community asset")
    ann = UserFactory(email="ann@example.org")
    services.follow(user=ann, target=riverside)
    services.follow(user=ann, target=category)  # follows the category too: still told once per entry
    with django_capture_on_commit_callbacks(execute=True):
        first = publish_in(riverside, moderator, category, "Riverside pantry")
        publish_in(riverside, moderator, category, "Riverside choir")
        publish_in(elsewhere, moderator, CategoryFactory(), "Hilltop walk")  # not followed
    assert mailoutbox == []  # follows default to the daily digest
    assert Notification.objects.filter(recipient=ann).count() == 2
    assert "Sent 1 daily digest." in run()
    [mail] = mailoutbox
    assert mail.to == ["ann@example.org"] and mail.subject == "[Square Mile] Your daily digest"
    assert "Riverside pantry" in mail.body and "Riverside choir" in mail.body and "Hilltop" not in mail.body
    assert mail.body.count("New on the map where you follow") == 1  # grouped under its kind
    assert f"/map/entries/{first.pk}/" in mail.body and mail.alternatives[0][1] == "text/html"
    assert "Sent 0 daily digests." in run()  # the same day again: nothing
    with django_capture_on_commit_callbacks(execute=True):
        publish_in(riverside, moderator, category, "Riverside repair cafe")
    run()
    assert len(mailoutbox) == 1  # one digest per day; the new one waits for tomorrow's
    DigestRun.objects.update(key="2000-01-01")  # ... tomorrow
    run()
    assert len(mailoutbox) == 2 and "Riverside repair cafe" in mailoutbox[1].body
    assert "Riverside pantry" not in mailoutbox[1].body


def test_digest_leaves_out_what_was_hidden_read_or_deleted_since(
    run, moderator, mailoutbox, django_capture_on_commit_callbacks
):
    area = AreaFactory()
    ann = UserFactory()
    services.follow(user=ann, target=area)
    with django_capture_on_commit_callbacks(execute=True):
        kept = publish_in(area, moderator, CategoryFactory(), "Still here")
        hidden = publish_in(area, moderator, CategoryFactory(), "Archived since")
        read = publish_in(area, moderator, CategoryFactory(), "Seen under the bell")
        gone = publish_in(area, moderator, CategoryFactory(), "Deleted since")
    map_services.entry_archive(entry=hidden, by=moderator)
    Notification.objects.filter(target_id=read.pk).update(read_at="2026-01-01T00:00Z")
    map_services.entry_delete(entry=gone, by=moderator)
    run()
    [mail] = mailoutbox
    assert kept.title in mail.body
    assert all(t not in mail.body for t in ("Archived since", "Seen under the bell", "Deleted since"))


def test_nobody_gets_an_empty_digest(run, moderator, mailoutbox):
    area = AreaFactory()
    ann = UserFactory()
    services.follow(user=ann, target=area)
    entry = publish_in(area, moderator, CategoryFactory(), "Soon archived")
    map_services.entry_archive(entry=entry, by=moderator)
    run()
    assert mailoutbox == []
    assert run("weekly") and mailoutbox == []


def test_weekly_digest_for_those_who_chose_it(run, moderator, mailoutbox):
    area = AreaFactory()
    ann, bob = UserFactory(), UserFactory()
    for person in (ann, bob):
        services.follow(user=person, target=area)
    services.preference_set(user=bob, by=bob, kind="mapping.new_entry", delivery="weekly")
    publish_in(area, moderator, CategoryFactory(), "Weekly news")
    run("weekly")
    assert [m.to for m in mailoutbox] == [[bob.email]] and "weekly digest" in mailoutbox[0].subject


def test_a_run_that_stopped_half_way_is_resumed(run, moderator, mailoutbox):
    area = AreaFactory()
    people = [UserFactory() for _ in range(3)]
    for person in people:
        services.follow(user=person, target=area)
    publish_in(area, moderator, CategoryFactory(), "News")
    # the first person was done (their run row and markers committed) before the crash
    from django.utils import timezone

    from squaremile.notifications.digests import period_key

    DigestRun.objects.create(user=people[0], period="daily", key=period_key("daily", timezone.now()))
    Notification.objects.filter(recipient=people[0]).update(digested_at=timezone.now())
    run()
    assert sorted(m.to[0] for m in mailoutbox) == sorted(p.email for p in people[1:])


def test_digest_queries_do_not_grow_with_items(moderator, settings, django_capture_on_commit_callbacks):
    settings.SITE_URL = "https://sq.example.org"  # (else the first run also looks the Sites row up, once)

    def measure(people, entries):
        area = AreaFactory()
        folks = [UserFactory() for _ in range(people)]
        for person in folks:
            services.follow(user=person, target=area)
        for i in range(entries):
            publish_in(area, moderator, CategoryFactory(), f"Entry {i}")
        DigestRun.objects.all().delete()
        with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
            assert send_digests(period="daily") == people
        Notification.objects.all().delete()
        return len(queries)

    small, many_items = measure(2, 2), measure(2, 12)
    assert many_items == small  # grouping and targets are fetched per batch, not per item
    more_people = measure(6, 2)
    assert more_people == small  # ... nor per person: a batch of people is read and written at once
    assert small <= 16


def test_organisers_who_follow_a_survey_hear_of_new_answers_without_names(run, mailoutbox):
    from squaremile.network.surveys import services as network_services
    from squaremile.network.tests.factories import SurveyFactory
    from squaremile.network.tests.test_services import answers

    organiser = UserFactory(role=Role.ORGANISER)
    survey = SurveyFactory(owner=organiser, title="Who we work with")
    services.follow(user=organiser, target=survey)
    network_services.response_submit(survey=survey, data=answers(name="Secret Sally"))
    note = Notification.objects.get(recipient=organiser)
    assert note.kind == "network.new_response" and "Who we work with" in note.title
    assert "Sally" not in note.title + note.body
    run()
    assert [m.to for m in mailoutbox] == [[organiser.email]] and "Sally" not in mailoutbox[0].body


def test_an_entry_published_at_once_tells_the_followers_too(moderator):
    area = AreaFactory(lat=52.6, lng=-1.1)
    category = CategoryFactory(auto_publish_trusted=True)
    ann = UserFactory()
    services.follow(user=ann, target=area)
    entry = map_services.entry_create(by=moderator, title="Straight on the map", category=category, lat=52.6, lng=-1.1)
    assert entry.status == EntryStatus.PUBLISHED and entry.area == area
    assert Notification.objects.get(recipient=ann).target == entry
