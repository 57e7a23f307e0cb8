"""The one moderation queue page: who sees it, kinds, filters, order, bulk actions, reports, queries;
and the report page."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from squaremile.accounts.models import Role
from squaremile.accounts.tests.factories import UserFactory
from squaremile.mapping.models import Entry, EntryStatus
from squaremile.mapping.tests.factories import EntryFactory
from squaremile.moderation import registry, services
from squaremile.places.tests.factories import AreaFactory

pytestmark = pytest.mark.django_db
QUEUE = "/moderation/"


@pytest.fixture
def moderator():
    return UserFactory(role=Role.MODERATOR)


@pytest.fixture
def mod_client(client, moderator):
    client.force_login(moderator)
    return client


def waiting(n=1, **extra):
    return [EntryFactory(status=EntryStatus.PENDING, title=f"Waiting {i}", **extra) for i in range(n)]


def aged(entry, days):
    Entry.objects.filter(pk=entry.pk).update(created_at=timezone.now() - dt.timedelta(days=days))


class ThreatsOnly(registry.Moderated):
    """A second kind for the tests: the same model, read through another description."""

    kind, label, label_plural = "threat", "threat", "threats"
    model = Entry
    permission = "entry.moderate"

    def queryset(self):
        return Entry.objects.filter(category__is_threat=True).select_related("area")


@pytest.fixture
def second_kind():
    config = ThreatsOnly()
    registry._BY_KIND["threat"] = config
    yield config
    del registry._BY_KIND["threat"]


def test_queue_is_for_moderators_only(client):
    assert client.get(QUEUE).status_code == 302
    for role in (Role.MEMBER, Role.ORGANISER):
        client.force_login(UserFactory(role=role))
        assert client.get(QUEUE).status_code == 403
        assert client.post(reverse("moderation:bulk"), {"action": "publish"}).status_code == 403
        entry = waiting()[0]
        assert client.post(reverse("moderation:act", args=["entry", entry.pk, "publish"])).status_code == 403
    client.force_login(UserFactory(role=Role.ADMIN))
    assert client.get(QUEUE).status_code == 200


def test_pending_and_hidden_oldest_first_or_newest_first(mod_client):
    old, new = waiting(2)
    aged(old, 3)
    hidden = EntryFactory(status=EntryStatus.HIDDEN, title="Hidden one")
    aged(hidden, 1)
    EntryFactory(status=EntryStatus.PUBLISHED, title="Already out")
    html = mod_client.get(QUEUE).content.decode()
    assert html.index(old.title) < html.index("Hidden one") < html.index(new.title)
    assert "Already out" not in html and "oldest first" in html
    html = mod_client.get(QUEUE, {"order": "newest"}).content.decode()
    assert html.index(new.title) < html.index("Hidden one") < html.index(old.title)
    assert 'name="next" value="/moderation/?order=newest"' in html  # the choice stays in the query string


def test_filters_by_kind_area_age_state_and_title(mod_client, second_kind):
    area = AreaFactory(name="Riverside", slug="riverside")
    threat = EntryFactory(status=EntryStatus.PENDING, title="Library closing", category__is_threat=True,
                          category__slug="cuts", category__name="Cuts")  # fmt: skip
    near = EntryFactory(status=EntryStatus.PENDING, title="Riverside hall", area=area)
    EntryFactory(status=EntryStatus.PENDING, title="Fresh one")
    aged(near, 10)
    aged(threat, 40)
    html = mod_client.get(QUEUE, {"kind": "threat"}).content.decode()
    assert "Library closing" in html and "Fresh one" not in html
    html = mod_client.get(QUEUE).content.decode()  # every kind: the threat shows under both
    assert html.count("Library closing</a>") == 2 and "Fresh one" in html
    html = mod_client.get(QUEUE, {"kind": "entry", "area": "riverside"}).content.decode()
    assert "Riverside hall" in html and "Fresh one" not in html
    html = mod_client.get(QUEUE, {"kind": "entry", "age": "7"}).content.decode()
    assert "Riverside hall" in html and "Library closing" in html and "Fresh one" not in html
    html = mod_client.get(QUEUE, {"kind": "entry", "q": "fresh"}).content.decode()
    assert "Fresh one" in html and "Riverside hall" not in html
    EntryFactory(status=EntryStatus.REJECTED, title="Said no")
    html = mod_client.get(QUEUE, {"state": "rejected"}).content.decode()
    assert "Said no" in html and "Fresh one" not in html
    # junk filters fall back rather than fail
    assert mod_client.get(QUEUE, {"kind": "x", "area": "x", "age": "x", "order": "x", "page": "x"}).status_code == 200


def test_multi_kind_pages_merge_in_order(second_kind):
    from squaremile.moderation import selectors

    entries = waiting(4, category__is_threat=True, category__slug="cuts", category__name="Cuts")
    for i, e in enumerate(entries):
        aged(e, 10 - i)
    items = selectors.queue(user=UserFactory(role=Role.MODERATOR), filters=selectors.QueueFilters())
    assert items.count() == 8
    keys = [(i.kind, i.obj.pk) for i in items[2:6]]
    assert [pk for _, pk in keys] == [entries[1].pk, entries[1].pk, entries[2].pk, entries[2].pk]


def test_queue_preview_shows_who_when_area_and_reports(mod_client, settings):
    settings.MODERATION_HIDE_AFTER_REPORTS = 2
    area = AreaFactory(name="Old Town", slug="old-town")
    owner = UserFactory()
    entry = EntryFactory(status=EntryStatus.PUBLISHED, title="Noisy bar", owner=owner, area=area,
                         description="**Open** late every night.")  # fmt: skip
    services.report(user=UserFactory(), target=entry, reason="wrong", text="It closed last year")
    services.report(user=UserFactory(), target=entry, reason="spam")
    html = mod_client.get(QUEUE).content.decode()
    assert "Noisy bar" in html and "Hidden after reports" in html and "Old Town" in html and str(owner) in html
    assert "Open late every night." in html and "Reported by 2 people" in html and "It closed last year" in html
    assert reverse("moderation:act", args=["entry", entry.pk, "restore"]) in html


def test_queue_queries_do_not_grow_with_the_rows(mod_client, settings):
    """The queue asks a fixed number of queries per kind of record registered with moderation (every
    app adds its kinds), whatever the number of rows: 30 rows and 60 rows cost the same."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.MODERATION_HIDE_AFTER_REPORTS = 5
    owners = [UserFactory() for _ in range(3)]

    def add_rows(start):
        for i in range(start, start + 30):
            entry = EntryFactory(status=EntryStatus.PUBLISHED if i % 3 == 0 else EntryStatus.PENDING,
                                 owner=owners[i % 3], title=f"E{i}")  # fmt: skip
            if i % 3 == 0:
                services.report(user=owners[(i + 1) % 3], target=entry, reason="spam")
                Entry.objects.filter(pk=entry.pk).update(status=EntryStatus.HIDDEN)

    def queries(**params):
        with CaptureQueriesContext(connection) as seen:
            response = mod_client.get(QUEUE, params)
        return response, len(seen)

    add_rows(0)
    response, first = queries()
    html = response.content.decode()
    assert response.status_code == 200 and html.count('class="queue-row"') == 25 and "Page 1 of 2" in html
    response, second_page = queries(page=2)
    assert response.content.decode().count('class="queue-row"') == 5
    add_rows(30)
    response, doubled = queries()
    assert "Page 1 of 3" in response.content.decode()
    assert doubled == first and second_page <= first


def test_bulk_publish_all_or_nothing_and_reject_needs_reason(mod_client):
    a, b = waiting(2)
    gone = EntryFactory(status=EntryStatus.ARCHIVED, title="Gone")
    bulk = reverse("moderation:bulk")
    response = mod_client.post(bulk, {"action": "publish", "items": [f"entry:{a.pk}", f"entry:{b.pk}",
                                                                      f"entry:{gone.pk}"]})  # fmt: skip
    html = response.content.decode()
    assert response.status_code == 400 and "Nothing was changed" in html and "“Gone”" in html
    assert f'value="entry:{a.pk}" id="pick-entry-{a.pk}" form="bulk-form" checked' in html  # ticks kept
    assert Entry.objects.filter(status=EntryStatus.PENDING).count() == 2
    response = mod_client.post(bulk, {"action": "reject", "items": [f"entry:{a.pk}"], "reason": ""})
    assert response.status_code == 400 and b"Say why" in response.content
    response = mod_client.post(bulk, {"action": "publish"})
    assert response.status_code == 400 and b"Tick at least one item" in response.content
    response = mod_client.post(bulk, {"action": "fly", "items": [f"entry:{a.pk}"]})
    assert response.status_code == 400
    response = mod_client.post(bulk, {"action": "publish", "items": [f"entry:{a.pk}", f"entry:{b.pk}"],
                                      "next": "/moderation/?order=newest"})  # fmt: skip
    assert response.status_code == 302 and response["Location"] == "/moderation/?order=newest"
    assert Entry.objects.filter(status=EntryStatus.PUBLISHED).count() == 2
    assert "Done: Publish — 2 items." in mod_client.get(response["Location"]).content.decode()


def test_single_action_page_asks_for_a_reason(mod_client):
    entry = waiting()[0]
    url = reverse("moderation:act", args=["entry", entry.pk, "reject"])
    assert mod_client.get(url).status_code == 200
    assert mod_client.post(url, {"reason": ""}).status_code == 400
    response = mod_client.post(url, {"reason": "Not local", "next": QUEUE})
    assert response.status_code == 302 and response["Location"] == QUEUE
    entry.refresh_from_db()
    assert entry.status == EntryStatus.REJECTED and entry.rejection_reason == "Not local"
    assert mod_client.get(reverse("moderation:act", args=["entry", entry.pk, "fly"])).status_code == 404
    assert mod_client.get(reverse("moderation:act", args=["nope", entry.pk, "publish"])).status_code == 404


# ---- the report page -------------------------------------------------------------------------------
def test_report_page_once_per_person(client, settings):
    settings.MODERATION_HIDE_AFTER_REPORTS = 3
    entry = EntryFactory(status=EntryStatus.PUBLISHED, title="Bus stop")
    url = reverse("moderation:report", args=["entry", entry.pk])
    assert client.get(url).status_code == 302  # sign in first
    person = UserFactory()
    client.force_login(person)
    detail = client.get(entry.get_absolute_url()).content.decode()
    assert url in detail  # "Report this entry" on the entry's page
    assert client.get(url).status_code == 200
    assert client.post(url, {"reason": "other", "text": ""}).status_code == 400
    response = client.post(url, {"reason": "wrong", "text": "Moved away"})
    assert response.status_code == 302 and response["Location"] == entry.get_absolute_url()
    page = client.get(url).content.decode()
    assert "You have already reported this" in page
    assert client.post(url, {"reason": "spam"}).status_code == 200  # nothing more is recorded
    assert entry.__class__.objects.get(pk=entry.pk).status == EntryStatus.PUBLISHED


def test_reporting_hides_and_sends_the_last_reporter_to_the_map(client, settings):
    settings.MODERATION_HIDE_AFTER_REPORTS = 1
    entry = EntryFactory(status=EntryStatus.PUBLISHED)
    client.force_login(UserFactory())
    response = client.post(reverse("moderation:report", args=["entry", entry.pk]), {"reason": "spam"})
    assert response.status_code == 302 and response["Location"] == reverse("mapping:map")
    assert client.get(entry.get_absolute_url()).status_code == 404  # hidden: not shown to others
    assert client.get(reverse("moderation:report", args=["entry", entry.pk])).status_code == 404
