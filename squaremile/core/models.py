from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.db import models


class Visibility(models.TextChoices):
    """Who may see a part of a record."""

    PUBLIC = "public", "Everyone"
    MEMBERS = "members", "Signed-in members"
    NOBODY = "nobody", "Only the owner (and moderators)"


class SpaceVisibility(models.TextChoices):
    """Who may see a record that lives in a space (a survey, an event, a group): the levels of
    `Visibility`, same values, plus the space's organisers. The rule for each level is in
    `core/visibility.py`."""

    PUBLIC = Visibility.PUBLIC.value, Visibility.PUBLIC.label
    MEMBERS = Visibility.MEMBERS.value, Visibility.MEMBERS.label
    ORGANISERS = "organisers", "Only the organisers"
    NOBODY = Visibility.NOBODY.value, Visibility.NOBODY.label


class SpaceRoleKind(models.TextChoices):
    """The roles a person can hold in one space. A space is any record people run together: a
    survey, later an event or a group. The table in `core/permissions.py` says what each role may do."""

    ORGANISER = "organiser", "Organiser"
    FACILITATOR = "facilitator", "Facilitator"
    MEMBER = "member", "Member"  # a conversations group's members (not one of a space's organisers)


class SpaceRole(models.Model):
    """A person's role in one space (a generic relation), e.g. a co-organiser of a survey.

    Written only through `squaremile.core.spaces` (`grant` / `revoke`); read by
    `core.permissions.can()` and `core.visibility`. Site-wide roles are `User.role`."""

    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    space = GenericForeignKey("content_type", "object_id")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="space_roles")
    role = models.CharField(max_length=20, choices=SpaceRoleKind.choices, default=SpaceRoleKind.ORGANISER)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["content_type", "object_id", "role", "id"]
        verbose_name = "role in a space"
        verbose_name_plural = "roles in a space"
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id", "user", "role"], name="spacerole_unique")
        ]
        # the unique constraint's index serves "who holds a role in this space"; this one "my roles"
        indexes = [models.Index(fields=["user", "content_type"], name="spacerole_user")]

    def __str__(self):
        return f"{self.user} is {self.get_role_display().lower()} of {self.content_type.model} #{self.object_id}"


class SearchDocument(models.Model):
    """One searchable record, kept in step by the services that write the record.

    The full-text index beside this table is database-specific and made by a migration:
    an FTS5 virtual table with triggers on SQLite, a generated tsvector column with a GIN index
    and a trigram index on PostgreSQL. `squaremile.core.search` hides the difference.
    """

    kind = models.CharField(max_length=30)
    object_id = models.BigIntegerField()
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300)
    area = models.ForeignKey("places.Area", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="searchdoc_unique")]

    def __str__(self):
        return f"{self.kind}:{self.object_id} {self.title}"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    WAITING = "waiting", "Waiting for you"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


def _job_file_path(instance, filename):
    # A random folder per file: names are not guessable and two jobs never collide on any storage.
    import uuid

    return f"jobs/{uuid.uuid4().hex}/{filename}"


class Job(models.Model):
    """One background piece of work (an import, an export ...) and what came of it.

    Written only through `squaremile.core.jobs`. `params` holds what the work needs (filters, a
    column mapping); `report` what it found (counts, every bad row); `input_file` and `result_file`
    live on the default storage, so any web node or worker can read them. WAITING means the work is
    paused for its owner (an import waiting for its column choice or for "apply")."""

    kind = models.CharField(max_length=60)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="jobs"
    )
    params = models.JSONField(default=dict, blank=True)
    progress = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=500, blank=True)
    report = models.JSONField(default=dict, blank=True)
    input_file = models.FileField(upload_to=_job_file_path, max_length=300, blank=True)
    input_filename = models.CharField(max_length=200, blank=True)
    result_file = models.FileField(upload_to=_job_file_path, max_length=300, blank=True)
    result_filename = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="job_owner_created")]

    def __str__(self):
        return f"{self.kind} #{self.pk} ({self.status})"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("core:job_detail", args=[self.pk])

    @property
    def is_active(self) -> bool:
        """Queued or running: the page keeps polling."""
        return self.status in (JobStatus.QUEUED, JobStatus.RUNNING)

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        if not self.total:
            return 0
        return min(100, int(self.progress * 100 / self.total))


class PeriodicRun(models.Model):
    """When the worker last ran one of `settings.PERIODIC_COMMANDS` (`core/periodic.py`), and when it
    is due next. One row per command line; a worker takes a run by moving `due_at` on with a
    conditional UPDATE, so two workers never run the same command twice in one interval."""

    key = models.CharField(max_length=200, unique=True)  # the command line: "send_digests --period daily"
    due_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=100, blank=True)  # which worker took the last run
    ok = models.BooleanField(null=True)  # None: never finished
    message = models.CharField(max_length=500, blank=True)  # the error of a failed run

    class Meta:
        ordering = ["key"]

    def __str__(self):
        return self.key
