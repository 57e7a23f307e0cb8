"""Moderation actions (check/execute), the registry, and reports with the hide-after-N rule."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from squaremile.accounts.models import Role
from squaremile.accounts.tests.factories import UserFactory
from squaremile.audit.selectors import history_for
from squaremile.mapping.cells import clusters
from squaremile.mapping.models import ClusterCell, EntryStatus
from squaremile.mapping.tests.factories import EntryFactory
from squaremile.moderation import registry, services
from squaremile.moderation.models import ModerationState, Report, ReportOutcome

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator():
    return UserFactory(role=Role.MODERATOR)


@pytest.fixture
def entry():
    e = EntryFactory(status=EntryStatus.PUBLISHED, title="Corner shop")
    clusters.rebuild()
    return e


def on_map() -> int:
    return sum(ClusterCell.objects.filter(level=0).values_list("count", flat=True))


def test_entry_states_are_the_shared_ones():
    for state in ModerationState.values:
        assert state in EntryStatus.values
    assert registry.get("entry").permission == "entry.moderate"


def test_check_says_why_and_execute_audits(moderator, entry):
    config = registry.for_object(entry)
    publish, hide = config.actions["publish"], config.actions["hide"]
    assert "it is published" in publish.check(moderator, entry)
    assert hide.check(UserFactory(), entry) == "Only moderators can do this."
    assert hide.check(moderator, entry) is None
    hide.execute(user=moderator, obj=entry, note="Checking")
    entry.refresh_from_db()
    assert entry.status == ModerationState.HIDDEN and on_map() == 0
    event = history_for(entry).first()
    assert event.action == "entry.hidden" and event.actor == moderator and event.note == "Checking"
    assert event.changes["status"] == ["published", "hidden"]
    config.actions["restore"].execute(user=moderator, obj=entry)
    entry.refresh_from_db()
    assert entry.status == ModerationState.PUBLISHED and on_map() == 1


def test_execute_refuses_people_and_wrong_states(moderator, entry):
    reject = registry.get("entry").actions["reject"]
    with pytest.raises(PermissionDenied):
        reject.execute(user=UserFactory(), obj=entry, note="No")
    with pytest.raises(ValidationError) as err:
        reject.execute(user=moderator, obj=entry, note="")
    assert "reason" in err.value.message_dict
    with pytest.raises(ValidationError):
        registry.get("entry").actions["restore"].execute(user=moderator, obj=entry)
    entry.refresh_from_db()
    assert entry.status == EntryStatus.PUBLISHED and not history_for(entry).exists()


def test_unregistered_model_is_a_lookup_error():
    with pytest.raises(LookupError):
        registry.for_object(UserFactory())


# ---- reports -----------------------------------------------------------------------------------
def test_three_different_people_hide_it_the_same_person_twice_does_not_count(entry, settings):
    settings.MODERATION_HIDE_AFTER_REPORTS = 3
    first, second, third = UserFactory(), UserFactory(), UserFactory()
    services.report(user=first, target=entry, reason="spam")
    with pytest.raises(ValidationError, match="already reported"):
        services.report(user=first, target=entry, reason="wrong")
    services.report(user=second, target=entry, reason="offensive")
    entry.refresh_from_db()
    assert entry.status == EntryStatus.PUBLISHED and on_map() == 1
    services.report(user=third, target=entry, reason="other", text="Not a real place")
    entry.refresh_from_db()
    assert entry.status == EntryStatus.HIDDEN and on_map() == 0  # off the map, lists and feeds
    event = history_for(entry).first()
    assert event.action == "entry.hidden" and event.actor is None and "3 people" in event.note
    assert Report.objects.filter(outcome=ReportOutcome.OPEN).count() == 3


def test_threshold_is_a_setting(entry, settings):
    settings.MODERATION_HIDE_AFTER_REPORTS = 1
    services.report(user=UserFactory(), target=entry, reason="spam")
    entry.refresh_from_db()
    assert entry.status == EntryStatus.HIDDEN


def test_reports_need_a_person_a_reason_and_a_public_record(entry):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        services.report(user=AnonymousUser(), target=entry, reason="spam")
    with pytest.raises(ValidationError):
        services.report(user=UserFactory(), target=entry, reason="because")
    with pytest.raises(ValidationError, match="few words"):
        services.report(user=UserFactory(), target=entry, reason="other", text="  ")
    waiting = EntryFactory(status=EntryStatus.PENDING)
    with pytest.raises(ValidationError, match="nothing to report"):
        services.report(user=UserFactory(), target=waiting, reason="spam")


@pytest.mark.parametrize(("decision", "outcome", "state"), [
    ("restore", ReportOutcome.KEPT, EntryStatus.PUBLISHED),
    ("reject", ReportOutcome.REMOVED, EntryStatus.REJECTED),
])  # fmt: skip
def test_moderator_decides_and_reporters_are_told(
    entry, moderator, settings, mailoutbox, django_capture_on_commit_callbacks, decision, outcome, state
):
    settings.MODERATION_HIDE_AFTER_REPORTS = 2
    reporters = [UserFactory(email=f"r{i}@example.org") for i in range(2)]
    for person in reporters:
        services.report(user=person, target=entry, reason="wrong")
    entry.refresh_from_db()
    assert entry.status == EntryStatus.HIDDEN
    with django_capture_on_commit_callbacks(execute=True):
        services.take(kind="entry", action=decision, user=moderator, obj=entry, note="Looked at it")
    entry.refresh_from_db()
    assert entry.status == state
    assert set(Report.objects.values_list("outcome", flat=True)) == {outcome}
    assert set(Report.objects.values_list("resolved_by", flat=True)) == {moderator.pk}
    told = [m for m in mailoutbox if m.to[0] in {"r0@example.org", "r1@example.org"}]
    assert len(told) == 2 and "report" in told[0].subject.lower()
    if state == EntryStatus.PUBLISHED:  # after the decision, a new report is a new report
        services.report(user=reporters[0], target=entry, reason="spam")


def test_bulk_is_all_or_nothing(moderator):
    a = EntryFactory(status=EntryStatus.PENDING)
    b = EntryFactory(status=EntryStatus.PENDING)
    gone = EntryFactory(status=EntryStatus.ARCHIVED, title="Gone")
    with pytest.raises(ValidationError) as err:
        services.bulk(action="publish", items=[a, b, gone], user=moderator)
    assert any("“Gone”" in m for m in err.value.message_dict["items"])
    a.refresh_from_db()
    assert a.status == EntryStatus.PENDING
    assert services.bulk(action="publish", items=[a, b], user=moderator) == 2
    with pytest.raises(ValidationError):
        services.bulk(action="reject", items=[gone], user=moderator, note="")


def test_owners_do_not_report_their_own_and_deleting_forgets_reports(entry):
    from squaremile.mapping.entries import services as map_services

    owner = UserFactory()
    entry.owner = owner
    entry.save()
    assert not services.may_report(owner, entry)
    with pytest.raises(ValidationError, match="This is yours"):
        services.report(user=owner, target=entry, reason="spam")
    services.report(user=UserFactory(), target=entry, reason="spam")
    map_services.entry_delete(entry=entry, by=owner)
    assert not Report.objects.exists()
