"""The events' rules, through the services: registration and the waiting list, guests, the grid's
clashes, reports, closing and the proceedings, actions and reminders."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from squaremile.accounts.models import Role
from squaremile.accounts.tests.factories import UserFactory
from squaremile.core import spaces
from squaremile.events import services
from squaremile.events.models import ActionStatus, Answer, EventStatus, Registration
from squaremile.events.tests.factories import (
    ActionFactory,
    EventFactory,
    OpenSpaceFactory,
    RegistrationFactory,
    RoomFactory,
    SessionFactory,
    SlotFactory,
)
from squaremile.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_full_event_puts_people_on_the_waiting_list_and_promotes_them():
    event = EventFactory(capacity=2)
    a, b, c = UserFactory(), UserFactory(), UserFactory()
    assert services.register(event=event, user=a, answer=Answer.GOING).answer == Answer.GOING
    assert services.register(event=event, user=b, answer=Answer.GOING).answer == Answer.GOING
    assert services.register(event=event, user=c, answer=Answer.GOING).answer == Answer.WAITING
    services.register(event=event, user=a, answer=Answer.CANT)
    assert Registration.objects.get(event=event, user=c).answer == Answer.GOING
    assert Notification.objects.filter(recipient=c, kind="events.promoted").exists()


def test_raising_the_capacity_promotes_the_waiting_list():
    event = EventFactory(capacity=1)
    services.register(event=event, user=UserFactory(), answer=Answer.GOING)
    waiting = services.register(event=event, user=UserFactory(), answer=Answer.GOING)
    assert waiting.answer == Answer.WAITING
    services.event_update(event=event, by=event.owner, data={"capacity": 2})
    waiting.refresh_from_db()
    assert waiting.answer == Answer.GOING


def test_guest_registers_by_email_and_confirms_by_signed_link():
    event = EventFactory(capacity=1)
    registration = services.guest_register(event=event, name="Ada", email="Ada@Example.org", answer=Answer.GOING)
    assert not registration.confirmed and registration.email == "ada@example.org"
    assert services.going_count(event) == 0  # not counted before confirmation
    confirmed = services.guest_confirm(token=services.guest_token(registration))
    assert confirmed.confirmed and confirmed.answer == Answer.GOING
    with pytest.raises(ValidationError):
        services.guest_confirm(token=services.guest_token(registration) + "x")


def test_online_link_only_for_the_registered():
    from squaremile.events.selectors import may_see_link

    event = OpenSpaceFactory()
    person = UserFactory()
    assert not may_see_link(person, event)
    services.register(event=event, user=person, answer=Answer.MAYBE)
    assert may_see_link(person, event)


def test_changes_and_cancellation_are_told_to_everyone_registered():
    event = EventFactory()
    member = RegistrationFactory(event=event).user
    guest = services.guest_register(event=event, name="G", email="g@example.org", answer=Answer.GOING)
    services.guest_confirm(token=services.guest_token(guest))
    mail.outbox.clear()
    services.event_update(
        event=event,
        by=event.owner,
        data={"starts_at": event.starts_at + dt.timedelta(hours=1), "ends_at": event.ends_at + dt.timedelta(hours=1)},
    )
    assert Notification.objects.filter(recipient=member, kind="events.changed").exists()
    services.event_cancel(event=event, by=event.owner, reason="The hall flooded")
    assert Notification.objects.filter(recipient=member, kind="events.cancelled").exists()
    assert event.status == EventStatus.CANCELLED


def _grid(event, slots=1, rooms=2):
    return [SlotFactory(event=event, starts_at=event.starts_at + dt.timedelta(hours=i)) for i in range(slots)], [
        RoomFactory(event=event) for _ in range(rooms)
    ]


def test_the_grid_refuses_a_clash():
    event = OpenSpaceFactory()
    (slot,), (room_a, room_b) = _grid(event)
    first, second = SessionFactory(event=event), SessionFactory(event=event)
    services.session_place(session=first, by=event.owner, slot=slot, room=room_a)
    with pytest.raises(ValidationError, match="already has"):
        services.session_place(session=second, by=event.owner, slot=slot, room=room_a)
    same_convener = SessionFactory(event=event, convener=first.convener)
    with pytest.raises(ValidationError, match="convener already runs"):
        services.session_place(session=same_convener, by=event.owner, slot=slot, room=room_b)
    version = event.agenda_version
    services.session_place(session=second, by=event.owner, slot=slot, room=room_b)
    assert services.agenda_version(event.pk) > version


def test_only_facilitators_build_the_grid_and_registered_people_pitch():
    event = OpenSpaceFactory()
    (slot,), (room, _) = _grid(event)
    stranger = UserFactory()
    with pytest.raises(PermissionDenied):
        services.pitch(event=event, by=stranger, title="My topic")
    services.register(event=event, user=stranger, answer=Answer.GOING)
    session = services.pitch(event=event, by=stranger, title="My topic")
    assert session.convener == stranger
    with pytest.raises(PermissionDenied):
        services.session_place(session=session, by=stranger, slot=slot, room=room)
    facilitator = UserFactory()
    spaces.grant(space=event, user=facilitator, role="facilitator", by=event.owner)
    services.session_place(session=session, by=facilitator, slot=slot, room=room)
    paper = services.pitch(event=event, by=facilitator, title="From paper", convener_name="Mrs Khan")
    assert paper.convener is None and paper.convener_label == "Mrs Khan"


def test_closing_is_refused_until_every_session_is_reported_then_proceedings_go_out(django_capture_on_commit_callbacks):
    event = OpenSpaceFactory(proceedings_to="clerk@council.example.org")
    (slot,), (room_a, room_b) = _grid(event)
    reported, silent = SessionFactory(event=event), SessionFactory(event=event)
    services.session_place(session=reported, by=event.owner, slot=slot, room=room_a)
    services.session_place(session=silent, by=event.owner, slot=slot, room=room_b)
    participant = UserFactory()
    services.register(event=event, user=participant, answer=Answer.GOING)
    services.report_save(
        session=reported,
        by=participant,
        data={"summary": "We agreed things", "participant_count": 8},
        actions=[{"description": "Ask for a bench", "owner": participant, "due": timezone.localdate()}],
    )
    with pytest.raises(ValidationError, match="no report yet"):
        services.event_close(event=event, by=event.owner)
    assert services.remind_conveners(event=event, by=event.owner) == 1
    assert Notification.objects.filter(recipient=silent.convener, kind="events.report_missing").exists()
    services.report_none(session=silent, by=event.owner, reason="Nobody came")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.event_close(event=event, by=event.owner)
    event.refresh_from_db()
    assert event.status == EventStatus.CLOSED
    assert Notification.objects.filter(recipient=participant, kind="events.proceedings").exists()
    to = [m.to[0] for m in mail.outbox]
    assert "clerk@council.example.org" in to
    council = next(m for m in mail.outbox if m.to == ["clerk@council.example.org"])
    assert "Ask for a bench" in council.body
    (name, content, mimetype), *_ = council.attachments
    assert mimetype == "application/pdf" and name == f"proceedings-{event.slug}.pdf"
    assert content.startswith(b"%PDF") and "attached" in council.body


def test_action_owner_marks_done_and_is_reminded_once_a_week():
    action = ActionFactory()
    assert services.remind_actions() == 1
    assert services.remind_actions() == 0  # not twice in a week
    assert Notification.objects.filter(recipient=action.owner, kind="events.action_due").exists()
    with pytest.raises(PermissionDenied):
        services.action_set_status(action=action, by=UserFactory(), status=ActionStatus.DONE)
    services.action_set_status(action=action, by=action.owner, status=ActionStatus.DONE, note="Bench ordered")
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE


def test_registered_people_are_reminded_the_day_before_once():
    event = EventFactory(
        starts_at=timezone.now() + dt.timedelta(hours=20), ends_at=timezone.now() + dt.timedelta(hours=22)
    )
    RegistrationFactory(event=event)
    assert services.remind_registered() == 1
    assert services.remind_registered() == 0


def test_member_cannot_create_an_event_organiser_can():
    with pytest.raises(PermissionDenied):
        services.event_create(by=UserFactory(), data={"title": "x"})
    organiser = UserFactory(role=Role.ORGANISER)
    start = timezone.now() + dt.timedelta(days=2)
    event = services.event_create(
        by=organiser, data={"title": "Street party", "starts_at": start, "ends_at": start + dt.timedelta(hours=2)}
    )
    assert event.slug == "street-party"
    with pytest.raises(ValidationError):
        services.event_create(
            by=organiser, data={"title": "Backwards", "starts_at": start, "ends_at": start - dt.timedelta(hours=1)}
        )


def test_a_reported_session_that_names_a_method_counts_as_a_use_of_it_once():
    from squaremile.methods.models import Method, ModerationState
    from squaremile.methods.tests.factories import MethodFactory

    world_cafe = MethodFactory(name="World café", status=ModerationState.PUBLISHED)
    MethodFactory(name="Story circle", status=ModerationState.PENDING)
    event = OpenSpaceFactory()
    session = SessionFactory(event=event)
    participant = UserFactory()
    services.register(event=event, user=participant, answer=Answer.GOING)
    data = {"summary": "Tables of four **talked**", "participant_count": 12}
    services.report_save(session=session, by=participant, data=data, methods=["world CAFÉ", "Story circle", "Walk"])
    services.report_save(session=session, by=participant, data=data | {"summary": "Edited"})
    (use,) = world_cafe.reports.all()
    assert (use.people, use.owner, use.worked) == (12, participant, "Tables of four talked")
    assert use.event_ref == f"events.event:{event.pk}"
    assert Method.objects.get(pk=world_cafe.pk).use_count == 1


def test_proceedings_mail_keeps_only_its_link_when_the_pdf_is_too_large(django_capture_on_commit_callbacks, settings):
    settings.EMAIL_ATTACHMENTS_MAX_BYTES = 100
    event = OpenSpaceFactory(proceedings_to="clerk@council.example.org")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.event_close(event=event, by=event.owner)
    council = next(m for m in mail.outbox if m.to == ["clerk@council.example.org"])
    assert council.attachments == [] and "proceedings.pdf" in council.body


def test_shared_mail_refuses_attachments_over_the_limit(settings):
    from squaremile.notifications.email import AttachmentTooLarge, attachment, send_email

    settings.EMAIL_ATTACHMENTS_MAX_BYTES = 10
    with pytest.raises(AttachmentTooLarge):
        attachment(filename="big.pdf", content=b"x" * 11)
    small = attachment(filename="../a b.pdf", content=b"x" * 6)
    assert small["filename"] == "ab.pdf"
    with pytest.raises(AttachmentTooLarge):
        send_email(to="a@example.org", subject="s", template="notifications/email/notification", context={},
                   attachments=[small, small])  # fmt: skip
