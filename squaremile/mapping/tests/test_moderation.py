"""The moderation queue and actions (pages), the detail page's panel and history, the email
preference page and the daily digest command."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from squaremile.accounts.models import Role
from squaremile.accounts.tests.factories import UserFactory
from squaremile.mapping.entries import services
from squaremile.mapping.models import Entry, EntryStatus
from squaremile.mapping.tests.factories import CategoryFactory, EntryFactory
from squaremile.notifications.models import Preference

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


# ---- the map's queue is the one moderation queue ----------------------------------------------
def test_old_queue_address_leads_to_the_one_queue(client, category):
    """The queue itself is tested in squaremile/moderation/tests/test_queue.py."""
    assert client.get(QUEUE).status_code == 302  # to the login page
    for role in (Role.MEMBER, Role.ORGANISER):
        client.force_login(UserFactory(role=role))
        assert client.get(QUEUE).status_code == 403
        entry = pending(category)[0]
        assert client.post(reverse("mapping:moderate", args=[entry.pk, "publish"])).status_code == 403
        assert client.get(reverse("mapping:moderation_settings")).status_code == 403
    client.force_login(UserFactory(role=Role.ADMIN))
    response = client.get(QUEUE, {"status": "rejected", "q": "hall"})
    assert response.status_code == 302 and response["Location"] == "/moderation/?kind=entry&state=rejected&q=hall"
    assert client.get(response["Location"]).status_code == 200


# ---- single actions ---------------------------------------------------------------------------
def test_publish_from_the_queue(mod_client, moderator, category):
    entry = pending(category)[0]
    response = mod_client.post(reverse("mapping:moderate", args=[entry.pk, "publish"]), {"next": QUEUE})
    assert response.status_code == 302 and response["Location"] == QUEUE
    entry.refresh_from_db()
    assert entry.status == EntryStatus.PUBLISHED
    assert entry.events.get(action="entry.published").actor == moderator


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
def test_moderator_email_choice_is_on_the_notifications_page(mod_client, moderator):
    page = mod_client.get(reverse("mapping:moderation_settings"))
    assert page.status_code == 302 and page.url == reverse("notifications:preferences")
    form = mod_client.get(page.url)
    assert b"A new map entry waits for moderation" in form.content


def test_moderators_daily_digest_lists_what_waits_once(category, mailoutbox, django_capture_on_commit_callbacks):
    digest = UserFactory(email="digest@example.org", role=Role.MODERATOR)
    UserFactory(email="now@example.org", role=Role.MODERATOR)  # straight away: no digest
    Preference.objects.create(user=digest, kind="mapping.entry_waiting", delivery="daily")
    out = StringIO()
    call_command("send_digests", "--period", "daily", stdout=out)
    assert "Sent 0 daily digests" in out.getvalue() and mailoutbox == []  # nothing waits
    with django_capture_on_commit_callbacks(execute=True):
        entries = [services.entry_create(by=UserFactory(), title=f"Waiting {i}", category=category, lat=52.6,
                                         lng=-1.1) for i in range(3)]  # fmt: skip
    mailoutbox.clear()  # the "straight away" moderator's mails
    Entry.objects.filter(pk=entries[0].pk).update(status=EntryStatus.PUBLISHED)  # decided since: left out
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_digests", "--period", "daily", stdout=out)
    assert [m.to for m in mailoutbox] == [["digest@example.org"]]
    body = mailoutbox[0].body
    assert "Waiting 1" in body and "Waiting 2" in body and "Waiting 0" not in body
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_digests", "--period", "daily", stdout=out)  # not twice
    assert len(mailoutbox) == 1


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


def test_bulk_merge_into_one_entry(moderator, category):
    from django.core.exceptions import ValidationError

    keep = EntryFactory(category=category, status=EntryStatus.PUBLISHED, title="Village hall")
    a, b = pending(category, 2)
    with pytest.raises(ValidationError, match="Give the entry to merge them into"):
        services.entries_bulk(action="merge", entries=[a, b], by=moderator)
    with pytest.raises(ValidationError, match="Untick the entry"):
        services.entries_bulk(action="merge", entries=[a, keep], by=moderator, into=keep)
    assert not Entry.objects.filter(status=EntryStatus.MERGED).exists()
    assert services.entries_bulk(action="merge", entries=[a, b], by=moderator, into=keep) == 2
    assert set(Entry.objects.filter(status=EntryStatus.MERGED).values_list("merged_into", flat=True)) == {keep.pk}
    assert keep.events.filter(action="entry.merged").count() == 2


def test_huge_numbers_in_urls_and_forms_are_not_errors(mod_client, category):
    huge = 2**64
    assert mod_client.get(f"/map/entries/{huge}/moderate/publish/").status_code == 404
    assert mod_client.get(f"/map/entries/{huge}/edit/").status_code == 404
    assert mod_client.get(f"/map/entries/{huge}/delete/").status_code == 404
    response = mod_client.post(reverse("moderation:bulk"), {"action": "publish", "items": [f"entry:{huge}"]})
    assert response.status_code == 400
    entry = pending(category)[0]
    response = mod_client.post(reverse("mapping:moderate", args=[entry.pk, "merge"]), {"into": str(huge)})
    assert response.status_code == 400
