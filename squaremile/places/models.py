from django.db import models
from django.urls import reverse


class AreaKind(models.TextChoices):
    NEIGHBOURHOOD = "neighbourhood", "Neighbourhood"
    VILLAGE = "village", "Village"
    WARD = "ward", "Ward"
    PARISH = "parish", "Parish"
    TOWN = "town", "Town or city"
    DISTRICT = "district", "District"
    COUNTY = "county", "County"
    REGION = "region", "Region"
    OTHER = "other", "Other area"


class Area(models.Model):
    """A named place people recognise: a neighbourhood, ward, town or region.

    The boundary is a GeoJSON Polygon or MultiPolygon geometry (WGS84). Its bounding box and
    centroid are stored in indexed columns so that point-in-area and "near me" can prefilter in
    SQL on both SQLite and PostgreSQL before the exact test with shapely.
    """

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    kind = models.CharField(max_length=20, choices=AreaKind.choices, default=AreaKind.NEIGHBOURHOOD)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children")
    description = models.TextField(blank=True)
    boundary = models.JSONField(null=True, blank=True)
    centroid_lat = models.FloatField(null=True, blank=True)
    centroid_lng = models.FloatField(null=True, blank=True)
    min_lat = models.FloatField(null=True, blank=True)
    min_lng = models.FloatField(null=True, blank=True)
    max_lat = models.FloatField(null=True, blank=True)
    max_lng = models.FloatField(null=True, blank=True)
    # Larger areas first when several contain a point; smaller is more specific.
    area_sq_deg = models.FloatField(null=True, blank=True)
    external_id = models.CharField(max_length=100, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["min_lat", "max_lat"], name="area_bbox_lat"),
            models.Index(fields=["kind", "name"], name="area_kind_name"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("places:area_detail", args=[self.slug])

    @property
    def has_location(self):
        return self.centroid_lat is not None and self.centroid_lng is not None


class PlaceKind(models.TextChoices):
    LOCALITY = "locality", "Town, village or neighbourhood"
    STREET = "street", "Street"
    POSTCODE = "postcode", "Postcode"
    LANDMARK = "landmark", "Landmark"


def lookup_key(text: str) -> str:
    """How a place name is matched: lower case, letters and digits only ("St. Mary's Rd" ->
    "stmarysrd", "LS6 1AA" -> "ls61aa"), so spacing and punctuation never matter."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


class Place(models.Model):
    """A gazetteer row: a name people type (a street, a postcode, a landmark) and its point, so that
    "my square mile" and "near me" can be set by typing a place instead of tapping a map. No outside
    service is asked: operators load their own list (`manage.py import_gazetteer`)."""

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=PlaceKind.choices, default=PlaceKind.LOCALITY)
    key = models.CharField(max_length=200, db_index=True, editable=False)
    lat = models.FloatField()
    lng = models.FloatField()
    context = models.CharField(max_length=200, blank=True, help_text="Shown after the name, e.g. the town.")

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["key", "kind", "context"], name="place_unique_key")]

    def __str__(self):
        return f"{self.name}, {self.context}" if self.context else self.name

    def save(self, *args, **kwargs):
        self.key = lookup_key(self.name)
        super().save(*args, **kwargs)
