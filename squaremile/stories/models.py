"""Residents' own stories of community action, and linked stories from local feeds: the data and its invariants.

* `Story`: one story. `kind` says whose: told here by a person (`own`), or an item of a local
  site's feed (`linked`: title, summary, a link to the original, its source; `feed` + `guid` name
  it, so an item edited upstream updates its story instead of adding another).
* `StoryLink`: what a story is about: any record of a registered kind (`core.records`), kept as its
  content type and id, and its reference (`"mapping.entry:12"`).
* `StoryTag`: a word people file stories under ("food", "young people").
* `StoryComment` (a short reply, moderated like everything else), `StoryHelped` ("this helped
  me": one per person).
* `StoryFeed`: an RSS/Atom feed an organiser added, with what the last poll found.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse

from squaremile.moderation.models import ModerationState


class StoryKind(models.TextChoices):
    OWN = "own", "Told here"
    LINKED = "linked", "From a local site"


class StoryTag(models.Model):
    name = models.CharField(max_length=60)
    slug = models.SlugField(max_length=70, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("stories:list") + f"?tag={self.slug}"


class FeedStatus(models.TextChoices):
    NEW = "new", "Not read yet"
    OK = "ok", "Working"
    NOT_MODIFIED = "not_modified", "Working (nothing new)"
    ERROR = "error", "Refused or failing"


class StoryFeed(models.Model):
    """A local site's RSS or Atom feed. The poller reads it at most every STORIES_FEED_MIN_MINUTES
    (30), with a conditional GET, and waits longer after each failure."""

    title = models.CharField(max_length=200)
    url = models.URLField(max_length=500, unique=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # stories from this feed are filed under this area, unless someone files them elsewhere
    area = models.ForeignKey("places.Area", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    active = models.BooleanField(default=True)
    etag = models.CharField(max_length=300, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=20, choices=FeedStatus.choices, default=FeedStatus.NEW)
    status_message = models.CharField(max_length=500, blank=True)
    failures = models.PositiveIntegerField(default=0)  # in a row
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    next_poll_at = models.DateTimeField(null=True, blank=True, db_index=True)
    items_added = models.PositiveIntegerField(default=0)  # by the last poll
    items_updated = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title", "id"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("stories:feed_detail", args=[self.pk])


class Story(models.Model):
    kind = models.CharField(max_length=10, choices=StoryKind.choices, default=StoryKind.OWN)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)  # markdown; for a linked story, the feed's summary as plain text
    # the body as plain text, cut short: lists, cards and meta tags show it without rendering markdown
    summary = models.CharField(max_length=300, blank=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="stories"
    )
    organisation = models.ForeignKey(
        "directory.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="stories"
    )
    status = models.CharField(max_length=10, choices=ModerationState.choices, default=ModerationState.DRAFT)
    rejection_reason = models.TextField(blank=True)
    # where it happened: a point, an area, or neither
    area = models.ForeignKey("places.Area", null=True, blank=True, on_delete=models.SET_NULL, related_name="stories")
    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)
    happened_on = models.DateField("when it happened", null=True, blank=True)
    # links to video or audio hosted elsewhere, one a line (shown as link cards; never fetched)
    media_links = models.TextField(blank=True)
    tags = models.ManyToManyField(StoryTag, blank=True, related_name="stories")
    # a linked story: the feed it came from, the item's identity in it, the original
    feed = models.ForeignKey(StoryFeed, null=True, blank=True, on_delete=models.CASCADE, related_name="stories")
    guid = models.CharField(max_length=500, blank=True)
    link = models.URLField(max_length=1000, blank=True)
    source = models.CharField(max_length=200, blank=True)
    helped_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    attachments = GenericRelation("attachments.Attachment", related_query_name="story")

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name_plural = "stories"
        constraints = [
            models.UniqueConstraint(
                fields=["feed", "guid"], condition=models.Q(feed__isnull=False), name="story_feed_guid_unique"
            ),
            models.CheckConstraint(
                condition=(models.Q(lat__isnull=True) & models.Q(lng__isnull=True))
                | (models.Q(lat__isnull=False) & models.Q(lng__isnull=False)),
                name="story_point_whole",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-published_at", "-id"], name="story_newest"),
            models.Index(fields=["area", "status", "-published_at"], name="story_area_newest"),
            models.Index(fields=["organisation", "status", "-published_at"], name="story_org_newest"),
            models.Index(fields=["owner", "status"], name="story_owner"),
            models.Index(fields=["lat", "lng"], name="story_latlng"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("stories:detail", args=[self.pk])

    @property
    def is_linked(self) -> bool:
        return self.kind == StoryKind.LINKED

    @property
    def is_published(self) -> bool:
        return self.status == ModerationState.PUBLISHED

    @property
    def has_location(self) -> bool:
        return self.lat is not None and self.lng is not None


class StoryLink(models.Model):
    """The story is about this record (`core.records`: any registered kind)."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="links")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.BigIntegerField()
    ref = models.CharField(max_length=120)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["story", "content_type", "object_id"], name="storylink_once"),
        ]
        indexes = [models.Index(fields=["content_type", "object_id", "story"], name="storylink_target")]

    def __str__(self):
        return f"{self.story_id} → {self.ref}"


class StoryComment(models.Model):
    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="comments")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    body = models.TextField(max_length=1000)
    status = models.CharField(max_length=10, choices=ModerationState.choices, default=ModerationState.PUBLISHED)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["story", "status", "created_at"], name="storycomment_story")]

    def __str__(self):
        return f"Reply to “{self.story}”"

    def get_absolute_url(self):
        return reverse("stories:detail", args=[self.story_id]) + f"#reply-{self.pk}"


class StoryHelped(models.Model):
    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="helped")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["story", "user"], name="storyhelped_once")]

    def __str__(self):
        return f"{self.user_id} found {self.story_id} helpful"
