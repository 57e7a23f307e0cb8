"""Bodies and representatives, problem reports, questions, Open311 and Open Referral: the data and its invariants."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse

from squaremile.moderation.models import ModerationState
from squaremile.questions.models import OWNER_RELATION


class BodyKind(models.TextChoices):
    COUNTY = "county", "County council"
    DISTRICT = "district", "District or borough council"
    UNITARY = "unitary", "Unitary or city council"
    PARISH = "parish", "Parish or town council"
    WATER = "water", "Water company"
    TRANSPORT = "transport", "Transport"
    POLICE = "police", "Police"
    HEALTH = "health", "Health"
    OTHER = "other", "Other public body"


class Delivery(models.TextChoices):
    EMAIL = "email", "By e-mail"
    OPEN311 = "open311", "To their own system (Open311)"
    ELSEWHERE = "elsewhere", "Not handled here: people are sent elsewhere"


class ProblemCategory(models.Model):
    """A kind of problem people report ("Street lights"); its `service_code` is its Open311 code, its
    custom questions (`questions`) its Open311 service definition."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=130, unique=True)
    service_code = models.CharField(max_length=60, unique=True)
    group = models.CharField(max_length=80, blank=True, help_text="A heading the category is listed under.")
    description = models.CharField(max_length=300, blank=True)
    keywords = models.CharField(max_length=200, blank=True)
    is_threat = models.BooleanField(default=False, help_text="Threats and cuts raised from the community map.")
    questions = GenericRelation("questions.Question", **OWNER_RELATION)

    class Meta:
        ordering = ["group", "name"]
        verbose_name_plural = "problem categories"

    def __str__(self):
        return self.name


class Body(models.Model):
    """A council, agency or company that is responsible for some problems in some areas. A space:
    its staff hold a role in it (`core.spaces`) and may update its reports."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    kind = models.CharField(max_length=20, choices=BodyKind.choices, default=BodyKind.OTHER)
    areas = models.ManyToManyField("places.Area", blank=True, related_name="civic_bodies")
    categories = models.ManyToManyField(ProblemCategory, blank=True, related_name="bodies")
    website = models.URLField(max_length=300, blank=True)
    delivery = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.EMAIL)
    email = models.EmailField(blank=True, help_text="Where reports are sent when delivery is by e-mail.")
    open311_endpoint = models.URLField(max_length=300, blank=True, help_text="Base address, e.g. https://…/open311/v2/")
    open311_api_key = models.CharField(max_length=200, blank=True)
    open311_jurisdiction = models.CharField(max_length=100, blank=True)
    elsewhere_url = models.URLField(max_length=300, blank=True, help_text="Where people report instead.")
    elsewhere_note = models.CharField(max_length=300, blank=True)
    roles = GenericRelation("core.SpaceRole")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "bodies"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("civic:body_detail", kwargs={"slug": self.slug})


class Representative(models.Model):
    """An elected person: a ward councillor, a mayor, a member of parliament. Their responsiveness
    figures are kept by `services.recompute_responsiveness` whenever one of their questions changes."""

    name = models.CharField(max_length=200)
    role = models.CharField(max_length=100, default="Councillor")
    body = models.ForeignKey(Body, null=True, blank=True, on_delete=models.SET_NULL, related_name="representatives")
    area = models.ForeignKey("places.Area", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    party = models.CharField(max_length=100, blank=True, help_text="Empty for an independent.")
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    website = models.URLField(max_length=300, blank=True)
    term_start = models.DateField(null=True, blank=True)
    term_end = models.DateField(null=True, blank=True)
    last_checked = models.DateField(null=True, blank=True, help_text="When these details were last checked.")
    external_id = models.CharField(max_length=200, blank=True, db_index=True)
    # responsiveness over the last 12 months (services.recompute_responsiveness)
    questions_sent = models.PositiveIntegerField(default=0)
    questions_answered = models.PositiveIntegerField(default=0)
    median_days = models.FloatField(null=True, blank=True)
    figures_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["area", "name"], name="civic_rep_area_name")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("civic:representative_detail", kwargs={"pk": self.pk})

    @property
    def party_label(self) -> str:
        return self.party or "Independent"

    @property
    def answered_share(self) -> float | None:
        return None if not self.questions_sent else self.questions_answered / self.questions_sent


class ReportStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    IN_PROGRESS = "in_progress", "In progress"
    FIXED = "fixed", "Fixed"
    CLOSED = "closed", "Closed"
    NOT_RESPONSIBLE = "not_responsible", "Not responsible"


OPEN_STATES = (ReportStatus.OPEN, ReportStatus.ACKNOWLEDGED, ReportStatus.IN_PROGRESS)


class Source(models.TextChoices):
    WEB = "web", "This site"
    OPEN311 = "open311", "Open311"


class SendState(models.TextChoices):
    WAITING = "waiting", "Waiting to be sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Sending failed; will try again"
    NOT_SENT = "not_sent", "Not sent (no body takes it here)"


class Report(models.Model):
    """A problem someone reported: where, what, to whom it went, and how it stands."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    hide_name = models.BooleanField(default=False)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    category = models.ForeignKey(ProblemCategory, on_delete=models.PROTECT, related_name="reports")
    body = models.ForeignKey(Body, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports")
    lat = models.FloatField()
    lng = models.FloatField()
    area = models.ForeignKey("places.Area", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    address = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=20, choices=ReportStatus.choices, default=ReportStatus.OPEN)
    is_open = models.BooleanField(default=True, editable=False)  # the Open311 status, kept by save()
    status_reason = models.CharField(max_length=300, blank=True)
    answers = models.JSONField(default=dict, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.WEB)
    send_state = models.CharField(max_length=10, choices=SendState.choices, default=SendState.WAITING)
    sent_at = models.DateTimeField(null=True, blank=True)
    send_error = models.CharField(max_length=300, blank=True)
    external_id = models.CharField(max_length=100, blank=True)  # the body's own request id (Open311)
    from_ref = models.CharField(max_length=60, blank=True)  # a map entry this was raised from
    supporters = models.PositiveIntegerField(default=1)  # the reporter and everyone who added their voice
    fixed_asked_at = models.DateTimeField(null=True, blank=True)
    # the shared moderation's state: published at once (reports are checked after, as people flag them);
    # "draft" while a report made without an account waits for its e-mail link to be clicked
    moderation = models.CharField(max_length=10, choices=ModerationState.choices, default=ModerationState.PUBLISHED)
    # a report made without an account: who made it (never shown but to the body; the name only if not hidden)
    reporter_name = models.CharField(max_length=120, blank=True)
    reporter_email = models.EmailField(blank=True)
    attachments = GenericRelation("attachments.Attachment", related_query_name="civic_report")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="civic_report_created"),
            models.Index(fields=["is_open", "-created_at"], name="civic_report_open_created"),
            models.Index(fields=["category", "-created_at"], name="civic_report_cat_created"),
            models.Index(fields=["lat", "lng"], name="civic_report_point"),
            models.Index(fields=["body", "status"], name="civic_report_body_status"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.is_open = self.status in OPEN_STATES
        if kwargs.get("update_fields") is not None and "status" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "is_open"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("civic:report_detail", kwargs={"pk": self.pk})

    def permission_space(self):
        return self.body

    @property
    def public_name(self) -> str:
        if self.hide_name or (self.owner is None and not self.reporter_name):
            return "Someone who lives nearby"
        if self.owner is None:
            return self.reporter_name
        profile = getattr(self.owner, "profile", None)
        return (getattr(profile, "display_name", "") or "A resident").strip()

    @property
    def is_public(self) -> bool:
        return self.moderation == ModerationState.PUBLISHED


class ReportSupport(models.Model):
    """A person who added their voice to a report instead of sending the same one again: signed in
    (`user`), or without an account (`email`, once they clicked the link mailed to it; they hear of
    the report's updates at that address). Once per person and once per address on a report."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+")  # fmt: skip
    # without an account: never shown in public
    name = models.CharField(max_length=120, blank=True)
    email = models.EmailField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["report", "user"], condition=models.Q(user__isnull=False), name="civic_support_once"
            ),
            models.UniqueConstraint(
                "report", Lower("email"), condition=~models.Q(email=""), name="civic_support_email_once"
            ),
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | ~models.Q(email=""), name="civic_support_someone"
            ),
        ]

    def __str__(self):
        return f"Support for report {self.report_id}"


class UpdateAuthor(models.TextChoices):
    REPORTER = "reporter", "The reporter"
    BODY = "body", "The body"
    SYSTEM = "system", "This site"


class StaffInvitation(models.Model):
    """A body's administrator invites someone by e-mail to be its staff; the signed link in the mail
    makes the account that opens it (signed in, with that address verified) staff of the body."""

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(
        max_length=12, default="facilitator",
        choices=[("facilitator", "Staff"), ("organiser", "Administrator")],
    )  # fmt: skip
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Invitation to {self.body_id} for {self.email}"


class ReportUpdate(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_kind = models.CharField(max_length=10, choices=UpdateAuthor.choices, default=UpdateAuthor.SYSTEM)
    text = models.TextField(blank=True)
    status_before = models.CharField(max_length=20, choices=ReportStatus.choices, blank=True)
    status_after = models.CharField(max_length=20, choices=ReportStatus.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"Update on report {self.report_id}"


class RepQuestion(models.Model):
    """A question a resident asks, in public, of the representatives for their area (moderated
    before it is published and sent)."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    hide_name = models.BooleanField(default=False)
    area = models.ForeignKey("places.Area", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    title = models.CharField(max_length=200)
    text = models.TextField()
    status = models.CharField(max_length=10, choices=ModerationState.choices, default=ModerationState.PENDING)
    representatives = models.ManyToManyField(Representative, through="QuestionRecipient", related_name="questions")
    me_too = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "-created_at"], name="civic_q_status_created")]
        verbose_name = "question to representatives"
        verbose_name_plural = "questions to representatives"

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("civic:question_detail", kwargs={"pk": self.pk})

    @property
    def asker_name(self) -> str:
        if self.hide_name or self.owner is None:
            return "A resident"
        profile = getattr(self.owner, "profile", None)
        return (getattr(profile, "display_name", "") or "A resident").strip()


class QuestionRecipient(models.Model):
    """One representative asked one question: when it was sent, reminded, answered."""

    question = models.ForeignKey(RepQuestion, on_delete=models.CASCADE, related_name="recipients")
    representative = models.ForeignKey(Representative, on_delete=models.CASCADE, related_name="asked")
    sent_at = models.DateTimeField(null=True, blank=True)
    reminded_7_at = models.DateTimeField(null=True, blank=True)
    reminded_14_at = models.DateTimeField(null=True, blank=True)
    answer = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    # answer links are single-use: a link carries `link_version`; once an answer is given through it
    # (`answered_version`), it only shows the answer until the representative asks for a fresh link
    link_version = models.PositiveIntegerField(default=1)
    answered_version = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["question", "representative"], name="civic_ask_once")]
        indexes = [models.Index(fields=["representative", "sent_at"], name="civic_recipient_sent")]

    def __str__(self):
        return f"Question {self.question_id} to representative {self.representative_id}"


class MeToo(models.Model):
    question = models.ForeignKey(RepQuestion, on_delete=models.CASCADE, related_name="me_toos")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["question", "user"], name="civic_metoo_once")]

    def __str__(self):
        return f"Me too on question {self.question_id}"
