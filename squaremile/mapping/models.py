"""The community map: entries in categories. Their history is in the audit log (`squaremile.audit`),
their moderation states are the shared ones (`squaremile.moderation`), their photos are attachments
(`Entry.attachments`, squaremile/attachments).

Clustering columns and tables (grid cells) are added by `cells/clusters.py`'s migration; see the app README.
"""

from datetime import date

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.urls import reverse

from squaremile.mapping.cells.tiles import cell_columns
from squaremile.moderation.models import ModerationState
from squaremile.questions.models import OWNER_RELATION


class CategoryIcon(models.TextChoices):
    """Icons drawn by the map script (static/js/communitymap.js); the value names the symbol."""

    DOT = "dot", "Dot"
    STAR = "star", "Star"
    BULB = "bulb", "Light bulb"
    SEEDLING = "seedling", "Seedling"
    ANCHOR = "anchor", "Anchor"
    GLOBE = "globe", "Globe"
    PEOPLE = "people", "People"
    HOUSE = "house", "House"
    WARNING = "warning", "Warning"
    HEART = "heart", "Heart"


class Category(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=110, unique=True)
    description = models.TextField(blank=True)
    colour = models.CharField(max_length=7, default="#2f6f4f", help_text="A hex colour such as #2f6f4f.")
    icon = models.CharField(max_length=20, choices=CategoryIcon.choices, default=CategoryIcon.DOT)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    is_threat = models.BooleanField(
        "threats and cuts layer", default=False, help_text="Entries in it are drawn as their own layer and style."
    )
    auto_publish_trusted = models.BooleanField(
        "publish at once for trusted members",
        default=False,
        help_text="Entries from organisers (and members with published entries) skip the moderation queue.",
    )
    is_active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)
    # Its extra questions (squaremile.questions); answers live in Entry.answers under str(question.pk).
    questions = GenericRelation("questions.Question", **OWNER_RELATION)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"

    def __str__(self):
        return self.name


# An entry's dates span from its start date (or, for a cut, the date it was announced or takes effect)
# to its end date: open-ended (OPEN_END) with a start date and no end; for a cut, until it takes
# effect; with an end date alone, from OPEN_START. Entries without dates have no span.
OPEN_START = date(1, 1, 1)
OPEN_END = date(9999, 12, 31)
DATE_FIELDS = ("start_date", "end_date", "announced_on", "takes_effect_on")


def date_span(start, end, announced, takes_effect) -> tuple[date | None, date | None]:
    """(date_lo, date_hi) of an entry: both None, or both set with date_lo <= date_hi."""
    lo = start or announced or takes_effect
    if end:
        hi = end
    elif start:
        hi = OPEN_END
    else:
        hi = takes_effect or announced
    if hi and not lo:
        lo = OPEN_START
    if lo and hi and hi < lo:  # dates typed the wrong way round still cover the days between them
        lo, hi = hi, lo
    return lo, hi


def date_columns(start, end, announced, takes_effect) -> dict:
    """The span columns for bulk inserts, which skip Entry.save()."""
    lo, hi = date_span(start, end, announced, takes_effect)
    return {"date_lo": lo, "date_hi": hi}


class EntryStatus(models.TextChoices):
    """The shared moderation states (`moderation.ModerationState`, same stored values), plus merged."""

    DRAFT = ModerationState.DRAFT.value, ModerationState.DRAFT.label
    PENDING = ModerationState.PENDING.value, ModerationState.PENDING.label
    PUBLISHED = ModerationState.PUBLISHED.value, ModerationState.PUBLISHED.label
    REJECTED = ModerationState.REJECTED.value, ModerationState.REJECTED.label
    ARCHIVED = ModerationState.ARCHIVED.value, ModerationState.ARCHIVED.label
    HIDDEN = ModerationState.HIDDEN.value, ModerationState.HIDDEN.label
    MERGED = "merged", "Merged into another entry"


class EntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        # date_lo / date_hi follow the dates (Entry.save, date_columns): an update that changes the
        # dates without them would leave the date filters wrong, so it is refused.
        if set(DATE_FIELDS) & set(kwargs) and not {"date_lo", "date_hi"} <= set(kwargs):
            raise ValueError("Updating an entry's dates in bulk must also set date_lo and date_hi (date_columns).")
        return super().update(**kwargs)


TITLE_MAX = 200  # an entry's title, everywhere it is typed or imported
DESCRIPTION_MAX = 10_000  # an entry's description (a text column: the limit is ours)


class Entry(models.Model):
    title = models.CharField(max_length=TITLE_MAX)
    description = models.TextField(blank=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="entries")
    status = models.CharField(max_length=10, choices=EntryStatus.choices, default=EntryStatus.PENDING)
    verified = models.BooleanField(default=False)
    lat = models.FloatField()
    lng = models.FloatField()
    # Web-Mercator tile x/y of the point at zoom level 20 (see cells/tiles.py); any coarser level is a
    # right shift. Kept by save(); bulk inserts set them with tiles.cell_columns(lat, lng).
    cx20 = models.IntegerField(default=0, editable=False)
    cy20 = models.IntegerField(default=0, editable=False)
    # The most specific area holding the point; kept by the services on every save.
    area = models.ForeignKey("places.Area", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    organisation = models.ForeignKey(
        "directory.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="map_entries"
    )
    project = models.ForeignKey(
        "directory.Project", null=True, blank=True, on_delete=models.SET_NULL, related_name="map_entries"
    )
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    # For a threat or cut: when it was announced and when it takes effect.
    announced_on = models.DateField(null=True, blank=True)
    takes_effect_on = models.DateField(null=True, blank=True)
    # The span the date filters compare with (see `date_span`), kept by save(); bulk inserts set them
    # with `date_columns(...)`. Both empty for an entry without dates. Plain columns (not generated
    # ones) so that the covering cell index below also serves date-filtered views.
    date_lo = models.DateField(null=True, blank=True, editable=False)
    date_hi = models.DateField(null=True, blank=True, editable=False)
    answers = models.JSONField(default=dict, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="map_entries"
    )
    # Anonymous submissions (when the operator allows them) leave a name and an email instead of an owner.
    submitter_name = models.CharField(max_length=120, blank=True)
    submitter_email = models.EmailField(blank=True)
    # Imports match rows to entries by external id, so re-importing a file changes nothing.
    external_id = models.CharField(max_length=200, null=True, blank=True, unique=True)
    source = models.CharField(max_length=200, blank=True, help_text="Where an imported entry came from.")
    rejection_reason = models.TextField(blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_entries"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Its photos (deleted, files and all, with the entry). Registered in apps.py.
    attachments = GenericRelation("attachments.Attachment", related_query_name="entry")

    objects = EntryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "entries"
        indexes = [
            models.Index(fields=["status", "-created_at"], name="entry_status_created"),
            models.Index(fields=["status", "category"], name="entry_status_category"),
            models.Index(fields=["lat", "lng"], name="entry_latlng"),
            models.Index(fields=["area", "status"], name="entry_area_status"),
            models.Index(fields=["-updated_at"], name="entry_updated"),
            # Covers the grouping of entries in view (date and free-text filters): no table lookups.
            models.Index(
                fields=["status", "cx20", "cy20", "category", "verified", "area", "date_lo", "date_hi", "lat", "lng"],
                name="entry_status_cell",
            ),
            # The wide date-filtered views read the entries starting or ending in one month (cells/clusters.py).
            models.Index(fields=["status", "date_lo"], name="entry_status_date_lo"),
            models.Index(fields=["status", "date_hi"], name="entry_status_date_hi"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # The cell columns are a pure function of the point: keep them in step on every save.
        if self.lat is not None and self.lng is not None:
            for name, value in cell_columns(self.lat, self.lng).items():
                setattr(self, name, value)
        self.date_lo, self.date_hi = date_span(self.start_date, self.end_date, self.announced_on, self.takes_effect_on)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            extra = set()
            if {"lat", "lng"} & set(update_fields):
                extra |= {"cx20", "cy20"}
            if set(DATE_FIELDS) & set(update_fields):
                extra |= {"date_lo", "date_hi"}
            if extra:
                kwargs["update_fields"] = list({*update_fields, *extra})
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("mapping:entry_detail", args=[self.pk])

    @property
    def is_published(self) -> bool:
        return self.status == EntryStatus.PUBLISHED

    @property
    def events(self):
        """The entry's history in the audit log, newest first."""
        from squaremile.audit.selectors import history_for

        return history_for(self)


def _photo_path(instance, filename):
    """Where the former EntryPhoto model stored files (named by migration 0001; photos are attachments now)."""
    return f"entries/{instance.entry_id}/{filename}"


class EntryAction(models.TextChoices):
    """What happened to an entry; stored in the audit log as "entry.<value>" (see `audit_action`)."""

    CREATED = "created", "Submitted"
    EDITED = "edited", "Edited"
    PUBLISHED = "published", "Published"
    REJECTED = "rejected", "Rejected"
    VERIFIED = "verified", "Marked verified"
    UNVERIFIED = "unverified", "Verification removed"
    ARCHIVED = "archived", "Archived"
    RESTORED = "restored", "Restored"
    MERGED = "merged", "Merged"
    IMPORTED = "imported", "Imported"
    PHOTO_ADDED = "photo_added", "A photo was added"
    PHOTO_REMOVED = "photo_removed", "A photo was removed"
    HIDDEN = "hidden", "Hidden"
    DELETED = "deleted", "Deleted"


def audit_action(action: str) -> str:
    """The audit log's key for an entry action: "published" -> "entry.published"."""
    return f"entry.{action}"


class ClusterCell(models.Model):
    """How many published entries fall in one map grid cell, per category, verified flag and area.

    Precomputed for every level 0..clusters.MAX_LEVEL so the map can cluster a million entries
    without scanning them; kept by clusters.apply() on every change and clusters.rebuild().
    `area_id` is 0 for entries outside every known area."""

    level = models.PositiveSmallIntegerField()
    x = models.IntegerField()
    y = models.IntegerField()
    category_id = models.IntegerField()
    verified = models.BooleanField()
    area_id = models.IntegerField(default=0)
    count = models.IntegerField(default=0)
    sum_lat = models.FloatField(default=0)
    sum_lng = models.FloatField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["level", "x", "y", "category_id", "verified", "area_id"], name="clustercell_key"
            )
        ]
        # The viewport query reads everything it needs from this index (no table lookups).
        indexes = [
            models.Index(
                fields=["level", "x", "y", "category_id", "verified", "area_id", "count", "sum_lat", "sum_lng"],
                name="clustercell_covering",
            )
        ]

    def __str__(self):
        return f"L{self.level} {self.x},{self.y}: {self.count}"


class DateCell(models.Model):
    """Per month, how many published entries with dates start (edge 0) or end (edge 1) in one map
    grid cell, per category, verified flag and area, with the sums of their coordinates.

    Kept for the wide levels only (0..clusters.DATE_MAX_LEVEL), where a date-filtered view would
    otherwise read hundreds of thousands of entries: the entries whose span overlaps [from, to] are
    those starting on or before `to` minus those ending before `from` (see clusters._date_rows).
    `month` is year * 12 + month - 1. Open-ended entries have no end row."""

    level = models.PositiveSmallIntegerField()
    edge = models.PositiveSmallIntegerField()
    x = models.IntegerField()
    y = models.IntegerField()
    category_id = models.IntegerField()
    verified = models.BooleanField()
    area_id = models.IntegerField(default=0)
    month = models.IntegerField()
    count = models.IntegerField(default=0)
    sum_lat = models.FloatField(default=0)
    sum_lng = models.FloatField(default=0)

    class Meta:
        # The key's index also serves the viewport query (level, edge, x IN ..., y range, month <):
        # a covering index beside it went unused on both databases and doubled the cost of writes.
        constraints = [
            models.UniqueConstraint(
                fields=["level", "edge", "x", "y", "category_id", "verified", "area_id", "month"], name="datecell_key"
            )
        ]

    def __str__(self):
        return f"L{self.level} {self.x},{self.y} {self.month} ({self.edge}): {self.count}"
