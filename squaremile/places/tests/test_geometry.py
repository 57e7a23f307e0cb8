import pytest
from django.core.exceptions import ValidationError

from squaremile.places.geometry import parse_boundary

OPEN_RING = {"type": "Polygon", "coordinates": [[[-1.6, 53.7], [-1.5, 53.7], [-1.5, 53.8], [-1.6, 53.8]]]}


def test_an_open_ring_is_stored_closed():
    facts = parse_boundary(OPEN_RING)
    ring = facts.geometry["coordinates"][0]
    assert ring[0] == ring[-1] and len(ring) == 5


def test_multipolygon_rings_are_closed_too():
    facts = parse_boundary({"type": "MultiPolygon", "coordinates": [OPEN_RING["coordinates"]]})
    ring = facts.geometry["coordinates"][0][0]
    assert ring[0] == ring[-1]


@pytest.mark.parametrize(
    "coordinates",
    [
        [[[True, False], [1, 0], [1, 1], [0, 0]]],
        [[["1", "2"], [1, 0], [1, 1], [0, 0]]],
        [[[0, 0], [1, 0]]],
        [[[0, 0], [0, 0], [0, 0], [0, 0]]],
        [5],
    ],
)
def test_malformed_positions_are_refused_in_words(coordinates):
    with pytest.raises(ValidationError) as exc:
        parse_boundary({"type": "Polygon", "coordinates": coordinates})
    assert exc.value.messages[0]
