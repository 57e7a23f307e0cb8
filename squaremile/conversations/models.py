"""Groups, threads, decisions and outcomes, private conversations, by web and by e-mail: the data and its invariants.

* A `Group` is a space (`core/spaces.py`): its facilitators and members hold `SpaceRole` rows
  (facilitator / member); a `Membership` row keeps what is the person's own (how they hear about
  the group by e-mail, whether they asked to join and wait, whether their first posts are held).
* A `Thread` lives in a group; its `Post`s are numbered 1, 2, 3... in the thread (the opening post
  is number 1), so any page of a 10,000-reply thread is one index range, not an OFFSET.
* A `Decision` belongs to a thread (a proposal or a choice), with one `Vote` per person.
* A `Conversation` is private, between two or a few people (`Participant`), with `Message`s.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.urls import reverse

from squaremile.moderation.models import ModerationState

USER = settings.AUTH_USER_MODEL


class Access(models.TextChoices):
    OPEN = "open", "Open: anyone can join"
    REQUEST = "request", "By request: a facilitator says yes"
    PRIVATE = "private", "Private: by invitation, only members see it"


class EmailMode(models.TextChoices):
    EACH = "each", "Every post by e-mail"
    DAILY = "daily", "A daily digest"
    WEEKLY = "weekly", "A weekly digest"
    NONE = "none", "No e-mail"


class MemberStatus(models.TextChoices):
    MEMBER = "member", "Member"
    REQUESTED = "requested", "Asked to join"
    INVITED = "invited", "Invited"


class GroupQuerySet(models.QuerySet):
    def listed(self):
        """Groups anyone may find (private groups are listed only to their members, see selectors)."""
        return self.exclude(access=Access.PRIVATE)


class Group(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    purpose = models.TextField(max_length=4000, blank=True)
    topic = models.CharField(max_length=60, blank=True, db_index=True)
    area = models.ForeignKey("places.Area", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    organisation = models.ForeignKey(
        "directory.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    access = models.CharField(max_length=10, choices=Access.choices, default=Access.OPEN)
    owner = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    moderate_first_posts = models.PositiveSmallIntegerField(
        default=0, help_text="How many of a new member's first posts wait for a facilitator (0: none)."
    )
    member_count = models.PositiveIntegerField(default=0)
    thread_count = models.PositiveIntegerField(default=0)
    last_activity_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    roles = GenericRelation("core.SpaceRole", related_query_name="conversation_group")

    objects = GroupQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["access", "name"], name="conv_group_access")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("conversations:group_detail", kwargs={"slug": self.slug})

    @property
    def is_private(self) -> bool:
        return self.access == Access.PRIVATE


class Membership(models.Model):
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="group_memberships")
    status = models.CharField(max_length=10, choices=MemberStatus.choices, default=MemberStatus.MEMBER)
    email_mode = models.CharField(max_length=10, choices=EmailMode.choices, default=EmailMode.DAILY)
    posts_published = models.PositiveIntegerField(default=0)  # for "first posts to moderation"
    message = models.CharField(max_length=300, blank=True)  # why they ask to join
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["group", "user"], name="conv_membership_unique")]
        indexes = [
            models.Index(fields=["group", "status", "email_mode"], name="conv_member_mode"),
            models.Index(fields=["user", "status"], name="conv_member_user"),
        ]

    def __str__(self):
        return f"{self.user} in {self.group}"


class Thread(models.Model):
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="threads")
    title = models.CharField(max_length=200)
    author = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=10, choices=ModerationState.choices, default=ModerationState.PUBLISHED)
    pinned = models.BooleanField(default=False)
    locked = models.BooleanField(default=False)
    slow_minutes = models.PositiveSmallIntegerField(default=0)  # one reply per person per N minutes
    post_count = models.PositiveIntegerField(default=0)  # the highest post number given
    reply_count = models.PositiveIntegerField(default=0)  # published replies (not the opening post)
    answer = models.ForeignKey("Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    outcome = models.TextField(max_length=8000, blank=True)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_activity_at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["group", "status", "-pinned", "-last_activity_at", "-id"], name="conv_thread_list"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("conversations:thread_detail", kwargs={"pk": self.pk})

    def permission_space(self):
        return self.group

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    @property
    def owner_id(self):  # the owner rule of core/permissions.py
        return self.author_id


class Post(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    number = models.PositiveIntegerField()  # 1 is the opening post
    author = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField(max_length=20000)
    # the body rendered once when written (core.text.render_markdown: sanitised), so that a page of
    # 50 posts is not 50 markdown renders; empty for rows written otherwise (rendered when shown)
    html = models.TextField(blank=True, editable=False)
    status = models.CharField(max_length=10, choices=ModerationState.choices, default=ModerationState.PUBLISHED)
    quote_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    plus_ones = models.PositiveIntegerField(default=0)
    via_email = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    attachments = GenericRelation("attachments.Attachment", related_query_name="conversation_post")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["thread", "number"], name="conv_post_number")]
        indexes = [models.Index(fields=["created_at"], name="conv_post_created")]

    def __str__(self):
        return f"#{self.number} in {self.thread_id}"

    def get_absolute_url(self):
        return reverse("conversations:post_link", kwargs={"pk": self.pk})

    def permission_space(self):
        return self.thread.group

    @property
    def owner_id(self):
        return self.author_id


class PlusOne(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "user"], name="conv_plusone_unique")]

    def __str__(self):
        return f"+1 by {self.user_id} on {self.post_id}"


class ReadMark(models.Model):
    """Where a person stopped reading a thread: the highest post number they have seen."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "thread"], name="conv_readmark_unique")]

    def __str__(self):
        return f"{self.user_id} read {self.thread_id} to #{self.last_number}"


class DecisionKind(models.TextChoices):
    PROPOSAL = "proposal", "A proposal: agree, abstain, disagree or block"
    CHOICE = "choice", "A choice among options"


class Position(models.TextChoices):
    AGREE = "agree", "Agree"
    ABSTAIN = "abstain", "Abstain"
    DISAGREE = "disagree", "Disagree"
    BLOCK = "block", "Block"


class Decision(models.Model):
    thread = models.OneToOneField(Thread, on_delete=models.CASCADE, related_name="decision")
    kind = models.CharField(max_length=10, choices=DecisionKind.choices, default=DecisionKind.PROPOSAL)
    question = models.CharField(max_length=300)
    options = models.JSONField(default=list, blank=True)  # for a choice: the options' words
    closes_at = models.DateTimeField()
    live_results = models.BooleanField(default=False)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.question

    def permission_space(self):
        return self.thread.group


class Vote(models.Model):
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    choice = models.CharField(max_length=200)  # a Position value, or the option's words
    reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["decision", "user"], name="conv_vote_unique")]

    def __str__(self):
        return f"{self.user_id}: {self.choice}"


# ---- private conversations --------------------------------------------------------------------
class Conversation(models.Model):
    subject = models.CharField(max_length=200, blank=True)
    about = models.CharField(max_length=80, blank=True, db_index=True)  # a core.records reference, or ""
    people_key = models.CharField(max_length=200, db_index=True)  # the sorted ids: "3,8,12"
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_message_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return self.subject or f"Conversation {self.pk}"

    def get_absolute_url(self):
        return reverse("conversations:private_detail", kwargs={"pk": self.pk})


class Participant(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    last_read_at = models.DateTimeField(null=True, blank=True)
    email_each = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["conversation", "user"], name="conv_participant_unique")]
        indexes = [models.Index(fields=["user", "conversation"], name="conv_participant_user")]

    def __str__(self):
        return f"{self.user_id} in {self.conversation_id}"


class Message(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField(max_length=20000)
    status = models.CharField(max_length=10, choices=ModerationState.choices, default=ModerationState.PUBLISHED)
    via_email = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["conversation", "id"], name="conv_message_order")]

    def __str__(self):
        return f"Message {self.pk}"

    def get_absolute_url(self):
        return reverse("conversations:private_detail", kwargs={"pk": self.conversation_id}) + f"#m{self.pk}"

    @property
    def owner_id(self):
        return self.author_id


class Block(models.Model):
    """`blocker` does not want private messages from `blocked` (and sends them none)."""

    blocker = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    blocked = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["blocker", "blocked"], name="conv_block_unique")]

    def __str__(self):
        return f"{self.blocker_id} blocked {self.blocked_id}"
