"""Wants and offers between neighbours, matched: the data and its invariants.

* `Item` is one want or one offer: what (any number of terms of the shared skills and resources
  taxonomy, none at all, plus free text), which kind of exchange, where (a square mile, a point, or
  anywhere), when, by whom, who may see it, and where it is in its life (open -> promised -> done /
  withdrawn / expired). `cell` (a map tile at `CELL_LEVEL`, -1 for "anywhere") is kept by `save()`.
* `ItemKey` is one key an item is found by: each of its terms ("s12" a skill, "r5" a resource) and
  each significant word of its text ("w:ladder"), with the item's side and cell copied, so that
  matching reads a small, indexed candidate set (`refresh_keys` keeps them after every change).
* `Match` is a want and an offer that meet, with the reason in plain words; `Ask` is a person whose
  profile says they can share the term, asked (notified) about an item; never shown to its owner.
* `Alert` is a saved filter that people follow through the shared follow (notifications.Follow).
"""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.functional import cached_property

from squaremile.core.geo import MILE_M
from squaremile.core.models import Visibility
from squaremile.mapping.cells.tiles import tile
from squaremile.moderation.models import ModerationState

CELL_LEVEL = 12  # about 6 km across in Britain; matching reads the cells within reach
FINE_LEVEL = 14  # about 1.5 km across: "near me" and the map layer read these
ANYWHERE_CELL = -1
MAX_RADIUS_M = round(10 * MILE_M)  # the farthest an item reaches: ten miles
DEFAULT_RADIUS_M = round(MILE_M)


def cell_of(lat: float | None, lng: float | None, level: int = CELL_LEVEL) -> int:
    """The key of the map tile holding a point at `level` (x and y packed), or -1 for no point."""
    if lat is None or lng is None:
        return ANYWHERE_CELL
    x, y = tile(lat, lng, level)
    return (x << level) | y


class Side(models.TextChoices):
    WANT = "want", "Want"
    OFFER = "offer", "Offer"


class Kind(models.TextChoices):
    HELP = "help", "Help or time"
    LEND = "lend", "A thing to lend"
    GIVE = "give", "A thing to give"
    SPACE = "space", "A space"
    TRANSPORT = "transport", "Transport"


class Where(models.TextChoices):
    MINE = "mine", "My square mile"
    POINT = "point", "A place I choose"
    ANYWHERE = "anywhere", "Online or anywhere"


class Status(models.TextChoices):
    OPEN = "open", "Open"
    PROMISED = "promised", "Promised"
    DONE = "done", "Done"
    WITHDRAWN = "withdrawn", "Withdrawn"
    EXPIRED = "expired", "Expired"


LIVE = (Status.OPEN, Status.PROMISED)
ITEM_VISIBILITY = [(Visibility.PUBLIC, "Everyone"), (Visibility.MEMBERS, "Signed-in members only")]


def term_key(*, skill_id: int | None, resource_id: int | None) -> str:
    if skill_id:
        return f"s{skill_id}"
    if resource_id:
        return f"r{resource_id}"
    return ""


MAX_TERMS = 5  # skills and resources on one item
WORD_PREFIX = "w:"
MAX_WORD_KEYS = 24  # significant words of an item's text kept as keys
STOP = frozenset(
    [
        "the",
        "and",
        "for",
        "with",
        "from",
        "that",
        "this",
        "have",
        "need",
        "needs",
        "want",
        "wants",
        "offer",
        "offers",
        "can",
        "any",
        "some",
        "please",
        "help",
        "would",
        "like",
        "your",
        "you",
        "our",
        "are",
        "get",
        "got",
        "who",
        "has",
        "was",
        "will",
        "just",
        "into",
        "about",
        "able",
        "anyone",
        "someone",
    ]
)


def words(text: str) -> set[str]:
    """The significant words of a text (three letters or more, no stop words, a plural's -s dropped)."""
    found = set()
    for w in re.findall(r"[a-z]{3,}", (text or "").lower()):
        if w in STOP:
            continue
        found.add(w[:-1] if w.endswith("s") and len(w) > 4 else w)
    return found


def word_keys(title: str, details: str = "") -> list[str]:
    """The word keys of an item: the title's words first, then the details', at most MAX_WORD_KEYS."""
    keys = [WORD_PREFIX + w for w in sorted(words(title))]
    seen = set(keys)
    for w in sorted(words(details)):
        if len(keys) >= MAX_WORD_KEYS:
            break
        if WORD_PREFIX + w not in seen:
            keys.append(WORD_PREFIX + w)
            seen.add(WORD_PREFIX + w)
    return keys[:MAX_WORD_KEYS]


class Item(models.Model):
    side = models.CharField(max_length=5, choices=Side.choices)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.HELP)
    skills = models.ManyToManyField("directory.Skill", blank=True, related_name="+")
    resources = models.ManyToManyField("directory.ResourceKind", blank=True, related_name="+")
    title = models.CharField(max_length=140)
    details = models.TextField(blank=True, max_length=3000)
    when_note = models.CharField("when (in a few words)", max_length=80, blank=True)
    where = models.CharField(max_length=10, choices=Where.choices, default=Where.MINE)
    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)
    radius_m = models.PositiveIntegerField(default=DEFAULT_RADIUS_M)
    cell = models.BigIntegerField(default=ANYWHERE_CELL, editable=False)
    fine_cell = models.BigIntegerField(default=ANYWHERE_CELL, editable=False)
    area = models.ForeignKey("places.Area", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    ongoing = models.BooleanField(default=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exchange_items")
    organisation = models.ForeignKey(
        "directory.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="exchange_items"
    )
    # An organiser posting for someone who is not online: their first name or initials, and how the
    # organiser relays replies (seen by the organiser and moderators only).
    on_behalf_of = models.CharField(max_length=80, blank=True)
    relay_note = models.CharField(max_length=200, blank=True)
    visibility = models.CharField(max_length=10, choices=ITEM_VISIBILITY, default=Visibility.PUBLIC)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    moderation = models.CharField(max_length=10, choices=ModerationState.choices, default=ModerationState.PUBLISHED)
    partner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    owner_confirmed_at = models.DateTimeField(null=True, blank=True)
    partner_confirmed_at = models.DateTimeField(null=True, blank=True)
    met_at = models.DateTimeField(null=True, blank=True)
    thanks = models.TextField(blank=True, max_length=2000)
    reminded_7_at = models.DateTimeField(null=True, blank=True)
    reminded_1_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    attachments = GenericRelation("attachments.Attachment", related_query_name="exchange_item")

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "fine_cell", "created_at"], name="exch_near_new"),
            models.Index(fields=["status", "expires_at"], name="exch_expiry"),
            models.Index(fields=["area", "status"], name="exch_area"),
            models.Index(fields=["status", "-created_at"], name="exch_recent"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if self.where == Where.ANYWHERE:
            self.lat = self.lng = None
        self.radius_m = max(100, min(int(self.radius_m or DEFAULT_RADIUS_M), MAX_RADIUS_M))
        self.cell = cell_of(self.lat, self.lng)
        self.fine_cell = cell_of(self.lat, self.lng, FINE_LEVEL)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("exchange:detail", args=[self.pk])

    def clean(self):
        if self.where != Where.ANYWHERE and (self.lat is None or self.lng is None):
            raise ValidationError("Say where, or choose “Online or anywhere”.")
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "The end is before the start."})

    @cached_property
    def what_list(self) -> list:
        """The item's skills and resources (prefetched by `selectors.with_related`), skills first."""
        if not self.pk:
            return []
        return sorted(self.skills.all(), key=lambda s: s.name) + sorted(self.resources.all(), key=lambda r: r.name)

    @property
    def what_label(self) -> str:
        return ", ".join(t.name for t in self.what_list)

    @cached_property
    def terms(self) -> list[str]:
        """Its taxonomy keys ("s12", "r5"); set it on an unsaved item to match without saving."""
        out = []
        for t in self.what_list:
            out.append(term_key(skill_id=t.pk, resource_id=None) if t._meta.model_name == "skill" else f"r{t.pk}")
        return out

    def forget_terms(self) -> None:
        for name in ("what_list", "terms"):
            self.__dict__.pop(name, None)

    @property
    def is_live(self) -> bool:
        return self.status in LIVE

    @property
    def is_public(self) -> bool:
        return self.visibility == Visibility.PUBLIC and self.moderation == ModerationState.PUBLISHED

    @property
    def verb(self) -> str:
        return "offers" if self.side == Side.OFFER else "needs"

    @property
    def by_label(self) -> str:
        if self.on_behalf_of:
            return f"{self.on_behalf_of} (posted by an organiser)"
        if self.organisation_id:
            return self.organisation.name
        profile = getattr(self.owner, "profile", None)
        return (profile.display_name if profile else "") or "A neighbour"


class ItemKey(models.Model):
    """One key an item is found by (a term or a word), with the item's side and cell: matching reads
    `(side, key, cell)` ranges of one index. Rebuilt by `refresh_keys` whenever the item changes."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="keys")
    key = models.CharField(max_length=40)
    side = models.CharField(max_length=5, choices=Side.choices)
    cell = models.BigIntegerField(default=ANYWHERE_CELL)
    tagged = models.BooleanField(default=True, help_text="The item has at least one taxonomy term.")

    class Meta:
        indexes = [models.Index(fields=["side", "key", "cell"], name="exch_key")]
        constraints = [models.UniqueConstraint(fields=["item", "key"], name="exch_key_once")]

    def __str__(self):
        return f"{self.item_id}: {self.key}"


def keys_for(item: Item, terms: list[str]) -> list[ItemKey]:
    tagged = bool(terms)
    keys = list(dict.fromkeys([*terms, *word_keys(item.title, item.details)]))
    return [ItemKey(item_id=item.pk, key=k, side=item.side, cell=item.cell, tagged=tagged) for k in keys]


def refresh_keys(item: Item) -> None:
    """Rebuild the item's keys from its terms and text (after save and after its terms are set)."""
    item.forget_terms()
    ItemKey.objects.filter(item_id=item.pk).delete()
    ItemKey.objects.bulk_create(keys_for(item, item.terms))


class Match(models.Model):
    """A want and an offer that meet: found when either was posted or edited."""

    want = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="offer_matches")
    offer = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="want_matches")
    score = models.FloatField()
    distance_m = models.FloatField(null=True, blank=True)
    reason = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-score"]
        constraints = [models.UniqueConstraint(fields=["want", "offer"], name="exch_match_once")]

    def __str__(self):
        return f"{self.want_id} ↔ {self.offer_id}"


class Ask(models.Model):
    """A person whose profile says they can share an item's term, asked about it (a notification).
    Only they see it; the item's owner is never told who was asked."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="asks")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exchange_asks")
    reason = models.CharField(max_length=300)
    distance_m = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "person"], name="exch_ask_once")]

    def __str__(self):
        return f"{self.item_id} → {self.person_id}"


class AlertDelivery(models.TextChoices):
    IMMEDIATE = "immediate", "At once"
    DAILY = "daily", "In my daily digest"
    WEEKLY = "weekly", "In my weekly digest"


class Alert(models.Model):
    """A saved filter ("offers of tools within my square mile"); its owner follows it (the shared
    follow) and hears of each new item that fits, at once or in a digest, as they chose."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exchange_alerts")
    side = models.CharField(max_length=5, choices=Side.choices)
    kind = models.CharField(max_length=10, choices=Kind.choices, blank=True)
    skill = models.ForeignKey("directory.Skill", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    resource = models.ForeignKey(
        "directory.ResourceKind", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    term = models.CharField(max_length=12, blank=True, editable=False)
    area = models.ForeignKey("places.Area", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)
    radius_m = models.PositiveIntegerField(null=True, blank=True)
    words = models.CharField(max_length=80, blank=True)
    delivery = models.CharField(max_length=10, choices=AlertDelivery.choices, default=AlertDelivery.DAILY)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["side", "term"], name="exch_alert_term")]

    def __str__(self):
        return self.describe()

    def save(self, *args, **kwargs):
        self.term = term_key(skill_id=self.skill_id, resource_id=self.resource_id)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("exchange:alerts")

    def describe(self) -> str:
        noun = "Offers" if self.side == Side.OFFER else "Wants"
        parts = [noun]
        what = self.skill or self.resource
        if what:
            parts.append(f"of {what.name}" if self.side == Side.OFFER else f"for {what.name}")
        elif self.kind:
            parts.append(f"({self.get_kind_display().lower()})")
        if self.words:
            parts.append(f"mentioning “{self.words}”")
        if self.area_id:
            parts.append(f"in {self.area.name}")
        elif self.lat is not None:
            parts.append("within my square mile")
        return " ".join(parts)
