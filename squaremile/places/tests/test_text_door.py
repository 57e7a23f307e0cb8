"""Area names from an imported boundaries file are cleaned like every other text at the door."""

import pytest

from squaremile.accounts.models import Role
from squaremile.accounts.tests.factories import UserFactory
from squaremile.places.models import Area, AreaKind
from squaremile.places.services import import_boundaries
from squaremile.places.tests.factories import square

pytestmark = pytest.mark.django_db


def test_boundary_names_and_ids_are_cleaned():
    feature = {"type": "Feature", "properties": {"name": "Hyde\u202e\u0001 Park\u200b", "id": "E05\u2066001"},
               "geometry": square(53.81, -1.57, 0.01)}  # fmt: skip
    import_boundaries(data={"type": "FeatureCollection", "features": [feature]}, by=UserFactory(role=Role.ADMIN),
                      kind=AreaKind.WARD)  # fmt: skip
    area = Area.objects.get()
    assert (area.name, area.external_id, area.slug) == ("Hyde Park", "E05001", "hyde-park")
