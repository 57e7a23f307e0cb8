"""Events online and offline, open space, session reports and proceedings: the data and its invariants.

An event is a *space* (`core/spaces.py`): its owner and the people given the organiser or
facilitator role run it. Times are stored in UTC and shown in the site's TIME_ZONE. Open space
is switched on per event: pitches become sessions placed on a grid of times (`Slot`) and places
(`Room`: a room, a table or a breakout link); one session per slot and room (a database
constraint refuses a clash even when two facilitators drop at once).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from squaremile.questions.models import OWNER_RELATION


def web_link(url: str) -> str:
    return url if (url or "").lower().startswith(("https://", "http://")) else ""


class Mode(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    ONLINE = "online", "Online"
    HYBRID = "hybrid", "In person and online"


class EventStatus(models.TextChoices):
    OPEN = "open", "Open"
    CANCELLED = "cancelled", "Cancelled"
    CLOSED = "closed", "Closed: proceedings sent"


class EventQuerySet(models.QuerySet):
    def listed(self):
        """Events anyone may see (every event is public; a cancelled one stays listed, marked)."""
        return self


class Event(models.Model):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    description = models.TextField(blank=True, help_text="Markdown.")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.IN_PERSON)
    venue_name = models.CharField(max_length=200, blank=True)
    venue_address = models.CharField(max_length=300, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)
    access_info = models.TextField(
        "access information", blank=True, help_text="Step-free entry, toilets, hearing loop, quiet room, parking…"
    )
    online_url = models.URLField(
        "online link", max_length=500, blank=True, help_text="Shown only to people who registered."
    )
    area = models.ForeignKey("places.Area", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    organisation = models.ForeignKey(
        "directory.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    group = models.ForeignKey(
        "conversations.Group",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="A group you facilitate: its members hear of the event and its page lists it.",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="events_owned"
    )
    capacity = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: no limit.")
    status = models.CharField(max_length=10, choices=EventStatus.choices, default=EventStatus.OPEN)
    open_space = models.BooleanField(
        "open space", default=False, help_text="Participants pitch topics; sessions are placed on a grid."
    )
    proceedings_to = models.TextField(
        "send the proceedings to",
        blank=True,
        help_text="E-mail addresses, one a line (a council, a funder, another network), besides every participant.",
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    proceedings_sent_at = models.DateTimeField(null=True, blank=True)
    # raised on every change of the agenda: the wall and phones poll it (a cheap ETag)
    agenda_version = models.PositiveIntegerField(default=1)
    survey = models.ForeignKey(
        "network.Survey",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="A network questionnaire run at the event: its QR code is shown on the agenda wall.",
    )
    game = models.ForeignKey(
        "methods.Game",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        help_text="The skills game played at the event (its tables opened from the event's page).",
    )
    external_id = models.CharField(max_length=300, blank=True, db_index=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    questions = GenericRelation("questions.Question", **OWNER_RELATION)
    space_roles = GenericRelation("core.SpaceRole")

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [
            # the end rides along in the start indexes: "still to come" (ends_at >= now) is checked in
            # the index while it is walked in start order, without reading each past event's row
            models.Index(fields=["starts_at", "id", "ends_at"], name="event_starts_ends"),
            models.Index(fields=["area", "starts_at", "id", "ends_at"], name="event_area_starts_ends"),
            models.Index(fields=["organisation", "starts_at"], name="event_org_starts"),
            models.Index(fields=["group", "starts_at"], name="event_group_starts"),
            models.Index(fields=["lat", "lng"], name="event_point"),
        ]
        constraints = [models.CheckConstraint(condition=Q(ends_at__gte=models.F("starts_at")), name="event_ends_after")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("events:detail", args=[self.slug])

    @property
    def is_online(self) -> bool:
        return self.mode in (Mode.ONLINE, Mode.HYBRID)

    @property
    def is_in_person(self) -> bool:
        return self.mode in (Mode.IN_PERSON, Mode.HYBRID)

    @property
    def is_past(self) -> bool:
        return self.ends_at < timezone.now()

    @property
    def is_cancelled(self) -> bool:
        return self.status == EventStatus.CANCELLED

    @property
    def is_closed(self) -> bool:
        return self.status == EventStatus.CLOSED

    @property
    def safe_online_url(self) -> str:
        """The online link if it is a web address (http/https), else nothing: never a script link."""
        return web_link(self.online_url)

    def recipients(self) -> list[str]:
        return [line.strip() for line in (self.proceedings_to or "").splitlines() if line.strip()]


class Answer(models.TextChoices):
    GOING = "going", "Going"
    MAYBE = "maybe", "Maybe"
    CANT = "cant", "Can't go"
    WAITING = "waiting", "On the waiting list"


class Registration(models.Model):
    """One person's answer to an event: a member (user) or a guest without an account (name and
    e-mail, confirmed by a signed link). `answers` holds the custom questions' answers (access
    needs...): only the event's organisers see them."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="event_registrations"
    )
    name = models.CharField(max_length=120, blank=True)
    email = models.EmailField(blank=True)
    answer = models.CharField(max_length=10, choices=Answer.choices, default=Answer.GOING)
    confirmed = models.BooleanField(default=True)
    answers = models.JSONField(default=dict, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], condition=Q(user__isnull=False), name="reg_user_once"),
            models.UniqueConstraint(fields=["event", "email"], condition=Q(user__isnull=True), name="reg_guest_once"),
        ]
        indexes = [models.Index(fields=["event", "answer", "created_at"], name="reg_event_answer")]

    def __str__(self):
        return f"{self.display_name} – {self.get_answer_display()}"

    def permission_space(self):
        return self.event

    @property
    def display_name(self) -> str:
        if self.user_id:
            return self.name or str(self.user)
        return self.name or self.email

    @property
    def is_guest(self) -> bool:
        return self.user_id is None

    @property
    def counts_in(self) -> bool:
        """Going or maybe, and confirmed: someone who may be there."""
        return self.confirmed and self.answer in (Answer.GOING, Answer.MAYBE)


class Slot(models.Model):
    """A time of the open-space grid."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    label = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["starts_at", "id"]

    def __str__(self):
        local = timezone.localtime(self.starts_at)
        return self.label or local.strftime("%H:%M")

    def permission_space(self):
        return self.event


class Room(models.Model):
    """A place of the open-space grid: a room, a table, a breakout link."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(max_length=80)
    link = models.URLField("online link", max_length=500, blank=True, help_text="For a breakout room online.")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return self.name

    def permission_space(self):
        return self.event

    @property
    def safe_link(self) -> str:
        return web_link(self.link)


class Session(models.Model):
    """A topic pitched in the marketplace; placed on the grid (slot × room) it becomes a session."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    convener = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    convener_name = models.CharField(max_length=120, blank=True, help_text="For a pitch typed in from paper.")
    note_taker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note_taker_name = models.CharField(max_length=120, blank=True)
    slot = models.ForeignKey(Slot, null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions")
    room = models.ForeignKey(Room, null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions")
    methods = models.JSONField(default=list, blank=True)  # names of methods used (the methods app when merged)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["slot__starts_at", "room__position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["slot", "room"],
                condition=Q(slot__isnull=False, room__isnull=False),
                name="session_one_per_slot_room",
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("events:session", args=[self.event.slug, self.pk])

    def permission_space(self):
        return self.event

    @property
    def is_placed(self) -> bool:
        return self.slot_id is not None and self.room_id is not None

    @property
    def convener_label(self) -> str:
        return self.convener_name or (str(self.convener) if self.convener_id else "")

    @property
    def note_taker_label(self) -> str:
        return self.note_taker_name or (str(self.note_taker) if self.note_taker_id else "")


class Report(models.Model):
    """What a session found, filled in on a phone; or "no report" with a reason."""

    session = models.OneToOneField(Session, on_delete=models.CASCADE, related_name="report")
    no_report = models.BooleanField(default=False)
    no_report_reason = models.CharField(max_length=300, blank=True)
    participant_count = models.PositiveIntegerField(null=True, blank=True)
    participant_names = models.TextField(
        blank=True, help_text="Only the names of people who agree to be named, one a line."
    )
    summary = models.TextField(blank=True)
    recommendations = models.TextField(blank=True)
    requests = models.TextField(blank=True, help_text="What the session asks of others (the council, funders…).")
    resources = models.TextField(blank=True, help_text="Links, documents, contacts shared.")
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    attachments = GenericRelation("attachments.Attachment", related_query_name="event_report")

    def __str__(self):
        return f"Report of {self.session}"

    def permission_space(self):
        return self.session.event

    @property
    def names(self) -> list[str]:
        return [n.strip() for n in self.participant_names.splitlines() if n.strip()]


class RemoteNote(models.Model):
    """A note added to a session by someone taking part online (a hybrid event)."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="remote_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"Note on session {self.session_id}"


class ActionStatus(models.TextChoices):
    OPEN = "open", "To do"
    DONE = "done", "Done"
    STUCK = "stuck", "Stuck"


class Action(models.Model):
    """Something a session agreed to do, with an owner and a date, tracked after the event."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="actions")
    session = models.ForeignKey(Session, null=True, blank=True, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField(max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="event_actions"
    )
    owner_name = models.CharField(max_length=120, blank=True, help_text="When the owner has no account.")
    due = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    note = models.CharField(max_length=300, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due", "id"]
        indexes = [models.Index(fields=["status", "due"], name="action_status_due")]

    def __str__(self):
        return self.description

    def permission_space(self):
        return self.event

    @property
    def owner_label(self) -> str:
        return self.owner_name or (str(self.owner) if self.owner_id else "nobody yet")

    @property
    def is_overdue(self) -> bool:
        return self.status == ActionStatus.OPEN and self.due is not None and self.due < timezone.localdate()


class Update(models.Model):
    """ "What happened next": a note added to an event's page after it."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Update of event {self.event_id}"


def new_token() -> str:
    return secrets.token_urlsafe(24)


class CalendarToken(models.Model):
    """The secret in a person's calendar feed address (their events, for a calendar app)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_calendar")
    token = models.CharField(max_length=64, unique=True, default=new_token)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Calendar of user {self.user_id}"
