"""The method library and the skills game: the data and its invariants.

Library: a `Method` (published through the shared moderation) with its ordered `MethodStep`s; an
edit anyone proposes is a `MethodRevision` (pending until a moderator accepts it; then it is applied
and the change is written to the audit log); `Collection`s of methods (kits with a booklet); and
`UsageReport`s ("we used this"), counted on the method (`use_count`).

Game: a `Card` per skill of the taxonomy (Square Mile's own words), `Deck`s of cards, a `Game` an
organiser opens (one event, one deck) with its `GameTable`s (phones, one shared screen, or paper),
the `Player`s who joined a table, and a `Placement` per card sorted into one of three piles.
`GameTable.version` goes up with every change so phones can poll cheaply (ETag).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.urls import reverse

from squaremile.moderation.models import ModerationState


class Purpose(models.TextChoices):
    MAP_ASSETS = "map-assets", "Map what we have"
    IDEAS = "ideas", "Generate ideas"
    DECIDE = "decide", "Decide together"
    RELATIONSHIPS = "relationships", "Build relationships"
    EVALUATE = "evaluate", "Evaluate and learn"
    STORIES = "stories", "Tell stories"
    SKILLS = "skills", "Find out our skills"
    PLAN = "plan", "Plan action"
    NETWORK = "network", "Map our networks"


class Setting(models.TextChoices):
    FACE = "face", "Face to face"
    ONLINE = "online", "Online"
    BOTH = "both", "Face to face or online"


class Difficulty(models.TextChoices):
    EASY = "easy", "Easy: anyone can run it"
    MEDIUM = "medium", "Some practice helps"
    HARD = "hard", "Needs an experienced facilitator"


class Licence(models.TextChoices):
    CC_BY_SA = "CC-BY-SA-4.0", "CC BY-SA 4.0"
    CC_BY = "CC-BY-4.0", "CC BY 4.0"
    CC0 = "CC0-1.0", "CC0 1.0 (public domain)"
    CC_BY_NC_SA = "CC-BY-NC-SA-4.0", "CC BY-NC-SA 4.0"


LICENCE_URLS = {
    Licence.CC_BY_SA: "https://creativecommons.org/licenses/by-sa/4.0/",
    Licence.CC_BY: "https://creativecommons.org/licenses/by/4.0/",
    Licence.CC0: "https://creativecommons.org/publicdomain/zero/1.0/",
    Licence.CC_BY_NC_SA: "https://creativecommons.org/licenses/by-nc-sa/4.0/",
}


def purposes_text(values) -> str:
    """Stored form of a set of purposes: ",decide,ideas," (so a purpose filters with `contains`)."""
    chosen = [v for v in Purpose.values if v in set(values or ())]
    return "," + ",".join(chosen) + "," if chosen else ""


class Method(models.Model):
    slug = models.SlugField(max_length=140, unique=True)
    name = models.CharField(max_length=120)
    summary = models.CharField("One-line summary", max_length=200)
    description = models.TextField(blank=True, help_text="What it is and when it helps (markdown).")
    purposes = models.CharField(max_length=200, blank=True)  # purposes_text(...)
    min_people = models.PositiveSmallIntegerField(default=2)
    max_people = models.PositiveIntegerField(default=30)
    minutes = models.PositiveIntegerField("Time needed (minutes)", default=60)
    setting = models.CharField(max_length=10, choices=Setting.choices, default=Setting.FACE)
    difficulty = models.CharField(max_length=10, choices=Difficulty.choices, default=Difficulty.EASY)
    materials = models.TextField("Materials and space", blank=True)
    facilitator_skills = models.TextField(blank=True)
    tips = models.TextField("Tips and traps", blank=True)
    variations = models.TextField(blank=True)
    origin = models.TextField("Origin and credit", blank=True)
    licence = models.CharField(max_length=20, choices=Licence.choices, default=Licence.CC_BY_SA)
    links = models.TextField(blank=True, help_text="One web address a line.")
    status = models.CharField(max_length=10, choices=ModerationState.choices, default=ModerationState.PENDING)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="methods"
    )
    use_count = models.PositiveIntegerField(default=0)  # published usage reports, kept by the services
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    external_id = models.CharField(max_length=140, blank=True, db_index=True)
    attachments = GenericRelation("attachments.Attachment", related_query_name="method")

    class Meta:
        ordering = ["name"]
        indexes = [
            # The list's two orders exactly (the id breaks ties): a page is read off the index, and
            # the page's ids come from the index alone (selectors.page_of_methods).
            models.Index(fields=["status", "name", "id"], name="methods_status_name_id"),
            models.Index(fields=["status", "-use_count", "name", "id"], name="methods_status_uses_id"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_people__gte=models.F("min_people")), name="method_people_range"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("methods:detail", args=[self.slug])

    @property
    def purpose_list(self) -> list[str]:
        return [p for p in (self.purposes or "").split(",") if p]

    @property
    def purpose_labels(self) -> list[str]:
        labels = dict(Purpose.choices)
        return [labels[p] for p in self.purpose_list if p in labels]

    @property
    def licence_url(self) -> str:
        return LICENCE_URLS.get(self.licence, "")

    @property
    def link_list(self) -> list[str]:
        return [line.strip() for line in (self.links or "").splitlines() if line.strip()]

    @property
    def is_published(self) -> bool:
        return self.status == ModerationState.PUBLISHED


class MethodStep(models.Model):
    method = models.ForeignKey(Method, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=160)
    minutes = models.PositiveSmallIntegerField(default=0)
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["method", "position", "id"]

    def __str__(self):
        return self.title


class MethodRevision(models.Model):
    """An edit someone proposed to a published method: waits in the moderation queue; publishing
    it applies `data` (the method's fields and steps) to the method."""

    method = models.ForeignKey(Method, on_delete=models.CASCADE, related_name="revisions")
    data = models.JSONField(default=dict)
    note = models.CharField("What changed and why", max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=ModerationState.choices, default=ModerationState.PENDING)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="method_revisions"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Edit to {self.method.name}"

    def get_absolute_url(self):
        return reverse("methods:revision", args=[self.method.slug, self.pk])

    @property
    def title(self) -> str:
        return str(self)


class Collection(models.Model):
    slug = models.SlugField(max_length=140, unique=True)
    title = models.CharField(max_length=140)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="method_collections"
    )
    methods = models.ManyToManyField(Method, through="CollectionItem", related_name="collections")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("methods:collection", args=[self.slug])


class CollectionItem(models.Model):
    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="items")
    method = models.ForeignKey(Method, on_delete=models.CASCADE, related_name="collection_items")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["collection", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["collection", "method"], name="collection_method_once")]

    def __str__(self):
        return f"{self.collection_id}:{self.method_id}"


class UsageReport(models.Model):
    """ "We used this": when, where, how many, what worked, what did not, photos."""

    method = models.ForeignKey(Method, on_delete=models.CASCADE, related_name="reports")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="method_reports"
    )
    used_on = models.DateField("When")
    place = models.CharField("Where", max_length=160, blank=True)
    people = models.PositiveIntegerField("How many people")
    worked = models.TextField("What worked", blank=True)
    did_not_work = models.TextField("What didn't", blank=True)
    event_ref = models.CharField(max_length=80, blank=True)  # core.records reference, e.g. "events.event:3"
    story_ref = models.CharField(max_length=80, blank=True)
    status = models.CharField(max_length=10, choices=ModerationState.choices, default=ModerationState.PUBLISHED)
    created_at = models.DateTimeField(auto_now_add=True)
    attachments = GenericRelation("attachments.Attachment", related_query_name="method_report")

    class Meta:
        ordering = ["-used_on", "-id"]
        indexes = [models.Index(fields=["method", "status", "-used_on", "-id"], name="methods_report_list")]

    def __str__(self):
        return f"{self.method.name} on {self.used_on:%d %b %Y}"

    def get_absolute_url(self):
        return reverse("methods:detail", args=[self.method.slug]) + f"#report-{self.pk}"


# --- the skills game ------------------------------------------------------------------------------


class Pile(models.TextChoices):
    CAN = "can", "We can"
    FRIENDS = "friends", "Our friends can"
    NOBODY = "nobody", "Nobody we know can"


class Card(models.Model):
    """One skill card: Square Mile's own words for a skill of the taxonomy."""

    skill = models.OneToOneField(
        "directory.Skill", null=True, blank=True, on_delete=models.SET_NULL, related_name="card"
    )
    family = models.ForeignKey("directory.SkillFamily", on_delete=models.PROTECT, related_name="cards")
    text = models.CharField(max_length=120)  # its phrasing, "Fix a dripping tap" (the skill: "Plumbing")
    hint = models.CharField(max_length=200, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return self.text


class Deck(models.Model):
    name = models.CharField(max_length=120)
    description = models.CharField(max_length=300, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="game_decks"
    )
    cards = models.ManyToManyField(Card, through="DeckCard", related_name="decks")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("methods:deck", args=[self.pk])


class DeckCard(models.Model):
    deck = models.ForeignKey(Deck, on_delete=models.CASCADE, related_name="deck_cards")
    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="deck_entries")
    position = models.PositiveIntegerField(default=0)
    # This deck's words for the card (an organiser's copy can say it its own way); blank: the card's own.
    text = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["deck", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["deck", "card"], name="deck_card_once")]

    def __str__(self):
        return f"{self.deck_id}:{self.card_id}"


class Game(models.Model):
    """One playing of the game: one event (a hall, an evening), one deck, one or more tables."""

    name = models.CharField(max_length=140)
    deck = models.ForeignKey(Deck, on_delete=models.PROTECT, related_name="games")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="games"
    )
    area = models.ForeignKey("places.Area", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    played_on = models.DateField()
    event_ref = models.CharField(max_length=80, blank=True)
    # The group playing, so that its games can be compared over time: a record of the platform
    # (an organisation, a conversations group: `group_ref`, a core.records reference) or a named
    # team. `group_key` is what its games share: the reference, or "team:<slug of the name>".
    group_name = models.CharField(max_length=140, blank=True)
    group_ref = models.CharField(max_length=80, blank=True)
    group_key = models.CharField(max_length=160, blank=True, db_index=True)
    gaps_recorded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-played_on", "-id"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("methods:game", args=[self.pk])


class TableMode(models.TextChoices):
    PHONES = "phones", "Phones at a table"
    SCREEN = "screen", "One shared screen"
    PAPER = "paper", "Paper cards"


CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed on phones


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))


class GameTable(models.Model):
    game = models.ForeignKey(Game, on_delete=models.CASCADE, related_name="tables")
    name = models.CharField(max_length=60)
    mode = models.CharField(max_length=10, choices=TableMode.choices, default=TableMode.PHONES)
    code = models.CharField(max_length=8, unique=True, default=new_code)
    version = models.PositiveIntegerField(default=0)  # goes up with every change phones must see
    finished_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["game", "id"]

    def __str__(self):
        return f"{self.game.name}: {self.name}"

    def get_absolute_url(self):
        return reverse("methods:play", args=[self.code])


class Player(models.Model):
    table = models.ForeignKey(GameTable, on_delete=models.CASCADE, related_name="players")
    name = models.CharField(max_length=40)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="game_players"
    )
    token = models.CharField(max_length=64, unique=True, default=secrets.token_urlsafe)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["table", "id"]

    def __str__(self):
        return self.name


class Placement(models.Model):
    table = models.ForeignKey(GameTable, on_delete=models.CASCADE, related_name="placements")
    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="+")
    pile = models.CharField(max_length=10, choices=Pile.choices)
    player = models.ForeignKey(Player, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    placed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["table", "placed_at", "id"]
        constraints = [models.UniqueConstraint(fields=["table", "card"], name="placement_once_per_table")]

    def __str__(self):
        return f"{self.card_id} on {self.pile}"


class SkillGap(models.Model):
    """A skill "nobody we know can" do, recorded from a game with the players' consent: shown on
    the area's page, and posted as a want on the exchange (`want`)."""

    game = models.ForeignKey(Game, on_delete=models.CASCADE, related_name="gaps")
    skill = models.ForeignKey("directory.Skill", on_delete=models.CASCADE, related_name="+")
    area = models.ForeignKey("places.Area", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    want = models.ForeignKey("exchange.Item", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["game", "skill"], name="gap_once_per_game")]

    def __str__(self):
        return f"Gap: skill {self.skill_id}"
