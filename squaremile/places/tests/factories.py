import factory

from squaremile.places.models import Area, AreaKind


def square(lat: float, lng: float, half: float = 0.01) -> dict:
    """A GeoJSON square polygon centred on (lat, lng)."""
    ring = [[lng - half, lat - half], [lng + half, lat - half], [lng + half, lat + half], [lng - half, lat + half]]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


class AreaFactory(factory.django.DjangoModelFactory):
    """An area with a square boundary; pass `lat`, `lng`, `half` to place it."""

    class Meta:
        model = Area
        exclude = ("lat", "lng", "half")

    lat = 53.8
    lng = -1.55
    half = 0.01
    name = factory.Sequence(lambda n: f"Area {n}")
    slug = factory.Sequence(lambda n: f"area-{n}")
    kind = AreaKind.NEIGHBOURHOOD
    boundary = factory.LazyAttribute(lambda o: square(o.lat, o.lng, o.half))
    centroid_lat = factory.SelfAttribute("lat")
    centroid_lng = factory.SelfAttribute("lng")
    min_lat = factory.LazyAttribute(lambda o: o.lat - o.half)
    max_lat = factory.LazyAttribute(lambda o: o.lat + o.half)
    min_lng = factory.LazyAttribute(lambda o: o.lng - o.half)
    max_lng = factory.LazyAttribute(lambda o: o.lng + o.half)
    area_sq_deg = factory.LazyAttribute(lambda o: (2 * o.half) ** 2)
