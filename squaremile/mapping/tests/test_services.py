"""The map's write services: submitting, the moderation state machine, history, emails, clusters."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from squaremile.accounts.models import Role
from squaremile.accounts.tests.factories import UserFactory
from squaremile.audit.models import AuditEvent
from squaremile.mapping.cells import clusters
from squaremile.mapping.entries import services
from squaremile.mapping.models import (
    ClusterCell,
    Entry,
    EntryStatus,
)
from squaremile.mapping.tests.factories import CategoryFactory, CategoryQuestionFactory, EntryFactory
from squaremile.notifications.models import Notification, Preference
from squaremile.places.tests.factories import AreaFactory
from squaremile.questions.models import Kind as QuestionKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def member():
    return UserFactory(email="member@example.org")


@pytest.fixture
def moderator():
    return UserFactory(email="mod@example.org", role=Role.MODERATOR)


@pytest.fixture
def category():
    return CategoryFactory(name="Community asset", slug="community-asset")


def make(by, category, **extra):
    data = {"title": "Friday pantry", "category": category, "lat": 53.8, "lng": -1.55, **extra}
    return services.entry_create(by=by, **data)


def counted() -> int:
    """How many published entries the map's coarsest cells count."""
    return sum(ClusterCell.objects.filter(level=0).values_list("count", flat=True))


# ---- creating -------------------------------------------------------------------------------
def test_member_entry_waits_with_history_and_area(member, category):
    area = AreaFactory(lat=53.8, lng=-1.55, half=0.05)
    entry = make(member, category, description="<script>alert(1)</script> hello")
    assert entry.status == EntryStatus.PENDING
    assert entry.owner == member and entry.area == area
    event = entry.events.get()
    assert event.action == "entry.created" and event.actor == member
    assert event.changes["title"] == [None, "Friday pantry"]
    assert event.changes["status"] == [None, "pending"]
    assert counted() == 0


def test_anonymous_refused_unless_the_setting_allows(settings, category):
    settings.MAP_ANONYMOUS_SUBMISSIONS = False
    with pytest.raises(PermissionDenied):
        make(None, category, submitter_email="a@example.org")
    settings.MAP_ANONYMOUS_SUBMISSIONS = True
    with pytest.raises(ValidationError) as err:
        make(None, category)
    assert "submitter_email" in err.value.message_dict
    entry = make(None, category, submitter_name="Ann", submitter_email="ann@example.org")
    assert entry.owner is None and entry.submitter_email == "ann@example.org"
    assert entry.status == EntryStatus.PENDING
    assert entry.events.get().actor is None


def test_signed_in_submitter_cannot_pose_as_someone_else(member, category):
    entry = make(member, category, submitter_name="X", submitter_email="x@example.org")
    assert entry.submitter_email == "" and entry.owner == member


def test_bad_fields_reported_together(member, category):
    with pytest.raises(ValidationError) as err:
        services.entry_create(
            by=member, title="  ", category=category, lat=95, lng=-200,
            start_date=dt.date(2026, 5, 2), end_date=dt.date(2026, 5, 1),
            announced_on=dt.date(2026, 5, 2), takes_effect_on=dt.date(2026, 4, 1),
        )  # fmt: skip
    assert {"title", "lat", "lng", "end_date", "takes_effect_on"} <= set(err.value.message_dict)
    assert not Entry.objects.exists()


def test_inactive_category_refused(member):
    closed = CategoryFactory(is_active=False)
    with pytest.raises(ValidationError) as err:
        make(member, closed)
    assert "category" in err.value.message_dict


# ---- trusted submitters ------------------------------------------------------------------------
def test_auto_publish_for_organisers_only_where_the_category_allows(member, category):
    organiser = UserFactory(role=Role.ORGANISER)
    assert make(organiser, category).status == EntryStatus.PENDING  # category does not allow it
    category.auto_publish_trusted = True
    category.save()
    entry = make(organiser, category)
    assert entry.status == EntryStatus.PUBLISHED and entry.published_at
    assert "trusted" in entry.events.get().note
    assert counted() == 1
    assert make(member, category).status == EntryStatus.PENDING  # a new member is not trusted yet


def test_member_with_a_published_entry_is_trusted(member, moderator, category):
    category.auto_publish_trusted = True
    category.save()
    first = make(member, category)
    assert not services.is_trusted(member)
    services.entry_publish(entry=first, by=moderator)
    assert services.is_trusted(member)
    assert make(member, category).status == EntryStatus.PUBLISHED


# ---- extra questions ------------------------------------------------------------------------
@pytest.fixture
def questions(category):
    return {
        "text": CategoryQuestionFactory(category=category, label="Who runs it?", kind=QuestionKind.TEXT),
        "number": CategoryQuestionFactory(category=category, label="Places", kind=QuestionKind.NUMBER, required=True),
        "choice": CategoryQuestionFactory(
            category=category, label="How often", kind=QuestionKind.CHOICE, choices="Weekly\nMonthly"
        ),
        "date": CategoryQuestionFactory(category=category, label="Since", kind=QuestionKind.DATE),
        "yesno": CategoryQuestionFactory(category=category, label="Step-free?", kind=QuestionKind.YESNO),
    }


def test_answers_are_checked_and_normalised(member, category, questions):
    q = {k: str(v.pk) for k, v in questions.items()}
    entry = make(member, category, answers={
        q["text"]: " The parish ", q["number"]: "1,200", q["choice"]: "weekly", q["date"]: "2024-02-29",
        q["yesno"]: "yes",
    })  # fmt: skip
    assert entry.answers == {q["text"]: "The parish", q["number"]: 1200, q["choice"]: "Weekly",
                             q["date"]: "2024-02-29", q["yesno"]: True}  # fmt: skip
    assert make(member, category, answers={q["number"]: 2.5, q["yesno"]: False}).answers == {
        q["number"]: 2.5, q["yesno"]: False,
    }  # fmt: skip


def test_bad_answers_reported_per_question(member, category, questions):
    q = {k: str(v.pk) for k, v in questions.items()}
    with pytest.raises(ValidationError) as err:
        make(member, category, answers={
            q["number"]: "lots", q["choice"]: "Daily", q["date"]: "31/02/2024", q["yesno"]: "maybe", "999999": "x",
        })  # fmt: skip
    errors = err.value.message_dict
    for key in ("number", "choice", "date", "yesno"):
        assert f"answers.{q[key]}" in errors, key
    assert "answers.999999" in errors
    with pytest.raises(ValidationError) as err:
        make(member, category, answers={q["text"]: "x"})
    assert "needs an answer" in err.value.message_dict[f"answers.{q['number']}"][0]
    assert not Entry.objects.exists()


# ---- moderation state machine ------------------------------------------------------------------
def test_publish_reject_archive_restore_with_history_and_clusters(member, moderator, category, mailoutbox,
                                                                   django_capture_on_commit_callbacks):  # fmt: skip
    entry = make(member, category)
    services.entry_publish(entry=entry, by=moderator)
    entry.refresh_from_db()
    assert entry.status == EntryStatus.PUBLISHED and entry.published_at
    assert counted() == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.entry_reject(entry=entry, by=moderator, reason="Not in our area.")
    entry.refresh_from_db()
    assert entry.status == EntryStatus.REJECTED and entry.rejection_reason == "Not in our area."
    assert counted() == 0
    rejected = [m for m in mailoutbox if "not published" in m.subject]
    assert len(rejected) == 1 and rejected[0].to == ["member@example.org"]
    assert "Not in our area." in rejected[0].body and "/map/entries/" in rejected[0].body
    services.entry_publish(entry=entry, by=moderator)
    services.entry_archive(entry=entry, by=moderator, note="Closed down")
    assert counted() == 0
    services.entry_restore(entry=entry, by=moderator)
    entry.refresh_from_db()
    assert entry.status == EntryStatus.PUBLISHED and counted() == 1
    actions = list(entry.events.order_by("created_at", "id").values_list("action", flat=True))
    assert actions == [f"entry.{a}" for a in ("created", "published", "rejected", "published", "archived", "restored")]
    archived = entry.events.get(action="entry.archived")
    assert archived.actor == moderator and archived.note == "Closed down"
    assert archived.changes["status"] == ["published", "archived"]


@pytest.mark.parametrize(
    "status,action",
    [
        ("published", "publish"), ("archived", "publish"), ("merged", "publish"), ("rejected", "reject"),
        ("archived", "reject"), ("archived", "archive"), ("published", "restore"), ("pending", "restore"),
        ("rejected", "verify"), ("merged", "archive"),
    ],
)  # fmt: skip
def test_refused_transitions(moderator, category, status, action):
    entry = EntryFactory(category=category, status=status)
    kwargs = {"reason": "x"} if action == "reject" else {}
    func = getattr(services, f"entry_{action}")
    with pytest.raises(ValidationError) as err:
        func(entry=entry, by=moderator, **kwargs)
    assert "status" in err.value.message_dict
    assert not entry.events.exists()


def test_reject_needs_a_reason(moderator, category):
    entry = EntryFactory(category=category, status=EntryStatus.PENDING)
    with pytest.raises(ValidationError) as err:
        services.entry_reject(entry=entry, by=moderator, reason="   ")
    assert "reason" in err.value.message_dict
    entry.refresh_from_db()
    assert entry.status == EntryStatus.PENDING


def test_members_cannot_moderate(member, category):
    entry = EntryFactory(category=category, status=EntryStatus.PENDING, owner=member)
    for func in (services.entry_publish, services.entry_verify, services.entry_archive):
        with pytest.raises(PermissionDenied):
            func(entry=entry, by=member)
    with pytest.raises(PermissionDenied):
        services.entry_reject(entry=entry, by=member, reason="no")


def test_verify_and_unverify(moderator, category):
    entry = EntryFactory(category=category, status=EntryStatus.PUBLISHED)
    clusters.rebuild()
    services.entry_verify(entry=entry, by=moderator)
    entry.refresh_from_db()
    assert entry.verified and entry.verified_at
    assert ClusterCell.objects.filter(level=0, verified=True).get().count == 1
    with pytest.raises(ValidationError):
        services.entry_verify(entry=entry, by=moderator)
    services.entry_unverify(entry=entry, by=moderator)
    entry.refresh_from_db()
    assert not entry.verified
    assert entry.events.get(action="entry.verified").changes["verified"] == [False, True]


def test_merge_moves_photos_links_and_writes_both_histories(moderator, category, tmp_path):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from squaremile.directory.tests.factories import OrganisationFactory

    buf = io.BytesIO()
    Image.new("RGB", (20, 10), "red").save(buf, "PNG")
    org = OrganisationFactory()
    keep = EntryFactory(category=category, status=EntryStatus.PUBLISHED, title="Hall")
    dupe = make(moderator, category, title="The hall", organisation=org,
                photos=[SimpleUploadedFile("a.png", buf.getvalue(), "image/png")])  # fmt: skip
    older = EntryFactory(category=category, status=EntryStatus.MERGED, merged_into=dupe)
    clusters.rebuild()
    services.entry_merge(entry=dupe, into=keep, by=moderator)
    dupe.refresh_from_db()
    keep.refresh_from_db()
    older.refresh_from_db()
    assert dupe.status == EntryStatus.MERGED and dupe.merged_into == keep
    assert keep.organisation == org and keep.attachments.count() == 1 and dupe.attachments.count() == 0
    assert older.merged_into == keep
    assert "Merged into" in dupe.events.get(action="entry.merged").note
    into_event = keep.events.get(action="entry.merged")
    assert "Took in" in into_event.note and into_event.changes["photos"] == [0, 1]
    assert into_event.actor == moderator
    assert counted() == 1
    with pytest.raises(ValidationError):
        services.entry_merge(entry=keep, into=keep, by=moderator)
    with pytest.raises(ValidationError):
        services.entry_merge(entry=keep, into=dupe, by=moderator)  # merged entries cannot take others in


# ---- bulk ------------------------------------------------------------------------------------
def test_bulk_is_all_or_nothing(moderator, category):
    a = EntryFactory(category=category, status=EntryStatus.PENDING, title="A")
    b = EntryFactory(category=category, status=EntryStatus.PENDING, title="B")
    c = EntryFactory(category=category, status=EntryStatus.PUBLISHED, title="C")
    with pytest.raises(ValidationError) as err:
        services.entries_bulk(action="publish", entries=[a, b, c], by=moderator)
    assert "“C”" in " ".join(err.value.message_dict["entries"])
    assert Entry.objects.filter(status=EntryStatus.PENDING).count() == 2
    assert not AuditEvent.objects.exists()
    assert services.entries_bulk(action="publish", entries=[a, b], by=moderator) == 2
    assert Entry.objects.filter(status=EntryStatus.PUBLISHED).count() == 3
    assert counted() == 2  # C was made by a factory without the cells; a and b went through apply


def test_bulk_reject_needs_a_reason_and_emails_each(moderator, category, mailoutbox,
                                                     django_capture_on_commit_callbacks):  # fmt: skip
    a = EntryFactory(category=category, status=EntryStatus.PENDING, submitter_email="a@example.org")
    b = EntryFactory(category=category, status=EntryStatus.PENDING, owner=UserFactory(email="b@example.org"))
    with pytest.raises(ValidationError):
        services.entries_bulk(action="reject", entries=[a, b], by=moderator, reason="")
    with django_capture_on_commit_callbacks(execute=True):
        services.entries_bulk(action="reject", entries=[a, b], by=moderator, reason="Duplicate")
    assert sorted(m.to[0] for m in mailoutbox) == ["a@example.org", "b@example.org"]


# ---- editing ------------------------------------------------------------------------------------
def test_owner_edit_of_published_entry_goes_back_to_the_queue(member, moderator, category):
    entry = make(member, category)
    services.entry_publish(entry=entry, by=moderator)
    services.entry_update(entry=entry, by=member, data={"title": "Friday food pantry", "lat": 53.81})
    entry.refresh_from_db()
    assert entry.status == EntryStatus.PENDING and counted() == 0
    edit = entry.events.get(action="entry.edited")
    assert edit.actor == member and edit.changes["title"] == ["Friday pantry", "Friday food pantry"]
    assert edit.changes["status"] == ["published", "pending"]
    services.entry_update(entry=entry, by=moderator, data={"title": "Pantry"})
    entry.refresh_from_db()
    assert entry.status == EntryStatus.PENDING  # a moderator's edit does not publish it either


def test_others_cannot_edit_or_delete(member, category):
    entry = make(member, category)
    stranger = UserFactory()
    with pytest.raises(PermissionDenied):
        services.entry_update(entry=entry, by=stranger, data={"title": "Mine now"})
    with pytest.raises(PermissionDenied):
        services.entry_delete(entry=entry, by=stranger)
    services.entry_delete(entry=entry, by=member)
    assert not Entry.objects.exists()
    # the history outlives the entry, under its title, ending with who deleted it
    deleted = AuditEvent.objects.filter(object_id=entry.pk).first()
    assert deleted.action == "entry.deleted" and deleted.actor == member and deleted.target_label == entry.title


def test_owner_cannot_edit_archived_entry(member, moderator, category):
    entry = make(member, category)
    services.entry_archive(entry=entry, by=moderator)
    with pytest.raises(PermissionDenied):
        services.entry_update(entry=entry, by=member, data={"title": "Back"})


def test_delete_of_published_entry_leaves_the_map(moderator, category):
    entry = make(moderator, category)
    services.entry_publish(entry=entry, by=moderator)
    assert counted() == 1
    services.entry_delete(entry=entry, by=moderator)
    assert counted() == 0


# ---- notifications -----------------------------------------------------------------------------
def test_moderators_told_at_once_or_not(member, category, mailoutbox, django_capture_on_commit_callbacks):
    at_once = UserFactory(email="now@example.org", role=Role.MODERATOR)
    digest = UserFactory(email="digest@example.org", role=Role.ADMIN)
    off = UserFactory(email="off@example.org", role=Role.MODERATOR)
    UserFactory(email="organiser@example.org", role=Role.ORGANISER)
    Preference.objects.create(user=digest, kind="mapping.entry_waiting", delivery="daily")
    Preference.objects.create(user=off, kind="mapping.entry_waiting", delivery="off")
    with django_capture_on_commit_callbacks(execute=True):
        entry = make(member, category)
    assert [m.to for m in mailoutbox] == [[at_once.email]]
    # every moderator sees it under the bell, whatever they chose for e-mail; the organiser does not
    told = Notification.objects.filter(kind="mapping.entry_waiting", target_id=entry.pk)
    assert sorted(told.values_list("recipient__email", "delivery")) == [
        ("digest@example.org", "daily"), ("now@example.org", "immediate"), ("off@example.org", "off"),
    ]  # fmt: skip
    body = mailoutbox[0].body
    assert "Friday pantry" in body and f"/map/entries/{entry.pk}/" in body and "/map/queue/" in body
    assert body.count("http") >= 2
    assert mailoutbox[0].alternatives and "text/html" in mailoutbox[0].alternatives[0][1]


def test_submitter_told_when_published_once(member, moderator, category, mailoutbox,
                                             django_capture_on_commit_callbacks):  # fmt: skip
    entry = make(member, category)
    with django_capture_on_commit_callbacks(execute=True):
        services.entry_publish(entry=entry, by=moderator)
    published = [m for m in mailoutbox if "is on the map" in m.subject]
    assert [m.to for m in published] == [["member@example.org"]]
    assert f"/map/entries/{entry.pk}/" in published[0].body
    with django_capture_on_commit_callbacks(execute=True):  # archived and restored: not again
        services.entry_archive(entry=entry, by=moderator)
        services.entry_restore(entry=entry, by=moderator)
    assert len([m for m in mailoutbox if "is on the map" in m.subject]) == 1
    own = make(moderator, category)
    with django_capture_on_commit_callbacks(execute=True):  # publishing one's own: no email to oneself
        services.entry_publish(entry=own, by=moderator)
    assert len([m for m in mailoutbox if "is on the map" in m.subject]) == 1


def test_nothing_is_sent_for_a_rolled_back_change(member, moderator, category, mailoutbox,
                                                   django_capture_on_commit_callbacks):  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        make(member, category, lat=500)
    assert mailoutbox == []


def test_entry_in_a_closed_category_can_still_be_edited(member, category):
    entry = make(member, category)
    category.is_active = False
    category.save()
    services.entry_update(entry=entry, by=member, data={"title": "Still here", "category": category})
    entry.refresh_from_db()
    assert entry.title == "Still here"
    with pytest.raises(ValidationError):
        services.entry_update(entry=entry, by=member, data={"category": CategoryFactory(is_active=False)})
