"""The map's date filter: entry spans (models.date_span) and the per-month DateCell counts that
answer wide views (clusters._date_rows) must agree exactly with filtering the entries."""

import random
from datetime import date, timedelta

import pytest
from django.db.models import Count
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from squaremile.mapping.cells import clusters
from squaremile.mapping.entries.filters import parse_filters
from squaremile.mapping.models import OPEN_END, OPEN_START, ClusterCell, DateCell, Entry, EntryStatus, date_span
from squaremile.mapping.tests.factories import CategoryFactory, EntryFactory, publish
from squaremile.places.models import Area

pytestmark = pytest.mark.django_db

D = date(2025, 3, 15)


@pytest.mark.parametrize(
    ("dates", "span"),
    [
        ((None, None, None, None), (None, None)),
        ((D, None, None, None), (D, OPEN_END)),
        ((D, D + timedelta(days=9), None, None), (D, D + timedelta(days=9))),
        ((None, D, None, None), (OPEN_START, D)),  # an end date alone: running until then
        ((None, None, D, D + timedelta(days=90)), (D, D + timedelta(days=90))),  # a cut: announced to effect
        ((None, None, None, D), (D, D)),
        ((None, None, D, None), (D, D)),
        ((D, D - timedelta(days=3), None, None), (D - timedelta(days=3), D)),  # typed the wrong way round
        ((None, None, D, D - timedelta(days=30)), (D - timedelta(days=30), D)),
    ],
)
def test_date_span(dates, span):
    assert date_span(*dates) == span


def test_save_keeps_the_span_and_bulk_date_updates_without_it_are_refused():
    entry = EntryFactory(start_date=D)
    assert (entry.date_lo, entry.date_hi) == (D, OPEN_END)
    entry.end_date = D + timedelta(days=1)
    entry.save(update_fields=["end_date"])
    entry.refresh_from_db()
    assert entry.date_hi == D + timedelta(days=1)
    with pytest.raises(ValueError, match="date_lo and date_hi"):
        Entry.objects.filter(pk=entry.pk).update(start_date=D)


def _dates(rng: random.Random):
    """Dates of every kind an entry can have, around 2024-2026 and at the open ends."""
    day = date(2024, 1, 1) + timedelta(days=rng.randrange(3 * 365))
    kind = rng.randrange(8)
    if kind == 0:
        return {}
    if kind == 1:
        return {"start_date": day}
    if kind == 2:
        return {"start_date": day, "end_date": day + timedelta(days=rng.choice((0, 1, 30, 200)))}
    if kind == 3:
        return {"end_date": day}
    if kind == 4:
        return {"announced_on": day, "takes_effect_on": day + timedelta(days=rng.randrange(-40, 120))}
    if kind == 5:
        return {"takes_effect_on": day}
    if kind == 6:
        return {"start_date": day, "end_date": day - timedelta(days=rng.randrange(1, 60))}
    return {"start_date": day.replace(day=1), "end_date": day.replace(day=1) + timedelta(days=31)}


def _expected(filters) -> tuple[int, dict[str, int]]:
    """What the view must count: the date filter applied to the entries themselves."""
    level, cells = clusters.choose_level(filters.bbox, filters.zoom)
    qs = Entry.objects.filter(filters.entry_q(), **clusters._fine_range(level, cells))
    by_cat = dict(qs.values_list("category__slug").annotate(n=Count("id")).order_by())
    return sum(by_cat.values()), by_cat


def _got(filters) -> tuple[int, dict[str, int]]:
    result = clusters.view(filters)
    by_cat: dict[str, int] = {}
    for c in result["clusters"]:
        for slug, n in c["categories"].items():
            by_cat[slug] = by_cat.get(slug, 0) + n
    for m in result["markers"]:
        by_cat[m["category"]] = by_cat.get(m["category"], 0) + 1
    return result["total"], by_cat


def _cells():
    return {
        (c.level, c.x, c.y, c.category_id, c.verified, c.area_id): (c.count, c.sum_lat, c.sum_lng)
        for c in ClusterCell.objects.all()
    }


def _date_cells():
    return {
        (c.level, c.edge, c.x, c.y, c.category_id, c.verified, c.area_id, c.month): c.count
        for c in DateCell.objects.all()
    }


RANGES = [
    {"from": "2025-03-15"},
    {"to": "2025-03-15"},
    {"from": "2025-03-01", "to": "2025-03-31"},
    {"from": "2024-02-29", "to": "2024-03-01"},
    {"from": "2025-01-31", "to": "2026-06-01"},
    {"from": "2023-01-01", "to": "2023-12-31"},
    {"from": "2026-12-31"},
    {"to": "2024-01-01"},
    {"from": "0001-01-01", "to": "9999-12-31"},
    {"from": "9999-12-31"},
]


def test_wide_views_count_from_the_date_cells_exactly(monkeypatch):
    monkeypatch.setattr(clusters, "MARKERS_BELOW", 0)  # clusters with their per-category counts, never markers
    rng = random.Random(11)
    cats = [CategoryFactory(slug="a"), CategoryFactory(slug="b", is_threat=True)]
    zone = Area.objects.create(slug="zone", name="Zone")
    for i in range(400):
        EntryFactory(
            category=cats[i % 2],
            lat=52.6 + rng.uniform(-1.5, 1.5),
            lng=-1.1 + rng.uniform(-2, 2),
            status=EntryStatus.PUBLISHED if rng.random() < 0.85 else EntryStatus.PENDING,
            verified=rng.random() < 0.3,
            area=zone if rng.random() < 0.5 else None,
            **_dates(rng),
        )
    clusters.rebuild()
    assert DateCell.objects.exists()
    for view in (
        {"bbox": "-5,50,3,55", "zoom": 5},
        {"bbox": "-180,-85,180,85", "zoom": 1},
        {"zoom": 8, "bbox": "-2,52,0,53"},
    ):
        for dates in RANGES:
            for extra in ({}, {"category": "a"}, {"verified": "1"}, {"area": "zone"}, {"threats": "only"}):
                filters = parse_filters({**view, **dates, **extra})
                level, _ = clusters.choose_level(filters.bbox, filters.zoom)
                assert level <= clusters.DATE_MAX_LEVEL
                assert _got(filters) == _expected(filters), (view, dates, extra)


def test_cluster_positions_from_the_date_cells_are_the_mean_of_their_entries():
    cat = CategoryFactory()
    for i in range(400):  # enough for clusters rather than markers
        EntryFactory(category=cat, lat=52.0 + (i % 20) * 0.001, lng=-1.0, start_date=date(2025, 1, 1 + i % 20))
    EntryFactory(category=cat, lat=53.0, lng=-1.0, start_date=date(2025, 1, 1))  # far away, outside the range
    Entry.objects.filter(lat=53.0).update(
        start_date=date(2020, 1, 1), date_lo=date(2020, 1, 1), date_hi=date(2020, 1, 2), end_date=date(2020, 1, 2)
    )
    clusters.rebuild()
    result = clusters.view(parse_filters({"bbox": "-3,51,1,54", "zoom": 5, "from": "2024-12-20", "to": "2025-01-20"}))
    assert result["total"] == 400 and len(result["clusters"]) == 1
    assert result["clusters"][0]["lat"] == pytest.approx(sum(52.0 + (i % 20) * 0.001 for i in range(400)) / 400)


def test_narrow_views_filter_the_entries():
    cat = CategoryFactory()
    EntryFactory(category=cat, lat=52.6, lng=-1.1, start_date=date(2025, 1, 1), end_date=date(2025, 1, 31))
    EntryFactory(category=cat, lat=52.6, lng=-1.1, start_date=date(2025, 3, 1))
    clusters.rebuild()
    close = {"bbox": "-1.2,52.5,-1.0,52.7", "zoom": 13}
    assert clusters.level_for_zoom(13) > clusters.DATE_MAX_LEVEL
    assert _got(parse_filters({**close, "from": "2025-02-01"}))[0] == 1
    assert _got(parse_filters({**close, "to": "2025-02-01"}))[0] == 1
    assert _got(parse_filters({**close, "from": "2025-01-15", "to": "2025-03-01"}))[0] == 2


def test_close_views_holding_many_entries_count_from_coarser_date_cells(monkeypatch):
    monkeypatch.setattr(clusters, "ENTRY_SCAN_MAX", 50)
    cat = CategoryFactory()
    rng = random.Random(3)
    for _ in range(120):
        EntryFactory(
            category=cat, lat=52.6 + rng.uniform(-0.01, 0.01), lng=-1.1 + rng.uniform(-0.01, 0.01), **_dates(rng)
        )
    clusters.rebuild()
    filters = parse_filters({"bbox": "-1.12,52.59,-1.08,52.61", "zoom": 15, "from": "2025-02-10", "to": "2025-08-20"})
    asked, _ = clusters.choose_level(filters.bbox, filters.zoom)
    assert asked > clusters.DATE_MAX_LEVEL
    result = clusters.view(filters)
    assert result["level"] == clusters.DATE_MAX_LEVEL  # coarser cells than asked for, and said so
    west, south, east, north = result["bounds"]
    assert west <= -1.12 and south <= 52.59 and east >= -1.08 and north >= 52.61
    in_cells = Entry.objects.filter(
        filters.entry_q(), **clusters._fine_range(result["level"], clusters.cell_range(filters.bbox, result["level"]))
    )
    assert result["total"] == in_cells.count() > 0
    monkeypatch.setattr(clusters, "ENTRY_SCAN_MAX", 10_000)  # few in view: counted one by one, at the level asked
    assert clusters.view(filters)["level"] == asked


OPS = st.lists(
    st.tuples(st.sampled_from(["create", "redate", "publish", "unpublish", "move", "delete"]), st.integers(0, 10_000)),
    min_size=1,
    max_size=20,
)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS)
def test_apply_keeps_date_cells_equal_to_rebuild(ops):
    rng = random.Random(len(ops) * 7 + ops[0][1])
    cat = CategoryFactory(slug="dated")
    Entry.objects.all().delete()
    clusters.rebuild()
    live: list[Entry] = []
    for op, n in ops:
        if op == "create" or not live:
            entry = EntryFactory.build(
                category=cat,
                lat=52.6 + rng.uniform(-1, 1),
                lng=-1.1 + rng.uniform(-1, 1),
                status=rng.choice([EntryStatus.PUBLISHED, EntryStatus.PENDING]),
                **_dates(rng),
            )
            entry.save()
            clusters.apply(None, clusters.snapshot(entry))
            live.append(entry)
            continue
        entry = live[n % len(live)]
        if op == "delete":
            before = clusters.snapshot(entry)
            entry.delete()
            clusters.apply(before, None)
            live.remove(entry)
        elif op == "redate":
            blank = {"start_date": None, "end_date": None, "announced_on": None, "takes_effect_on": None}
            publish(entry, **{**blank, **_dates(rng)})
        elif op == "publish":
            publish(entry, status=EntryStatus.PUBLISHED)
        elif op == "unpublish":
            publish(entry, status=EntryStatus.ARCHIVED)
        elif op == "move":
            publish(entry, lat=entry.lat + rng.uniform(-0.5, 0.5))
    kept = _date_cells()
    clusters.rebuild_dates()
    assert kept == _date_cells()


def test_add_entries_in_sql_matches_rebuild():
    rng = random.Random(9)
    cats = [CategoryFactory(slug="one"), CategoryFactory(slug="two")]
    zone = Area.objects.create(slug="zone", name="Zone")
    old = [
        EntryFactory(category=cats[0], lat=52.6 + rng.uniform(-1, 1), lng=-1.1 + rng.uniform(-1, 1), **_dates(rng))
        for _ in range(30)
    ]
    clusters.rebuild()
    new = [
        EntryFactory(
            category=rng.choice(cats),
            lat=52.6 + rng.uniform(-1, 1),
            lng=-1.1 + rng.uniform(-1, 1),
            status=rng.choice([EntryStatus.PUBLISHED, EntryStatus.PUBLISHED, EntryStatus.PENDING]),
            verified=rng.random() < 0.5,
            area=zone if rng.random() < 0.5 else None,
            **_dates(rng),
        )
        for _ in range(60)
    ]
    new.append(EntryFactory(category=cats[0], lat=old[0].lat, lng=old[0].lng, start_date=old[0].start_date))
    clusters.add_entries([e.pk for e in new])
    kept_cells = {k: v[0] for k, v in _cells().items()}
    kept_dates = _date_cells()
    clusters.rebuild()
    assert kept_cells == {k: v[0] for k, v in _cells().items()}
    assert kept_dates == _date_cells()
