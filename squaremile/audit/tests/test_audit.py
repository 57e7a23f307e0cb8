"""The audit log: record, diff, history, the include, the admin, and the migration of the map's history."""

import datetime as dt

import pytest
from django.template import Context, Template

from squaremile.accounts.models import Role
from squaremile.accounts.tests.factories import UserFactory
from squaremile.audit import registry
from squaremile.audit.models import AuditEvent
from squaremile.audit.selectors import history_for
from squaremile.audit.services import diff, record, snapshot
from squaremile.places.tests.factories import AreaFactory

pytestmark = pytest.mark.django_db


def test_record_and_history_survive_deletion():
    person = UserFactory()
    area = AreaFactory(name="Pantry")
    record(actor=person, action="area.edited", target=area, changes={"title": ["Old", "Pantry"]}, note="Typo")
    record(actor=None, action="area.published", target=area)
    events = list(history_for(area))
    assert [e.action for e in events] == ["area.published", "area.edited"]
    assert events[1].actor == person and events[1].changes == {"title": ["Old", "Pantry"]} and events[1].note == "Typo"
    pk = area.pk
    model = type(area)
    area.delete()
    kept = list(history_for(None, model=model, pk=pk))
    assert len(kept) == 2 and kept[0].target_label == "Pantry"


def test_record_refuses_a_bare_action():
    with pytest.raises(ValueError):
        record(actor=None, action="published", target=AreaFactory())


def test_snapshot_and_diff():
    area = AreaFactory(name="A")
    area.parent = AreaFactory(name="Town")
    area.created = dt.date(2026, 1, 2)  # a date, as a date field would hold
    before = snapshot(area, ["name", "parent", "created"])
    area.name = "B"
    after = snapshot(area, ["name", "parent", "created"])
    assert before["created"] == "2026-01-02" and before["parent"] == "Town"
    assert diff(before, after) == {"name": ["A", "B"]}


def test_labels_registered_or_from_the_words():
    registry.register("thing.poked", "Poked gently")
    assert registry.label_for("thing.poked") == "Poked gently"
    assert registry.label_for("organisation.changed") == "Changed"
    assert registry.label_for("survey.sent_out") == "Sent out"


def test_history_include_reads_one_line_per_event_and_hides_photo_names(django_assert_max_num_queries):
    person = UserFactory()
    area = AreaFactory()
    registry.register("area.photo_added", "A photo was added", show_changes=False)
    record(actor=person, action="area.photo_added", target=area, changes={"photos": [0, 1]})
    record(actor=person, action="area.edited", target=area, changes={"title": ["Old", "New"]})
    template = Template('{% include "audit/includes/_history.html" with target=area %}')
    with django_assert_max_num_queries(2):
        html = template.render(Context({"area": area}))
    assert "A photo was added" in html and "Photos:" not in html
    assert "Title: Old → New" in html and str(person) in html


def test_admin_lists_events_for_administrators_only(client):
    area = AreaFactory()
    record(actor=None, action="area.published", target=area)
    client.force_login(UserFactory(role=Role.MODERATOR))
    assert client.get("/admin/audit/auditevent/").status_code == 302
    client.force_login(UserFactory(role=Role.ADMIN, is_staff=True))
    page = client.get("/admin/audit/auditevent/?action=area.published")
    assert page.status_code == 200 and area.name.encode() in page.content
    assert client.get(f"/admin/audit/auditevent/{AuditEvent.objects.get().pk}/change/").status_code == 200


# ---- what other apps record -----------------------------------------------------------------------
def test_role_changes_are_recorded():
    from squaremile.accounts.services import role_set

    admin = UserFactory(role=Role.ADMIN)
    person = UserFactory()
    role_set(user=person, role=Role.MODERATOR, by=admin)
    event = history_for(person).get()
    assert event.action == "role.changed" and event.actor == admin
    assert event.changes == {"role": ["member", "moderator"]}
