from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.urls import reverse

from squaremile.core.geo import MILE_M
from squaremile.core.models import Visibility


class Role(models.TextChoices):
    """Ordered from least to most trusted; each role can do everything the ones before it can.
    What each may do is decided in `core/permissions.py` only (its RANK and RULES)."""

    MEMBER = "member", "Member"
    ORGANISER = "organiser", "Organiser"
    MODERATOR = "moderator", "Moderator"
    ADMIN = "admin", "Administrator"


class EmailUserManager(UserManager):
    def _create_user(self, username, email, password, **extra_fields):
        email = self.normalize_email(email)
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(None, email, password, **extra_fields)

    def create_superuser(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        extra_fields.setdefault("role", Role.ADMIN)
        return self._create_user(None, email, password, **extra_fields)


class User(AbstractUser):
    """A person. Signs in with an email address; `role` says what they may change."""

    username = None
    email = models.EmailField("email address", unique=True)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = EmailUserManager()

    class Meta:
        ordering = ["id"]

    def __str__(self):
        profile = getattr(self, "profile", None)
        if profile and profile.display_name:
            return profile.display_name
        # Never any part of the e-mail address: this name is shown to others.
        return f"Neighbour {self.pk}" if self.pk else "A neighbour"


class Profile(models.Model):
    """What a person tells the network about themselves, and who may see each part."""

    class Willingness(models.IntegerChoices):
        NOT_NOW = 0, "Not at the moment"
        A_LITTLE = 1, "A little, now and then"
        SOME = 2, "Happy to share some"
        A_LOT = 3, "Happy to share a lot"
        ANYTHING = 4, "Whatever helps"

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    display_name = models.CharField(max_length=80, blank=True)
    bio = models.TextField("short bio", max_length=2000, blank=True)
    home_area = models.ForeignKey(
        "places.Area", null=True, blank=True, on_delete=models.SET_NULL, related_name="residents"
    )
    # "My square mile": a point and a radius. Rural people care about many miles.
    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)
    radius_m = models.PositiveIntegerField(default=round(MILE_M))
    # skills and resources: many-to-many fields declared on directory.Skill / ResourceKind
    # (accessed here as profile.skills / profile.resources) so that directory depends on
    # accounts and never the other way round.
    willingness = models.PositiveSmallIntegerField(
        "willingness to share", choices=Willingness.choices, default=Willingness.SOME
    )
    profile_visibility = models.CharField(
        "who can see your name and bio", max_length=10, choices=Visibility.choices, default=Visibility.MEMBERS
    )
    place_visibility = models.CharField(
        "who can see your area and square mile",
        max_length=10,
        choices=Visibility.choices,
        default=Visibility.NOBODY,
    )
    skills_visibility = models.CharField(
        "who can see your skills, resources and willingness",
        max_length=10,
        choices=Visibility.choices,
        default=Visibility.MEMBERS,
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return self.display_name or str(self.user)

    def get_absolute_url(self):
        return reverse("accounts:person", args=[self.user_id])

    @property
    def radius_miles(self) -> float:
        return round(self.radius_m / MILE_M, 1)


class ApiToken(models.Model):
    """A personal token for writing through the API. Only a hash is stored; the token itself
    is shown once, when it is made."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"
