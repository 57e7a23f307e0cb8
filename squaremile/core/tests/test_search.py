"""The search service, on whichever database the suite runs (SQLite FTS5 or PostgreSQL tsvector +
pg_trgm): the same questions must get the same answers on both."""

import pytest
from django.db import transaction

from squaremile.accounts.tests.factories import UserFactory
from squaremile.core import search
from squaremile.core.models import SearchDocument
from squaremile.directory import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def by():
    return UserFactory()


@pytest.fixture
def directory(by):
    records = {}
    for name, description in [
        ("Community Garden", "Raised beds and a pond. Volunteers welcome on Saturdays."),
        ("Hyde Park Gardeners", "We grow vegetables together."),
        ("Repair Cafe", "Bring your broken toasters and bikes."),
        ("Little Library", "Books to borrow in a phone box."),
        ("Bees", "A small shop."),
        ("Honey Shop", "We sell honey from local bees."),
        ("Café Nour", "Coffee, cake and conversation."),
    ]:
        records[name] = services.organisation_create(by=by, data={"name": name, "description": description})
    records["Seed Swap"] = services.project_create(by=by, data={"name": "Seed Swap", "description": "Swap seeds."})
    return records


def titles(query, **kwargs):
    return [h.title for h in search.search(query, **kwargs).hits]


def test_exact_word(directory):
    assert titles("library") == ["Little Library"]
    assert titles("toasters") == ["Repair Cafe"]  # words in the description count too
    assert titles("LIBRARY") == ["Little Library"]


def test_every_word_must_match(directory):
    assert titles("little library") == ["Little Library"]
    result = search.search("little pond")
    assert not [h for h in result.hits if not h.fuzzy]  # only a close name, marked as such
    assert result.total == len(result.hits)


def test_stemming(directory):
    assert "Community Garden" in titles("gardens")
    assert "Hyde Park Gardeners" in titles("growing")  # "grow" in the description
    assert titles("saturday") == ["Community Garden"]
    assert titles("swapping") == ["Seed Swap"]


def test_prefix_of_the_last_word(directory):
    assert titles("libr") == ["Little Library"]
    assert titles("little lib") == ["Little Library"]
    assert titles("repair ca") == ["Repair Cafe"]


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("libary", "Little Library"),  # a letter missing
        ("litle library", "Little Library"),
        ("comunity garden", "Community Garden"),
        ("gardners", "Hyde Park Gardeners"),
        ("repiar cafe", "Repair Cafe"),  # two letters swapped
        ("repar cafe", "Repair Cafe"),
        ("communty", "Community Garden"),
    ],
)
def test_typos_find_the_name_through_the_fuzzy_path(directory, typed, meant):
    result = search.search(typed)
    hit = next((h for h in result.hits if h.title == meant), None)
    assert hit is not None, [h.title for h in result.hits]
    assert hit.fuzzy and result.fuzzy_used
    assert hit.url == directory[meant].get_absolute_url()


def test_accents_do_not_matter(directory):
    assert titles("cafe nour") == ["Café Nour"]
    assert "Café Nour" in titles("café")  # accents fold away on both databases
    assert "Café Nour" in titles("cafe")


def test_fuzzy_does_not_find_unrelated_names(directory):
    assert titles("xylophone quartet") == []
    assert titles("zzzz") == []


def test_a_title_match_ranks_above_a_body_match(directory):
    assert titles("bees") == ["Bees", "Honey Shop"]
    result = search.search("bees")
    assert result.hits[0].score > result.hits[1].score
    assert not any(h.fuzzy for h in result.hits)


def test_exact_matches_come_before_fuzzy_ones(directory):
    hits = search.search("garden").hits
    exact = [h.fuzzy for h in hits]
    assert exact == sorted(exact)  # all False before any True
    assert {"Community Garden", "Hyde Park Gardeners"} <= {h.title for h in hits if not h.fuzzy}


def test_kinds(directory):
    assert titles("seed") == ["Seed Swap"]
    assert titles("seed", kinds=["organisation"]) == []
    assert titles("seed", kinds=["project"]) == ["Seed Swap"]
    assert titles("library", kinds=["project"]) == []
    hit = search.search("seed").hits[0]
    assert (hit.kind, hit.object_id) == ("project", directory["Seed Swap"].pk)


def test_snippet_shows_where_the_word_is(by):
    long = ("Lorem ipsum dolor sit amet. " * 20) + "The allotment is behind the church." + (" Filler text." * 30)
    services.organisation_create(by=by, data={"name": "Parish Group", "description": long})
    snippet = search.search("allotment").hits[0].snippet
    assert "allotment" in snippet and snippet.startswith("…") and snippet.endswith("…")
    assert len(snippet) < 200


def test_pagination_and_total(by):
    for i in range(25):
        services.organisation_create(by=by, data={"name": f"Choir {i:02d}", "description": "We sing."})
    first = search.search("choir", limit=10)
    assert first.total == 25 and len(first.hits) == 10 and not first.fuzzy_used
    second = search.search("choir", limit=10, offset=10)
    last = search.search("choir", limit=10, offset=20)
    assert second.total == last.total == 25
    assert len(second.hits) == 10 and len(last.hits) == 5
    seen = [h.object_id for page in (first, second, last) for h in page.hits]
    assert len(seen) == len(set(seen)) == 25
    assert search.search("choir", limit=10, offset=30).hits == []
    # out-of-range limits are clamped rather than failing
    assert len(search.search("choir", limit=0).hits) == 1
    assert len(search.search("choir", limit=10_000).hits) == 25
    assert len(search.search("choir", offset=-5).hits) == 20


def test_empty_queries(directory):
    for query in ["", "   ", "!!!", "***", '"', None]:
        result = search.search(query)
        assert result.hits == [] and result.total == 0


HOSTILE = [
    '"',
    '""',
    "'",
    "''",
    '"library',
    'library"',
    "AND",
    "OR",
    "NOT",
    "NEAR",
    "NEAR(little library)",
    "little AND library",
    "little OR library",
    "little NOT library",
    "library*",
    "*",
    "**",
    "* library",
    "(",
    ")",
    "((library",
    "library))",
    ":",
    "title:library",
    "body:books",
    "-library",
    "library -little",
    "--",
    "^library",
    "{little library}",
    "little & library",
    "little | !library",
    "<->",
    "little <-> library",
    "a:*",
    "'; DROP TABLE core_searchdocument; --",
    "\\",
    "\\'",
    "%",
    "_",
    "%_%",
    "\x00",
    "lib\x00rary",
    "日本語",
    "🙂",
    "🙂🙂🙂 library",
    "ﬁsh",
    "²",
    "Ⅻ",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "İstanbul",
    "straße",
    "مكتبة",
    "e\u0301",
    "\u200b",
    "\ufeff",
    "\t\n\r",
    "a" * 10_000,
    "library " * 2_000,
    " ".join(f"w{i}" for i in range(50)),
    "x" * 199 + "é",
    "the",
    "a the of",
    "1",
    "1:*",
    "0x41",
    "NULL",
    "null",
    "true",
]


def test_hostile_queries_never_raise(directory):
    failures = []
    for query in HOSTILE:
        try:
            # a savepoint, so that one failure on PostgreSQL does not hide the others
            with transaction.atomic():
                result = search.search(query)
                assert isinstance(result.total, int) and result.total >= len(result.hits) >= 0
                for kind in ("organisation", "project"):
                    assert isinstance(search.ranked_ids(query, kind=kind), list)
                assert len(search.search(query, limit=1, offset=3).hits) <= 1
        except Exception as exc:
            failures.append(f"{query[:40]!r}: {type(exc).__name__}: {exc}")
    assert not failures, "\n".join(failures)
    # the index still works afterwards
    assert titles("library") == ["Little Library"]


def test_operators_are_words_not_syntax(directory):
    assert titles('"little library"') == ["Little Library"]
    assert titles("little OR nothing") == []  # OR is just another word that must match
    assert titles("library*") == ["Little Library"]
    assert titles("(library)") == ["Little Library"]
    assert titles("-library") == ["Little Library"]


def test_terms_of():
    assert search.terms_of('Little "Library" AND (books)*') == ["little", "library", "and", "books"]
    assert len(search.terms_of(" ".join(["word"] * 100))) == search.MAX_TERMS
    assert search.terms_of("x" * 10_000) == ["x" * search.MAX_QUERY_CHARS]


def test_update_keeps_the_index_in_step(directory, by):
    org = directory["Repair Cafe"]
    services.organisation_update(
        organisation=org, by=by, data={"name": "Fix It Club", "description": "Sewing machines mended."}
    )
    assert titles("repair") == []
    assert titles("toasters") == []
    assert titles("fix it") == ["Fix It Club"]
    assert titles("sewing") == ["Fix It Club"]
    assert SearchDocument.objects.filter(kind="organisation", object_id=org.pk).count() == 1

    project = directory["Seed Swap"]
    services.project_update(project=project, by=by, data={"name": "Plant Swap"})
    assert titles("plant", kinds=["project"]) == ["Plant Swap"]
    assert "Seed Swap" not in titles("seed swap")


def test_skills_are_searchable(by):
    from squaremile.directory.models import Skill

    skill = Skill.objects.get(slug="beekeeping")
    services.organisation_create(by=by, data={"name": "Hive Mind", "skills": [skill]})
    assert titles("beekeeping") == ["Hive Mind"]


def test_delete_keeps_the_index_in_step(directory, by):
    services.organisation_delete(organisation=directory["Little Library"], by=by)
    assert titles("library") == []
    assert titles("libary") == []  # nor through the fuzzy path
    services.project_delete(project=directory["Seed Swap"], by=by)
    assert titles("seed") == []
    assert not SearchDocument.objects.filter(title__in=["Little Library", "Seed Swap"]).exists()


def test_index_and_remove_documents_directly(db):
    search.index_document(kind="thing", object_id=1, title="Lantern Parade", body="Autumn walk", url="/x/")
    search.index_document(kind="thing", object_id=1, title="Lantern Festival", body="Winter walk", url="/x/")
    assert SearchDocument.objects.filter(kind="thing").count() == 1
    assert titles("festival", kinds=["thing"]) == ["Lantern Festival"]
    assert titles("parade", kinds=["thing"]) == []
    search.remove_document(kind="thing", object_id=1)
    assert titles("lantern", kinds=["thing"]) == []


def test_ranked_ids(directory):
    assert search.ranked_ids("bees", kind="organisation") == [directory["Bees"].pk, directory["Honey Shop"].pk]
    assert search.ranked_ids("libary", kind="organisation") == [directory["Little Library"].pk]
    assert search.ranked_ids("", kind="organisation") == []
    assert search.ranked_ids("seed", kind="organisation") == []
