from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.urls import reverse

from squaremile.core.models import Visibility
from squaremile.directory.hours import validate_hours


class Stream(models.TextChoices):
    """The four streams of actors that Square Mile keeps side by side."""

    INDIVIDUAL = "individual", "Individual-led"
    COMMUNITY = "community", "Community and voluntary"
    PUBLIC = "public", "Public body"
    BUSINESS = "business", "Business"


class OrganisationType(models.TextChoices):
    INFORMAL_GROUP = "informal_group", "Informal group"
    COMMUNITY_GROUP = "community_group", "Community group"
    CHARITY = "charity", "Charity"
    SOCIAL_ENTERPRISE = "social_enterprise", "Social enterprise"
    COOPERATIVE = "cooperative", "Co-operative or mutual"
    FAITH_GROUP = "faith_group", "Faith group"
    TENANTS_RESIDENTS = "tenants_residents", "Tenants' or residents' association"
    NETWORK = "network", "Network or partnership"
    SCHOOL = "school", "School or college"
    COUNCIL = "council", "Council"
    HEALTH = "health", "Health service"
    PUBLIC_SERVICE = "public_service", "Other public service"
    BUSINESS = "business", "Business"
    OTHER = "other", "Other"


class SkillFamily(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=110, unique=True)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "skill families"

    def __str__(self):
        return self.name


class Skill(models.Model):
    family = models.ForeignKey(SkillFamily, on_delete=models.PROTECT, related_name="skills")
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=130, unique=True)
    description = models.TextField(blank=True)
    people = models.ManyToManyField("accounts.Profile", blank=True, related_name="skills")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("directory:skill_detail", args=[self.slug])


class ResourceKind(models.Model):
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=130, unique=True)
    description = models.TextField(blank=True)
    people = models.ManyToManyField("accounts.Profile", blank=True, related_name="resources")

    class Meta:
        ordering = ["name"]
        verbose_name = "kind of resource"
        verbose_name_plural = "kinds of resource"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("directory:resource_detail", args=[self.slug])


class LocatedRecord(models.Model):
    """Shared columns of directory records: owner, place, timestamps."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    description = models.TextField(blank=True)
    website = models.URLField(max_length=500, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)
    # The most specific area that holds the point; kept by the services on every save.
    area = models.ForeignKey("places.Area", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    @property
    def has_location(self):
        return self.lat is not None and self.lng is not None


class Organisation(LocatedRecord):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    stream = models.CharField(max_length=20, choices=Stream.choices, default=Stream.COMMUNITY)
    org_type = models.CharField(
        "type", max_length=30, choices=OrganisationType.choices, default=OrganisationType.COMMUNITY_GROUP
    )
    address = models.CharField(max_length=300, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    contact_visibility = models.CharField(
        "who can see the contact details", max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    areas_served = models.ManyToManyField("places.Area", blank=True, related_name="organisations_serving")
    skills = models.ManyToManyField(Skill, blank=True, related_name="organisations")
    resources = models.ManyToManyField(ResourceKind, blank=True, related_name="organisations")
    # When people can drop in or phone, in the site's time zone (`directory.hours`): {"mo": ["09:00", "17:00"]}
    opening_hours = models.JSONField(default=dict, blank=True, validators=[validate_hours])
    hours_note = models.CharField(
        "about the opening hours", max_length=200, blank=True, help_text="e.g. “Term time only” or “Ring the bell”."
    )
    # The organisation's id in a list it was imported from (or "auto:..." from its name and postcode):
    # importing the same list again updates it instead of adding it twice.
    external_id = models.CharField(max_length=200, blank=True, db_index=True, editable=False)
    # An organisation is a space: its organisers and members (core/spaces.py; deleted with it)
    space_roles = GenericRelation("core.SpaceRole")

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["name", "id"], name="org_name"),
            models.Index(fields=["stream", "name", "id"], name="org_stream_name"),
            models.Index(fields=["org_type", "name", "id"], name="org_type_name"),
            models.Index(fields=["area", "name", "id"], name="org_area_name"),
            models.Index(fields=["lat", "lng"], name="org_latlng"),
            models.Index(fields=["-updated_at"], name="org_updated"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("directory:organisation_detail", args=[self.slug])


class ProjectStatus(models.TextChoices):
    IDEA = "idea", "Idea"
    STARTING = "starting", "Starting up"
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    ENDED = "ended", "Ended"


class Project(LocatedRecord):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    status = models.CharField(max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.ACTIVE)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    organisations = models.ManyToManyField(Organisation, blank=True, related_name="projects")
    skills = models.ManyToManyField(Skill, blank=True, related_name="projects")

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["name", "id"], name="project_name"),
            models.Index(fields=["status", "name", "id"], name="project_status_name"),
            models.Index(fields=["area", "name", "id"], name="project_area_name"),
            models.Index(fields=["lat", "lng"], name="project_latlng"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(start_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="project_dates_in_order",
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("directory:project_detail", args=[self.slug])
