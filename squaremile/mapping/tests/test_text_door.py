"""Control characters and bidi overrides: cleaned at every door (entry form, API, import), and the
feeds and KML cannot be malformed by text stored before the door cleaned it (issue 14, item 5)."""

import json

import pytest
from defusedxml import ElementTree
from django.core.cache import cache
from django.urls import reverse

from squaremile.accounts.models import Role
from squaremile.accounts.services import api_token_create
from squaremile.accounts.tests.factories import UserFactory
from squaremile.mapping.cells import clusters
from squaremile.mapping.io import exports, imports
from squaremile.mapping.models import Entry
from squaremile.mapping.tests.factories import CategoryFactory, EntryFactory

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"
# U+0001 (XML cannot hold it: Django's feed writer raised), U+202E (right-to-left override: shows
# "evil.exe" as "exe.live"), U+FFFE (a noncharacter: written, it makes the XML unreadable).
HOSTILE_TITLE = "Hall\u0001 \u202eexe.live\ufffe"
HOSTILE_DESCRIPTION = "Open\u0001 **daily**\r\n\u202enoitalumis\ufffe\u200b"
CLEAN_TITLE = "Hall exe.live"
CLEAN_DESCRIPTION = "Open **daily**\nnoitalumis"


@pytest.fixture(autouse=True)
def _setup(settings):
    settings.MAP_MIN_SUBMIT_SECONDS = 0
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def category():
    return CategoryFactory(name="Community asset", slug="community-asset")


@pytest.fixture
def legacy(category):
    """An entry stored before the door cleaned text: written straight to the database."""
    entry = EntryFactory(category=category, lat=53.8, lng=-1.55)
    Entry.objects.filter(pk=entry.pk).update(title=HOSTILE_TITLE, description=HOSTILE_DESCRIPTION)
    clusters.rebuild()
    entry.refresh_from_db()
    assert entry.title == HOSTILE_TITLE
    return entry


@pytest.mark.parametrize("name", ["mapping:feed_rss", "mapping:feed_atom"])
def test_feeds_with_legacy_control_characters_answer_well_formed_xml(client, legacy, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    root = ElementTree.fromstring(response.content)  # well-formed
    titles = [t.text for t in root.iter() if t.tag in ("title", f"{ATOM}title")]
    assert "Hall \u202eexe.live" in titles  # kept but for what XML cannot hold


def test_feeds_with_legacy_text_in_the_query_too(client, legacy):
    response = client.get(reverse("mapping:feed_atom"), {"q": "Hall\u0001"})
    assert response.status_code == 200
    assert "Hall" in ElementTree.fromstring(response.content).find(f"{ATOM}title").text


def test_kml_with_legacy_control_characters_is_well_formed(legacy):
    root = ElementTree.fromstring("".join(exports.kml_chunks([legacy])))
    names = [n.text for n in root.iter("{http://www.opengis.net/kml/2.2}name")]
    assert "Hall \u202eexe.live" in names


def test_entry_form_stores_cleaned_text(client, category):
    client.force_login(UserFactory())
    response = client.post(
        "/map/add/",
        {"title": HOSTILE_TITLE, "category": str(category.pk), "description": HOSTILE_DESCRIPTION,
         "lat": "53.8", "lng": "-1.55"},
    )  # fmt: skip
    assert response.status_code == 302, response.content[:2000]
    entry = Entry.objects.get()
    assert entry.title == CLEAN_TITLE and entry.description == CLEAN_DESCRIPTION
    assert "\u202e" not in entry.title + entry.description  # the override is neutralised


def test_entry_form_single_line_title(client, category):
    client.force_login(UserFactory())
    data = {"title": "Two\r\nlines\tand a tab", "category": str(category.pk), "lat": "53.8", "lng": "-1.55"}
    assert client.post("/map/add/", data).status_code == 302
    assert Entry.objects.get().title == "Two lines and a tab"


def test_api_stores_cleaned_text(client, category):
    user = UserFactory()
    token = api_token_create(user=user, by=user, name="test")[1]
    body = {"title": HOSTILE_TITLE, "description": HOSTILE_DESCRIPTION, "category": category.slug,
            "lat": 53.8, "lng": -1.55}  # fmt: skip
    response = client.post("/api/v1/map/entries", json.dumps(body), content_type="application/json",
                           headers={"Authorization": f"Bearer {token}"})  # fmt: skip
    assert response.status_code == 201, response.content
    entry = Entry.objects.get(pk=response.json()["id"])
    assert entry.title == CLEAN_TITLE and entry.description == CLEAN_DESCRIPTION
    assert response.json()["title"] == CLEAN_TITLE


def test_api_title_of_invisible_characters_only_is_refused(client, category):
    user = UserFactory()
    token = api_token_create(user=user, by=user, name="test")[1]
    body = {"title": "\u202e\u200b\u0001", "category": category.slug, "lat": 53.8, "lng": -1.55}
    response = client.post("/api/v1/map/entries", json.dumps(body), content_type="application/json",
                           headers={"Authorization": f"Bearer {token}"})  # fmt: skip
    assert response.status_code == 400 and "title" in response.json()["errors"]
    assert not Entry.objects.exists()


def test_import_cleans_every_cell(category):
    csv_text = (
        "id,Na\u202eme,Category,Latitude,Longitude,Notes\n"
        f'h\u200b1,"{HOSTILE_TITLE}",community-asset,53.80,-1.55,"{HOSTILE_DESCRIPTION}"\n'
    )
    table = imports.read_table(csv_text.encode(), "x.csv")
    assert table.columns[1] == "Name"
    options = imports.ImportOptions(mapping=imports.guess_mapping(table.columns), source="x.csv")
    imports.import_apply(table=table, options=options, by=UserFactory(role=Role.MODERATOR))
    entry = Entry.objects.get()
    assert entry.title == CLEAN_TITLE and entry.description == CLEAN_DESCRIPTION and entry.external_id == "h1"


def test_geojson_import_cleans_every_property():
    doc = {"type": "FeatureCollection", "features": [{
        "type": "Feature", "geometry": {"type": "Point", "coordinates": [-1.55, 53.8]},
        "properties": {"name": HOSTILE_TITLE, "notes": HOSTILE_DESCRIPTION, "extra": ["a\u202e"]},
    }]}  # fmt: skip
    table = imports.read_table(json.dumps(doc).encode(), "x.geojson")
    row = dict(zip(table.columns, table.rows[0], strict=True))
    assert row["name"] == "Hall\u0020exe.live" and row["notes"] == CLEAN_DESCRIPTION
    assert row["extra"] == '["a"]'
