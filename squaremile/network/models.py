"""Network mapping: surveys (questionnaires) run in rounds, their confidential responses, the people and
organisations they name (nodes), the ties between them, the stored analysis, and weaving suggestions.

Confidentiality is part of the data: every response carries its respondent's consent, and only the
published view (built from consent, see `publishing/published.py`) ever leaves the organisers' pages.
"""

import secrets

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.urls import reverse

from squaremile.questions.models import OWNER_RELATION


class Audience(models.TextChoices):
    LINK = "link", "Anyone with the link"
    MEMBERS = "members", "Signed-in members"
    INVITED = "invited", "Only people I invite"


class Survey(models.Model):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    introduction = models.TextField(blank=True, help_text="Markdown. Shown at the top of the questionnaire.")
    consent_text = models.TextField(
        help_text="Markdown. What will be shown, to whom, and how answers are kept. Respondents choose their consent "
        "after reading it.",
        blank=True,
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="surveys"
    )
    area = models.ForeignKey("places.Area", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.LINK)
    opens_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(null=True, blank=True)
    # The smallest group an anonymous node may be shown in (see publishing/published.py).
    anonymity_threshold = models.PositiveSmallIntegerField(default=5)
    # Standard questions can be reworded: question key -> the organiser's wording.
    wording = models.JSONField(default=dict, blank=True)
    skill_families = models.ManyToManyField(
        "directory.SkillFamily", blank=True, related_name="+", help_text="Empty means every family."
    )
    resource_kinds = models.ManyToManyField(
        "directory.ResourceKind", blank=True, related_name="+", help_text="Empty means every kind."
    )
    is_published = models.BooleanField(
        "publish the network map",
        default=False,
        help_text="Shows the published view (what consent allows) to everyone.",
    )
    published_at = models.DateTimeField(null=True, blank=True)
    allow_embed = models.BooleanField("allow embedding in other sites", default=True)
    # Its custom questions (squaremile.questions); the standard ones are built in (see `surveys/questions.py`).
    # Answers live in Response.answers under str(question.pk).
    questions = GenericRelation("questions.Question", **OWNER_RELATION)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # A survey is a space: its co-organisers hold SpaceRole rows (core/spaces.py), removed with it.
    space_roles = GenericRelation("core.SpaceRole")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("network:survey_detail", args=[self.slug])


class Round(models.Model):
    """One run of a survey. A survey re-run later is a new round; rounds are compared."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField(default=1)
    label = models.CharField(max_length=120, blank=True)
    opens_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(null=True, blank=True)
    # Bumped by every change to responses, nodes or ties; the analysis records the version it saw.
    data_version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["survey", "number"]
        constraints = [models.UniqueConstraint(fields=["survey", "number"], name="round_unique_number")]

    def __str__(self):
        return self.label or f"Round {self.number}"


def new_token() -> str:
    return secrets.token_urlsafe(24)


class Invitation(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    name = models.CharField(max_length=120, blank=True)
    email = models.EmailField()
    # Only a hash is stored; the link with the token is emailed once.
    token_hash = models.CharField(max_length=64, unique=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["survey", "email"], name="invitation_unique_email")]

    def __str__(self):
        return self.email


class NodeKind(models.TextChoices):
    RESPONDENT = "respondent", "Respondent"
    ORGANISATION = "organisation", "Organisation in the directory"
    NAMED = "named", "Named by a respondent"


class Node(models.Model):
    """Someone or something in a survey's network: a respondent, a directory organisation, or a name that
    respondents typed. Nodes belong to the survey (so rounds can be compared); merging a duplicate points
    it at the node it duplicates and moves its ties."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="nodes")
    kind = models.CharField(max_length=15, choices=NodeKind.choices)
    label = models.CharField(max_length=200)
    # Lower-cased, accents and punctuation folded: what name matching compares.
    match_key = models.CharField(max_length=200, db_index=True)
    organisation = models.ForeignKey(
        "directory.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["survey", "label", "id"]
        indexes = [models.Index(fields=["survey", "kind"], name="node_survey_kind")]

    def __str__(self):
        return self.label


class Consent(models.TextChoices):
    NAMED = "named", "Show me with my name"
    ANONYMOUS = "anonymous", "Show me without my name (only my stream or role)"
    HIDDEN = "hidden", "Do not show me at all (my answers still count in the totals)"


class ResponseSource(models.TextChoices):
    ONLINE = "online", "Online"
    PAPER = "paper", "Typed in from paper"
    IMPORT = "import", "Imported"


class Response(models.Model):
    """One respondent's answers in one round. Confidential to the survey's organisers."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="responses")
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="responses")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The private link to come back and update: only its hash is stored.
    token_hash = models.CharField(max_length=64, unique=True)
    display_name = models.CharField(max_length=120)
    email = models.EmailField(blank=True)
    stream = models.CharField(max_length=20, blank=True)  # directory Stream value
    role = models.CharField("role or organisation", max_length=120, blank=True)
    organisation = models.ForeignKey(
        "directory.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    consent = models.CharField(max_length=10, choices=Consent.choices)
    willingness = models.PositiveSmallIntegerField(null=True, blank=True)  # 0..4
    needs_text = models.TextField(blank=True)
    needed_skills = models.ManyToManyField("directory.Skill", blank=True, related_name="+")
    needed_resources = models.ManyToManyField("directory.ResourceKind", blank=True, related_name="+")
    answers = models.JSONField(default=dict, blank=True)  # questions.Question pk (str) -> value
    source = models.CharField(max_length=10, choices=ResponseSource.choices, default=ResponseSource.ONLINE)
    submitted_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["round", "display_name", "id"]
        constraints = [models.UniqueConstraint(fields=["round", "node"], name="response_one_per_node_round")]

    def __str__(self):
        return self.display_name


class Level(models.TextChoices):
    STRONG = "strong", "Strong"
    SOME = "some", "Some"


class ResponseSkill(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="skills")
    skill = models.ForeignKey("directory.Skill", on_delete=models.CASCADE, related_name="+")
    level = models.CharField(max_length=10, choices=Level.choices, default=Level.SOME)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["response", "skill"], name="responseskill_unique")]

    def __str__(self):
        return f"{self.skill_id} ({self.level})"


class ResponseResource(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="resources")
    resource = models.ForeignKey("directory.ResourceKind", on_delete=models.CASCADE, related_name="+")
    level = models.CharField(max_length=10, choices=Level.choices, default=Level.SOME)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["response", "resource"], name="responseresource_unique")]

    def __str__(self):
        return f"{self.resource_id} ({self.level})"


class TieOrigin(models.TextChoices):
    SURVEY = "survey", "Named in a response"
    IMPORT = "import", "Imported"
    WEAVING = "weaving", "Introduction made"


class Tie(models.Model):
    """ "source works with target", as one respondent said (or an import or a done introduction)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="ties")
    source = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="ties_out")
    target = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="ties_in")
    response = models.ForeignKey(Response, null=True, blank=True, on_delete=models.CASCADE, related_name="ties")
    typed_name = models.CharField(max_length=200, blank=True, help_text="What the respondent typed, kept for review.")
    strength = models.PositiveSmallIntegerField(default=2)  # 1 occasional .. 3 close
    sharing = models.PositiveSmallIntegerField(null=True, blank=True)  # 1..3 how good at sharing
    origin = models.CharField(max_length=10, choices=TieOrigin.choices, default=TieOrigin.SURVEY)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["round", "id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "source", "target"], name="tie_unique_pair"),
            models.CheckConstraint(condition=~models.Q(source=models.F("target")), name="tie_not_to_self"),
        ]

    def __str__(self):
        return f"{self.source_id} → {self.target_id}"


class MergeSuggestion(models.Model):
    """Two nodes that look like the same person or organisation, for the organiser to review."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="merge_suggestions")
    a = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="+")
    b = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    status = models.CharField(
        max_length=10, choices=[("open", "Open"), ("merged", "Merged"), ("dismissed", "Not the same")], default="open"
    )
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-score", "id"]
        constraints = [models.UniqueConstraint(fields=["a", "b"], name="mergesuggestion_unique_pair")]

    def __str__(self):
        return f"{self.a_id} ~ {self.b_id}"


class AnalysisStatus(models.TextChoices):
    STALE = "stale", "Out of date"
    RUNNING = "running", "Being recomputed"
    FRESH = "fresh", "Up to date"
    FAILED = "failed", "Failed"


class Analysis(models.Model):
    """The stored analysis of a round: figures, communities, layout and suggestions (as computed by
    `squaremile.network.analysis.analyse`), and which data version it describes."""

    round = models.OneToOneField(Round, on_delete=models.CASCADE, related_name="analysis")
    status = models.CharField(max_length=10, choices=AnalysisStatus.choices, default=AnalysisStatus.STALE)
    data_version = models.PositiveIntegerField(default=0)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    duration = models.FloatField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "analyses"

    def __str__(self):
        return f"Analysis of round {self.round_id}: {self.status}"


class SuggestionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Introduction made"
    DISMISSED = "dismissed", "Dismissed"


class Suggestion(models.Model):
    """A weaving suggestion kept so that an organiser can mark it done (which adds the tie) or dismissed."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="suggestions")
    kind = models.CharField(max_length=20)
    a = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="+")
    b = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="+")
    via = models.ForeignKey(Node, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    score = models.FloatField(default=0)
    reason = models.TextField()
    status = models.CharField(max_length=10, choices=SuggestionStatus.choices, default=SuggestionStatus.OPEN)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["round", "-score", "id"]
        constraints = [models.UniqueConstraint(fields=["round", "kind", "a", "b"], name="suggestion_unique")]

    def __str__(self):
        return self.reason[:60]
