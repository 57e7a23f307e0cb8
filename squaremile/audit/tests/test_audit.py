"""The audit log: record, diff, history, the include, the admin, and the migration of the map's history."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.template import Context, Template
from django.utils import timezone

from squaremile.accounts.models import Role
from squaremile.accounts.tests.factories import UserFactory
from squaremile.audit import registry
from squaremile.audit.models import AuditEvent
from squaremile.audit.selectors import history_for
from squaremile.audit.services import diff, record, snapshot
from squaremile.mapping.tests.factories import EntryFactory

pytestmark = pytest.mark.django_db


def test_record_and_history_survive_deletion():
    person = UserFactory()
    entry = EntryFactory(title="Pantry")
    record(actor=person, action="entry.edited", target=entry, changes={"title": ["Old", "Pantry"]}, note="Typo")
    record(actor=None, action="entry.published", target=entry)
    events = list(history_for(entry))
    assert [e.action for e in events] == ["entry.published", "entry.edited"]
    assert events[1].actor == person and events[1].changes == {"title": ["Old", "Pantry"]} and events[1].note == "Typo"
    pk = entry.pk
    model = type(entry)
    entry.delete()
    kept = list(history_for(None, model=model, pk=pk))
    assert len(kept) == 2 and kept[0].target_label == "Pantry"


def test_record_refuses_a_bare_action():
    with pytest.raises(ValueError):
        record(actor=None, action="published", target=EntryFactory())


def test_snapshot_and_diff():
    entry = EntryFactory(title="A", start_date=dt.date(2026, 1, 2))
    before = snapshot(entry, ["title", "start_date", "category"])
    entry.title = "B"
    after = snapshot(entry, ["title", "start_date", "category"])
    assert before["start_date"] == "2026-01-02" and before["category"] == str(entry.category)
    assert diff(before, after) == {"title": ["A", "B"]}


def test_labels_registered_or_from_the_words():
    registry.register("thing.poked", "Poked gently")
    assert registry.label_for("thing.poked") == "Poked gently"
    assert registry.label_for("organisation.changed") == "Changed"
    assert registry.label_for("survey.sent_out") == "Sent out"


def test_history_include_reads_one_line_per_event_and_hides_photo_names(django_assert_max_num_queries):
    person = UserFactory()
    entry = EntryFactory()
    record(actor=person, action="entry.photo_added", target=entry, changes={"photos": [0, 1]})
    record(actor=person, action="entry.edited", target=entry, changes={"title": ["Old", "New"]})
    template = Template('{% include "audit/includes/_history.html" with target=entry %}')
    with django_assert_max_num_queries(2):
        html = template.render(Context({"entry": entry}))
    assert "A photo was added" in html and "Photos:" not in html
    assert "Title: Old → New" in html and str(person) in html


def test_admin_lists_events_for_administrators_only(client):
    entry = EntryFactory()
    record(actor=None, action="entry.published", target=entry)
    client.force_login(UserFactory(role=Role.MODERATOR))
    assert client.get("/admin/audit/auditevent/").status_code == 302
    client.force_login(UserFactory(role=Role.ADMIN, is_staff=True))
    page = client.get("/admin/audit/auditevent/?action=entry.published")
    assert page.status_code == 200 and entry.title.encode() in page.content
    assert client.get(f"/admin/audit/auditevent/{AuditEvent.objects.get().pk}/change/").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_entry_events_move_into_the_audit_log_and_back():
    """mapping 0008 copies EntryEvent rows into AuditEvent (photo file names dropped) and back."""
    executor = MigrationExecutor(connection)
    old = [("mapping", "0007_entry_date_columns")]
    new = [("mapping", "0008_entry_history_to_audit")]
    executor.migrate(old)
    apps = executor.loader.project_state(old).apps
    User = apps.get_model("accounts", "User")
    Category = apps.get_model("mapping", "Category")
    Entry = apps.get_model("mapping", "Entry")
    EntryEvent = apps.get_model("mapping", "EntryEvent")
    person = User.objects.create(email="mover@example.org", role="moderator")
    category = Category.objects.create(name="Moving", slug="moving")
    entry = Entry.objects.create(title="Hall", category=category, lat=52.6, lng=-1.1, status="published")
    EntryEvent.objects.create(entry=entry, actor=person, action="created", changes={"title": [None, "Hall"]})
    EntryEvent.objects.create(entry=entry, actor=person, action="photo_added", note="entries/1/abc123.jpg")
    EntryEvent.objects.create(entry=entry, actor=person, action="published", note="Fine")
    when = timezone.now() - dt.timedelta(days=30)
    EntryEvent.objects.filter(action="created").update(created_at=when)

    executor = MigrationExecutor(connection)
    executor.migrate(new)
    apps = executor.loader.project_state(new).apps
    Audit = apps.get_model("audit", "AuditEvent")
    rows = list(Audit.objects.filter(object_id=entry.pk).order_by("id").values("action", "note", "actor_id"))
    assert [r["action"] for r in rows] == ["entry.created", "entry.photo_added", "entry.published"]
    assert rows[1]["note"] == "" and rows[2]["note"] == "Fine" and rows[0]["actor_id"] == person.pk
    assert Audit.objects.get(action="entry.created").created_at == when
    assert Audit.objects.get(action="entry.created").target_label == "Hall"

    executor = MigrationExecutor(connection)
    executor.migrate(old)
    apps = executor.loader.project_state(old).apps
    EntryEvent = apps.get_model("mapping", "EntryEvent")
    back = list(EntryEvent.objects.order_by("id").values_list("action", flat=True))
    assert back == ["created", "photo_added", "published"]
    assert EntryEvent.objects.get(action="created").created_at == when
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


# ---- what other apps record -----------------------------------------------------------------------
def test_role_changes_are_recorded():
    from squaremile.accounts.services import role_set

    admin = UserFactory(role=Role.ADMIN)
    person = UserFactory()
    role_set(user=person, role=Role.MODERATOR, by=admin)
    event = history_for(person).get()
    assert event.action == "role.changed" and event.actor == admin
    assert event.changes == {"role": ["member", "moderator"]}


def test_directory_edits_and_deletes_are_recorded():
    from squaremile.directory.services import organisation_create, organisation_delete, organisation_update

    owner = UserFactory()
    org = organisation_create(by=owner, data={"name": "Food Bank", "description": "Food."})
    organisation_update(organisation=org, by=owner, data={"name": "Town Food Bank"})
    pk = org.pk
    organisation_delete(organisation=org, by=owner)
    events = list(history_for(None, model=type(org), pk=pk))
    assert [e.action for e in events] == ["organisation.deleted", "organisation.changed", "organisation.created"]
    assert events[1].changes["name"] == ["Food Bank", "Town Food Bank"] and events[0].target_label == "Town Food Bank"
