from datetime import date

import pytest
from django.db import connection
from django.http import QueryDict

from squaremile.accounts.models import Role, User
from squaremile.mapping.entries.filters import FilterError, filtered_entries, parse_filters
from squaremile.mapping.models import EntryStatus
from squaremile.mapping.tests.factories import CategoryFactory, EntryFactory
from squaremile.places.models import Area

pytestmark = pytest.mark.django_db


def _errors(params):
    with pytest.raises(FilterError) as info:
        parse_filters(params)
    return info.value.errors


def test_empty_params_mean_everything_published():
    f = parse_filters(QueryDict(""))
    assert f.effective_category_ids() is None and not f.is_filtered and f.bbox is None and f.zoom is None
    assert f.query_string() == ""


def test_parses_every_filter_and_writes_it_back():
    CategoryFactory(slug="hall")
    CategoryFactory(slug="cut", is_threat=True)
    Area.objects.create(name="Town", slug="town")
    qd = QueryDict(
        "category=hall&category=cut&area=town&from=2025-01-01&to=2025-12-31&verified=1&q=garden"
        "&threats=only&bbox=-1.5,52.1,-0.5,52.9&zoom=12&lat=1&unknown=x"
    )
    f = parse_filters(qd)
    assert [c.slug for c in f.categories] == ["hall", "cut"]
    assert f.area.slug == "town" and f.area_ids == [f.area.pk]
    assert (f.date_from, f.date_to) == (date(2025, 1, 1), date(2025, 12, 31))
    assert f.verified and f.q == "garden" and f.threats == "only" and f.zoom == 12
    assert f.bbox == (-1.5, 52.1, -0.5, 52.9)
    assert [f.all_categories[pk].slug for pk in f.effective_category_ids()] == ["cut"]
    again = parse_filters(QueryDict(f.query_string()))
    assert again.query_string() == f.query_string()
    assert "bbox" not in f.query_string(view=False)


def test_comma_separated_categories_and_plain_dicts():
    CategoryFactory(slug="a")
    CategoryFactory(slug="b")
    assert [c.slug for c in parse_filters({"category": "a,b"}).categories] == ["a", "b"]
    assert [c.slug for c in parse_filters({"category": ["b"]}).categories] == ["b"]


def test_sub_categories_are_included():
    parent = CategoryFactory(slug="parent")
    child = CategoryFactory(slug="child", parent=parent)
    f = parse_filters({"category": "parent"})
    assert set(f.effective_category_ids()) == {parent.pk, child.pk}


@pytest.mark.parametrize(
    "params,field",
    [
        ({"bbox": "1,2,3"}, "bbox"),
        ({"bbox": "a,b,c,d"}, "bbox"),
        ({"bbox": "0,0,nan,1"}, "bbox"),
        ({"bbox": "0,-91,1,1"}, "bbox"),
        ({"bbox": "0,2,1,1"}, "bbox"),
        ({"bbox": "5,0,1,1"}, "bbox"),
        ({"bbox": "-400,0,1,1"}, "bbox"),
        ({"zoom": "21"}, "zoom"),
        ({"zoom": "-1"}, "zoom"),
        ({"zoom": "x"}, "zoom"),
        ({"category": "nope"}, "category"),
        ({"area": "nowhere"}, "area"),
        ({"from": "2025-13-01"}, "from"),
        ({"to": "yesterday"}, "to"),
        ({"from": "2025-02-01", "to": "2025-01-01"}, "to"),
        ({"verified": "maybe"}, "verified"),
        ({"threats": "all"}, "threats"),
        ({"q": "x" * 201}, "q"),
        ({"q": "a\x00b"}, "q"),
        ({"status": "lost"}, "status"),
    ],
)
def test_bad_input_names_the_field(params, field):
    errors = _errors(params)
    assert list(errors) == [field] and errors[field]


def test_several_errors_at_once():
    errors = _errors({"bbox": "x", "zoom": "99", "category": "nope"})
    assert set(errors) == {"bbox", "zoom", "category"}


def test_bbox_wider_than_the_world_is_clamped():
    assert parse_filters({"bbox": "-300,-10,300,10"}).bbox == (-180.0, -10.0, 180.0, 10.0)
    assert parse_filters({"bbox": "170,-10,200,10"}).bbox == (170.0, -10.0, 180.0, 10.0)


def test_filtered_entries_are_published_only_unless_a_moderator_asks():
    cat = CategoryFactory()
    shown = EntryFactory(category=cat, lat=52.6, lng=-1.1)
    pending = EntryFactory(category=cat, status=EntryStatus.PENDING)
    EntryFactory(category=cat, lat=10, lng=10)
    f = parse_filters({"bbox": "-2,52,0,53"})
    assert list(filtered_entries(f, user=None)) == [shown]
    f = parse_filters({"status": "pending"})
    member = User.objects.create_user(email="m@example.org", password="x")
    moderator = User.objects.create_user(email="mod@example.org", password="x", role=Role.MODERATOR)
    assert pending not in filtered_entries(f, user=member)
    assert list(filtered_entries(f, user=moderator)) == [pending]


def test_date_overlap_rules():
    cat = CategoryFactory()
    span = EntryFactory(category=cat, start_date=date(2025, 3, 1), end_date=date(2025, 3, 31))
    ongoing = EntryFactory(category=cat, start_date=date(2019, 1, 1))
    cut = EntryFactory(category=cat, announced_on=date(2025, 6, 1), takes_effect_on=date(2025, 9, 1))

    def picked(**params):
        return set(filtered_entries(parse_filters(params), user=None))

    assert picked(**{"from": "2025-03-15", "to": "2025-03-20"}) == {span, ongoing}
    assert picked(**{"from": "2025-07-01", "to": "2025-07-31"}) == {ongoing, cut}
    assert picked(to="2018-12-31") == set()
    assert picked(**{"from": "2025-10-01"}) == {ongoing}
    undated = EntryFactory(category=cat)
    assert undated not in picked(**{"from": "2000-01-01"}) | picked(to="2100-01-01")
    assert picked(to="2100-01-01") == {span, ongoing, cut}


def test_free_text_follows_every_change_and_survives_a_lost_index():
    from squaremile.mapping.cells import textindex

    assert textindex.is_installed()
    cat = CategoryFactory()
    entry = EntryFactory(category=cat, title="Repair café", description="Bring broken toasters")

    def found(q):
        return list(filtered_entries(parse_filters({"q": q}), user=None))

    assert found("repair") == [entry] and found("toast") == [entry] and found("café") == [entry]
    if connection.vendor == "sqlite":  # FTS5 folds accents; PostgreSQL's trigram match does not
        assert found("cafe") == [entry]
    assert found("repair toasters") == [entry] and found("repair kettles") == []
    entry.title = "Fix-it evening"
    entry.save()
    assert found("repair") == [] and found("fix") == [entry]
    assert found('"quoted" (brackets) * OR') == []  # operators are words, never syntax
    entry.delete()
    assert found("fix") == []
    textindex.uninstall()
    assert not textindex.is_installed() or textindex.default_connection.vendor != "sqlite"
    textindex.ensure()
    assert textindex.is_installed()
    again = EntryFactory(category=cat, title="Repair café again")
    assert found("again") == [again]
