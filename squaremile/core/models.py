from django.conf import settings
from django.db import models


class Visibility(models.TextChoices):
    """Who may see a part of a record."""

    PUBLIC = "public", "Everyone"
    MEMBERS = "members", "Signed-in members"
    NOBODY = "nobody", "Only the owner (and moderators)"


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
