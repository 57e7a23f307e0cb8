"""mapping 0008: the entries' history moves into the audit log, and back."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone


@pytest.fixture(autouse=True)
def _back_to_the_latest_schema(transactional_db):
    """Whatever happens in the test, leave the database at the latest migrations (a later test's
    flush cannot empty tables of an older schema on PostgreSQL)."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


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
