import random
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from squaremile.mapping.cells import clusters, tiles
from squaremile.mapping.entries.filters import parse_filters
from squaremile.mapping.models import ClusterCell, Entry, EntryStatus, date_columns
from squaremile.mapping.tests.factories import CategoryFactory, EntryFactory, publish
from squaremile.places.models import Area

pytestmark = pytest.mark.django_db

KETTLEBY = (52.60, -1.10)


def _scatter(n, *, rng, category, centre=KETTLEBY, spread=0.05, **kw):
    kw.setdefault("status", EntryStatus.PUBLISHED)
    entries = []
    for i in range(n):
        lat = centre[0] + rng.uniform(-spread, spread)
        lng = centre[1] + rng.uniform(-spread, spread)
        entries.append(
            Entry(title=f"Thing {i}", category=category, lat=lat, lng=lng, **kw, **clusters.cell_columns(lat, lng))
        )
    return Entry.objects.bulk_create(entries)


def _view(**params):
    return clusters.view(parse_filters({k: str(v) for k, v in params.items()}))


def _cells():
    return {
        (c.level, c.x, c.y, c.category_id, c.verified, c.area_id): (c.count, c.sum_lat, c.sum_lng)
        for c in ClusterCell.objects.all()
    }


def test_cell_columns_match_tile_bounds():
    for lat, lng in [(0.0, 0.0), (52.6, -1.1), (-33.9, 151.2), (85.05, 179.99), (-85.05, -180.0), (89.9, 10)]:
        cols = clusters.cell_columns(lat, lng)
        assert 0 <= cols["cx20"] < 2**20 and 0 <= cols["cy20"] < 2**20
        west, south, east, north = clusters.tile_bounds(20, cols["cx20"], cols["cy20"])
        assert west - 1e-9 <= lng <= east + 1e-9
        clamped = max(-tiles.MAX_MERCATOR_LAT, min(tiles.MAX_MERCATOR_LAT, lat))
        assert south - 1e-9 <= clamped <= north + 1e-9


def test_counts_sum_to_the_published_entries_in_view():
    rng = random.Random(1)
    cat = CategoryFactory()
    _scatter(400, rng=rng, category=cat)
    _scatter(50, rng=rng, category=cat, centre=(51.5, -0.1))
    _scatter(30, rng=rng, category=cat, status=EntryStatus.PENDING)
    clusters.rebuild()
    world = _view(bbox="-180,-85,180,85", zoom=3)
    assert world["total"] == 450
    assert sum(c["count"] for c in world["clusters"]) == 450
    assert world["markers"] == []

    # A box whose edges are cell edges: the clusters hold exactly the entries inside it.
    for zoom in (6, 9, 11, 13):
        level = clusters.level_for_zoom(zoom)
        x, y = (
            clusters.cell_columns(*KETTLEBY)["cx20"] >> (20 - level),
            clusters.cell_columns(*KETTLEBY)["cy20"] >> (20 - level),
        )
        w, _, _, n = clusters.tile_bounds(level, x - 2, y - 2)
        _, s, e, _ = clusters.tile_bounds(level, x + 2, y + 2)
        inside = Entry.objects.filter(status=EntryStatus.PUBLISHED, lat__gt=s, lat__lt=n, lng__gt=w, lng__lt=e).count()
        eps = 1e-7
        got = _view(bbox=f"{w + eps},{s + eps},{e - eps},{n - eps}", zoom=zoom)
        assert got["total"] == inside
        shown = sum(c["count"] for c in got["clusters"]) or len(got["markers"])
        assert shown == inside


def test_cluster_centres_are_the_mean_of_their_entries():
    cat = CategoryFactory()
    EntryFactory(category=cat, lat=10.0, lng=20.0)
    EntryFactory(category=cat, lat=10.2, lng=20.4)
    clusters.rebuild()
    cells = ClusterCell.objects.filter(level=0)
    assert [(c.count, round(c.sum_lat / c.count, 6), round(c.sum_lng / c.count, 6)) for c in cells] == [(2, 10.1, 20.2)]


def test_few_entries_or_high_zoom_give_markers_not_clusters():
    rng = random.Random(2)
    cat = CategoryFactory(slug="hall", colour="#123456", icon="house")
    _scatter(20, rng=rng, category=cat, spread=0.001)
    clusters.rebuild()
    got = _view(bbox="-2,52,0,53", zoom=8)
    assert got["clusters"] == [] and len(got["markers"]) == 20 and got["total"] == 20
    m = got["markers"][0]
    assert m["category"] == "hall" and m["colour"] == "#123456" and m["icon"] == "house"
    assert m["url"] == f"/map/entries/{m['id']}/"

    _scatter(400, rng=rng, category=cat, spread=0.001)
    clusters.rebuild()
    assert _view(bbox="-2,52,0,53", zoom=8)["markers"] == []  # 420 in view: clusters
    high = _view(bbox="-1.102,52.598,-1.098,52.602", zoom=17)
    assert high["clusters"] == [] and 0 < len(high["markers"]) <= clusters.MARKERS_LIMIT


def test_markers_are_bounded_even_when_dense():
    rng = random.Random(3)
    cat = CategoryFactory()
    _scatter(clusters.MARKERS_LIMIT + 50, rng=rng, category=cat, spread=0.0005)
    clusters.rebuild()
    got = _view(bbox="-1.11,52.59,-1.09,52.61", zoom=18)
    assert got["total"] == clusters.MARKERS_LIMIT + 50
    assert len(got["markers"]) <= clusters.MARKERS_LIMIT
    assert sum(c["count"] for c in got["clusters"]) + len(got["markers"]) == got["total"]


def test_answer_size_does_not_grow_with_the_box():
    level, (x0, y0, x1, y1) = clusters.choose_level((-180, -85, 180, 85), 20)
    assert (x1 - x0 + 1) * (y1 - y0 + 1) <= clusters.MAX_CELLS
    assert level < clusters.level_for_zoom(20)


def test_filters_narrow_the_clusters():
    rng = random.Random(4)
    hall, cut = CategoryFactory(slug="hall"), CategoryFactory(slug="cut", is_threat=True)
    town = Area.objects.create(name="Town", slug="town")
    ward = Area.objects.create(name="Ward", slug="ward", parent=town)
    _scatter(310, rng=rng, category=hall)
    _scatter(320, rng=rng, category=cut, verified=True, area=ward)
    _scatter(5, rng=rng, category=hall, area=town)
    clusters.rebuild()
    box = {"bbox": "-2,52,0,53", "zoom": 9}
    assert _view(**box)["total"] == 635
    assert _view(**box, category="hall")["total"] == 315
    assert _view(**box, category="cut")["total"] == 320
    assert _view(**box, verified=1)["total"] == 320
    assert _view(**box, area="town")["total"] == 325
    assert _view(**box, area="ward")["total"] == 320
    assert _view(**box, threats="only")["total"] == 320
    assert _view(**box, threats="exclude")["total"] == 315
    assert _view(**box, threats="only", category="hall")["total"] == 0
    clustered = _view(**box)["clusters"]
    assert {k for c in clustered for k in c["categories"]} == {"hall", "cut"}


def test_free_text_and_date_filters_group_the_matching_entries():
    rng = random.Random(5)
    cat = CategoryFactory()
    garden = _scatter(310, rng=rng, category=cat)
    Entry.objects.filter(pk__in=[e.pk for e in garden[:200]]).update(
        title="Community garden", start_date=date(2025, 5, 1), **date_columns(date(2025, 5, 1), None, None, None)
    )
    Entry.objects.filter(pk__in=[e.pk for e in garden[200:]]).update(
        start_date=date(2020, 1, 1),
        end_date=date(2020, 12, 31),
        **date_columns(date(2020, 1, 1), date(2020, 12, 31), None, None),
    )
    clusters.rebuild()
    box = {"bbox": "-2,52,0,53", "zoom": 9}
    got = _view(**box, q="garden")
    assert got["total"] == 200 and len(got["markers"]) == 200
    assert _view(**box, q="GARDEN community")["total"] == 200
    assert _view(**box, q="nothing-like-it")["total"] == 0
    close = {"bbox": "-1.2,52.5,-1.0,52.7", "zoom": 13}  # a narrow view: walked by cell, not by match
    assert clusters.level_for_zoom(13) >= clusters.NARROW_LEVEL
    assert _view(**close, q="garden")["total"] == 200
    assert _view(**close, q="garden", **{"from": "2024-01-01"})["total"] == 200
    assert _view(**box, **{"from": "2024-01-01"})["total"] == 200
    assert _view(**box, to="2021-01-01")["total"] == 110
    assert _view(**box, **{"from": "2020-06-01", "to": "2020-06-30"})["total"] == 110


OPS = st.lists(
    st.tuples(
        st.sampled_from(["create", "move", "publish", "unpublish", "recategorise", "verify", "rearea", "delete"]),
        st.integers(0, 10_000),
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS)
def test_apply_keeps_cells_equal_to_rebuild(ops):
    rng = random.Random(len(ops))
    cats = [CategoryFactory(slug="a"), CategoryFactory(slug="b")]
    areas = [None, Area.objects.get_or_create(slug="zone", defaults={"name": "Zone"})[0]]
    Entry.objects.all().delete()
    clusters.rebuild()
    live: list[Entry] = []
    for op, n in ops:
        if op == "create" or not live:
            entry = EntryFactory.build(
                category=cats[n % 2],
                lat=52.6 + rng.uniform(-1, 1),
                lng=-1.1 + rng.uniform(-1, 1),
                status=rng.choice([EntryStatus.PUBLISHED, EntryStatus.PENDING]),
            )
            before = clusters.snapshot(Entry(status=EntryStatus.PENDING, lat=0, lng=0))
            entry.save()
            clusters.apply(before, clusters.snapshot(entry))
            live.append(entry)
            continue
        entry = live[n % len(live)]
        if op == "delete":
            before = clusters.snapshot(entry)
            entry.delete()
            clusters.apply(before, None)
            live.remove(entry)
        elif op == "move":
            publish(entry, lat=entry.lat + rng.uniform(-0.3, 0.3), lng=entry.lng + rng.uniform(-0.3, 0.3))
        elif op == "publish":
            publish(entry, status=EntryStatus.PUBLISHED)
        elif op == "unpublish":
            publish(entry, status=rng.choice([EntryStatus.PENDING, EntryStatus.ARCHIVED, EntryStatus.REJECTED]))
        elif op == "recategorise":
            publish(entry, category=cats[(cats.index(entry.category) + 1) % 2])
        elif op == "verify":
            publish(entry, verified=not entry.verified)
        elif op == "rearea":
            publish(entry, area=areas[n % 2])
    kept = _cells()
    clusters.rebuild()
    rebuilt = _cells()
    assert set(kept) == set(rebuilt)
    for key, (count, slat, slng) in rebuilt.items():
        assert kept[key][0] == count
        assert kept[key][1] == pytest.approx(slat, abs=1e-6)
        assert kept[key][2] == pytest.approx(slng, abs=1e-6)


def test_apply_many_matches_rebuild():
    rng = random.Random(6)
    cat = CategoryFactory()
    entries = _scatter(40, rng=rng, category=cat)
    clusters.rebuild()
    befores = [clusters.snapshot(e) for e in entries]
    for e in entries[:20]:
        e.status = EntryStatus.ARCHIVED
    for e in entries[20:]:
        e.lat += 0.01
        e.verified = True
        for name, value in clusters.cell_columns(e.lat, e.lng).items():
            setattr(e, name, value)  # bulk paths skip save(): they set the cell columns themselves
    Entry.objects.bulk_update(entries, ["status", "lat", "verified", "cx20", "cy20"])
    clusters.apply_many(befores, [clusters.snapshot(e) for e in entries])
    kept = _cells()
    clusters.rebuild()
    assert set(kept) == set(_cells())
    assert sum(c for (level, *_), (c, _, _) in kept.items() if level == 0) == 20


def test_markers_answer_counts_exactly_what_is_inside_the_view():
    """Cells reach past the view's edges: `total` counts the cells, `in_view` the entries inside (issue 13)."""
    cat = CategoryFactory()
    inside = [EntryFactory(category=cat, lat=52.5 + i * 0.01, lng=-1.0) for i in range(3)]
    # Just past the north-east corner of the view, in the same level-10 grid cells.
    outside = [EntryFactory(category=cat, lat=52.5401, lng=-0.9649) for _ in range(2)]
    clusters.rebuild()
    got = _view(bbox="-1.05,52.45,-0.965,52.54", zoom=10)
    assert got["clusters"] == [] and len(got["markers"]) == got["total"] == len(inside) + len(outside)
    assert got["in_view"] == len(inside)
    wide = _view(bbox="-180,-85,180,85", zoom=2)
    assert wide["in_view"] == 5  # a world view with few entries: markers, all inside
