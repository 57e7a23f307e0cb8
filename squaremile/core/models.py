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
