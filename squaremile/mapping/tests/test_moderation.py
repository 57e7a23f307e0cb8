"""The moderation queue and actions (pages), the detail page's panel and history, the email
preference page and the daily digest command."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from squaremile.accounts.models import Role
from squaremile.accounts.tests.factories import UserFactory
from squaremile.mapping import services
from squaremile.mapping.models import Entry, EntryStatus, ModerationMode, ModerationPreference
from squaremile.mapping.tests.factories import CategoryFactory, EntryFactory

pytestmark = pytest.mark.django_db
QUEUE = "/map/queue/"


@pytest.fixture
def moderator():
    return UserFactory(email="mod@example.org", role=Role.MODERATOR)


@pytest.fixture
def category():
    return CategoryFactory(name="Community asset", slug="community-asset")


@pytest.fixture
def mod_client(client, moderator):
    client.force_login(moderator)
    return client


def pending(category, n=1, **extra):
    return [
        EntryFactory(category=category, status=EntryStatus.PENDING, title=f"Pending {i}", **extra) for i in range(n)
    ]


# ---- who may see the queue ------------------------------------------------------------------
def test_queue_is_for_moderators_only(client, category):
    assert client.get(QUEUE).status_code == 302  # to the login page
    for role in (Role.MEMBER, Role.ORGANISER):
        client.force_login(UserFactory(role=role))
        assert client.get(QUEUE).status_code == 403
        assert client.post(reverse("mapping:queue_bulk"), {"action": "publish"}).status_code == 403
        entry = pending(category)[0]
        assert client.post(reverse("mapping:moderate", args=[entry.pk, "publish"])).status_code == 403
        assert client.get(reverse("mapping:moderation_settings")).status_code == 403
    client.force_login(UserFactory(role=Role.ADMIN))
    assert client.get(QUEUE).status_code == 200


def test_queue_lists_pending_first_oldest_first_and_filters(mod_client, category):
    other = CategoryFactory(name="Other things", slug="other-things")
    old, new = pending(category, 2)
    Entry.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=3))
    EntryFactory(category=other, status=EntryStatus.PENDING, title="Elsewhere")
    EntryFactory(category=category, status=EntryStatus.PUBLISHED, title="Already out")
    html = mod_client.get(QUEUE).content.decode()
    assert html.index(old.title) < html.index(new.title)
    assert "Elsewhere" in html and "Already out" not in html
    html = mod_client.get(QUEUE, {"category": "other-things"}).content.decode()
    assert "Elsewhere" in html and old.title not in html
    html = mod_client.get(QUEUE, {"status": "published"}).content.decode()
    assert "Already out" in html and "Elsewhere" not in html
    html = mod_client.get(QUEUE, {"status": "all", "q": "already"}).content.decode()
    assert "Already out" in html and "Elsewhere" not in html
    # junk filters fall back rather than fail
    assert mod_client.get(QUEUE, {"status": "nope", "category": "nope", "page": "x"}).status_code == 200


def test_queue_is_paginated_without_n_plus_one(mod_client, category, django_assert_max_num_queries):
    submitters = [UserFactory() for _ in range(3)]
    for i in range(30):
        EntryFactory(category=category, status=EntryStatus.PENDING, owner=submitters[i % 3], title=f"E{i}")
    with django_assert_max_num_queries(12):
        html = mod_client.get(QUEUE).content.decode()
    assert html.count('class="queue-row"') == 25 and "Page 1 of 2" in html
    with django_assert_max_num_queries(12):
        html = mod_client.get(QUEUE, {"page": 2}).content.decode()
    assert html.count('class="queue-row"') == 5


# ---- single actions ---------------------------------------------------------------------------
def test_publish_from_the_queue(mod_client, moderator, category):
    entry = pending(category)[0]
    response = mod_client.post(reverse("mapping:moderate", args=[entry.pk, "publish"]), {"next": QUEUE})
    assert response.status_code == 302 and response["Location"] == QUEUE
    entry.refresh_from_db()
    assert entry.status == EntryStatus.PUBLISHED
    assert entry.events.get(action="published").actor == moderator


def test_next_must_stay_on_the_site(mod_client, category):
    entry = pending(category)[0]
    response = mod_client.post(reverse("mapping:moderate", args=[entry.pk, "publish"]),
                               {"next": "https://evil.example/"})  # fmt: skip
    assert response["Location"] == entry.get_absolute_url()


def test_reject_requires_a_reason(mod_client, category, mailoutbox, django_capture_on_commit_callbacks):
    entry = pending(category, submitter_email="ann@example.org")[0]
    url = reverse("mapping:moderate", args=[entry.pk, "reject"])
    assert b"Reason" in mod_client.get(url).content
    response = mod_client.post(url, {"reason": "  "})
    assert response.status_code == 400 and b"Please check the form" in response.content
    entry.refresh_from_db()
    assert entry.status == EntryStatus.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        response = mod_client.post(url, {"reason": "Please add where it meets."})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == EntryStatus.REJECTED
    assert [m.to for m in mailoutbox] == [["ann@example.org"]]
    assert "Please add where it meets." in mailoutbox[0].body


def test_refused_transition_shows_why(mod_client, category):
    entry = EntryFactory(category=category, status=EntryStatus.ARCHIVED)
    response = mod_client.post(reverse("mapping:moderate", args=[entry.pk, "publish"]))
    assert response.status_code == 400 and "it is archived" in response.content.decode()
    assert mod_client.post(reverse("mapping:moderate", args=[entry.pk, "explode"])).status_code == 403
    assert mod_client.post(reverse("mapping:moderate", args=[entry.pk + 999, "publish"])).status_code == 404


def test_merge_by_number_or_title(mod_client, category):
    keep = EntryFactory(category=category, status=EntryStatus.PUBLISHED, title="Village hall", lat=53.8, lng=-1.55)
    dupe = pending(category, lat=53.8001, lng=-1.5501)[0]
    url = reverse("mapping:moderate", args=[dupe.pk, "merge"])
    page = mod_client.get(url).content.decode()
    assert "Possible duplicates nearby" in page and f"#{keep.pk} Village hall" in page
    response = mod_client.post(url, {"into": "#99999"})
    assert response.status_code == 400 and "No other entry" in response.content.decode()
    response = mod_client.post(url, {"into": "village HALL"})
    assert response.status_code == 302 and response["Location"] == keep.get_absolute_url()
    dupe.refresh_from_db()
    assert dupe.status == EntryStatus.MERGED and dupe.merged_into == keep
    other = pending(category)[0]
    response = mod_client.post(reverse("mapping:moderate", args=[other.pk, "merge"]), {"into": str(keep.pk)})
    assert response.status_code == 302


# ---- bulk ----------------------------------------------------------------------------------------
def test_bulk_publish_all_or_nothing(mod_client, category):
    a, b = pending(category, 2)
    c = EntryFactory(category=category, status=EntryStatus.ARCHIVED, title="Gone")
    bulk = reverse("mapping:queue_bulk")
    response = mod_client.post(bulk, {"action": "publish", "entries": [a.pk, b.pk, c.pk]})
    html = response.content.decode()
    assert response.status_code == 400 and "Nothing was changed" in html and "“Gone”" in html
    assert f'value="{a.pk}" id="pick-{a.pk}" form="bulk-form" checked' in html  # the ticks are kept
    assert Entry.objects.filter(status=EntryStatus.PENDING).count() == 2
    response = mod_client.post(bulk, {"action": "publish", "entries": [a.pk, b.pk]})
    assert response.status_code == 302
    assert Entry.objects.filter(status=EntryStatus.PUBLISHED).count() == 2
    follow = mod_client.get(response["Location"])
    assert "Done: publish — 2 entries." in follow.content.decode()


def test_bulk_reject_needs_reason_and_ticks(mod_client, category):
    a, b = pending(category, 2)
    bulk = reverse("mapping:queue_bulk")
    response = mod_client.post(bulk, {"action": "reject", "entries": [a.pk, b.pk], "reason": ""})
    assert response.status_code == 400 and b"Say why" in response.content
    response = mod_client.post(bulk, {"action": "publish"})
    assert response.status_code == 400 and b"Tick at least one entry" in response.content
    response = mod_client.post(bulk, {"action": "fly", "entries": [a.pk]})
    assert response.status_code == 400
    response = mod_client.post(bulk, {"action": "reject", "entries": [a.pk, b.pk], "reason": "Spam"})
    assert response.status_code == 302
    assert set(Entry.objects.values_list("status", flat=True)) == {EntryStatus.REJECTED}


# ---- the panel and the history on the entry's page ----------------------------------------------
def render(template: str, entry, user) -> str:
    request = RequestFactory().get("/")
    request.user = user
    from django.middleware.csrf import get_token

    get_token(request)
    return Template(template).render(Context({"entry": entry, "request": request}))


PANEL = '{% include "mapping/includes/_moderation_panel.html" %}'
HISTORY = '{% include "mapping/includes/_history.html" %}'


def test_panel_and_history_for_moderators_and_owner_only(moderator, category):
    from django.contrib.auth.models import AnonymousUser

    owner = UserFactory()
    entry = services.entry_create(by=owner, title="<b>Pantry</b>", category=category, lat=53.8, lng=-1.55)
    services.entry_reject(entry=entry, by=moderator, reason="Needs <i>detail</i>")
    entry.refresh_from_db()
    html = render(PANEL, entry, moderator)
    assert "Moderation" in html and "/moderate/publish/" in html and "/moderate/reject/" not in html
    assert "Needs &lt;i&gt;detail&lt;/i&gt;" in html
    history = render(HISTORY, entry, moderator)
    assert "Rejected" in history and "Submitted" in history and str(moderator) in history
    assert "Status: pending → rejected" in history
    owner_panel = render(PANEL, entry, owner)
    assert "Your entry" in owner_panel and "/moderate/" not in owner_panel and "/edit/" in owner_panel
    assert "Rejected" in render(HISTORY, entry, owner)
    for stranger in (UserFactory(), AnonymousUser()):
        assert render(PANEL, entry, stranger).strip() == ""
        assert render(HISTORY, entry, stranger).strip() == ""


# ---- email preference and digest -----------------------------------------------------------------
def test_moderator_sets_email_preference(mod_client, moderator):
    url = reverse("mapping:moderation_settings")
    assert b"One email a day" in mod_client.get(url).content
    assert mod_client.post(url, {"mode": "weekly"}).status_code == 400
    assert mod_client.post(url, {"mode": "digest"}).status_code == 302
    assert ModerationPreference.objects.get(user=moderator).mode == ModerationMode.DIGEST


def test_digest_command(category, mailoutbox):
    digest = UserFactory(email="digest@example.org", role=Role.MODERATOR)
    recent = UserFactory(email="recent@example.org", role=Role.MODERATOR)
    UserFactory(email="now@example.org", role=Role.MODERATOR)  # immediate: no digest
    ModerationPreference.objects.create(user=digest, mode=ModerationMode.DIGEST)
    ModerationPreference.objects.create(user=recent, mode=ModerationMode.DIGEST,
                                        last_digest_at=timezone.now() - dt.timedelta(hours=5))  # fmt: skip
    out = StringIO()
    call_command("send_moderation_digests", stdout=out)
    assert "Sent 0 digests" in out.getvalue() and mailoutbox == []  # nothing waits
    entries = pending(category, 3)
    call_command("send_moderation_digests", stdout=out)
    assert [m.to for m in mailoutbox] == [["digest@example.org"]]
    body = mailoutbox[0].body
    assert "3 map entries wait for moderation" in body
    assert all(e.title in body for e in entries) and "/map/queue/" in body
    assert ModerationPreference.objects.get(user=digest).last_digest_at is not None
    call_command("send_moderation_digests", stdout=out)  # not again within 20 hours
    assert len(mailoutbox) == 1
    ModerationPreference.objects.filter(user=digest).update(last_digest_at=timezone.now() - dt.timedelta(hours=21))
    call_command("send_moderation_digests", stdout=out)
    assert len(mailoutbox) == 2


# ---- admin pages ------------------------------------------------------------------------------
def test_category_and_entry_admin_for_administrators_only(client, moderator, category):
    entry = services.entry_create(by=moderator, title="Pantry", category=category, lat=53.8, lng=-1.55)
    client.force_login(moderator)
    refused = client.get("/admin/mapping/category/")  # not staff: the admin asks for a staff login
    assert refused.status_code == 302 and refused["Location"].startswith("/admin/login/")
    admin = UserFactory(role=Role.ADMIN, is_staff=True)
    client.force_login(admin)
    assert client.get("/admin/mapping/category/").status_code == 200
    page = client.get(f"/admin/mapping/category/{category.pk}/change/")
    assert page.status_code == 200 and b"-TOTAL_FORMS" in page.content and b"Choices" in page.content
    page = client.get(f"/admin/mapping/entry/{entry.pk}/change/")
    assert page.status_code == 200 and b"Submitted" in page.content  # the history, read-only
    assert client.get("/admin/mapping/entry/", {"status__exact": "pending", "q": "pan"}).status_code == 200
    # a category in use cannot be deleted (it is made inactive instead)
    assert client.get(f"/admin/mapping/category/{category.pk}/delete/").status_code == 403


def test_bulk_merge_into_one_entry(mod_client, category):
    keep = EntryFactory(category=category, status=EntryStatus.PUBLISHED, title="Village hall")
    a, b = pending(category, 2)
    bulk = reverse("mapping:queue_bulk")
    response = mod_client.post(bulk, {"action": "merge", "entries": [a.pk, b.pk]})
    assert response.status_code == 400 and b"Give the entry to merge them into" in response.content
    response = mod_client.post(bulk, {"action": "merge", "entries": [a.pk, keep.pk], "into": str(keep.pk)})
    assert response.status_code == 400 and b"Untick the entry" in response.content
    response = mod_client.post(bulk, {"action": "merge", "entries": [a.pk, b.pk], "into": "nowhere at all"})
    assert response.status_code == 400 and b"No other entry" in response.content
    assert not Entry.objects.filter(status=EntryStatus.MERGED).exists()
    response = mod_client.post(bulk, {"action": "merge", "entries": [a.pk, b.pk], "into": f"#{keep.pk}"})
    assert response.status_code == 302
    assert set(Entry.objects.filter(status=EntryStatus.MERGED).values_list("merged_into", flat=True)) == {keep.pk}
    assert keep.events.filter(action="merged").count() == 2


def test_huge_numbers_in_urls_and_forms_are_not_errors(mod_client, category):
    huge = 2**64
    assert mod_client.get(f"/map/entries/{huge}/moderate/publish/").status_code == 404
    assert mod_client.get(f"/map/entries/{huge}/edit/").status_code == 404
    assert mod_client.get(f"/map/entries/{huge}/delete/").status_code == 404
    response = mod_client.post(reverse("mapping:queue_bulk"), {"action": "publish", "entries": [str(huge)]})
    assert response.status_code == 400
    entry = pending(category)[0]
    response = mod_client.post(reverse("mapping:moderate", args=[entry.pk, "merge"]), {"into": str(huge)})
    assert response.status_code == 400
