"""Exports: content of GeoJSON, CSV and KML for filtered views, what the public may export, the
background path for large exports, the API and the command."""

import csv
import io
import json

import pytest
from defusedxml import ElementTree
from django.core.management import call_command
from django.urls import reverse

from squaremile.accounts.models import Role
from squaremile.accounts.tests.factories import UserFactory
from squaremile.core.models import Job, JobStatus
from squaremile.mapping.cells import clusters
from squaremile.mapping.io import exports
from squaremile.mapping.models import EntryStatus
from squaremile.mapping.tests.factories import CategoryFactory, CategoryQuestionFactory, EntryFactory

pytestmark = pytest.mark.django_db
KML = "{http://www.opengis.net/kml/2.2}"


@pytest.fixture
def data():
    halls = CategoryFactory(name="Halls", slug="halls", colour="#112233")
    cuts = CategoryFactory(name="Cuts", slug="cuts", colour="#aa0000", is_threat=True)
    seats = CategoryQuestionFactory(category=halls, label="Seats", kind="number")
    hall = EntryFactory(
        title="Village <hall> & \"friends\"", description="=HYPERLINK(\"http://evil\")", category=halls,
        lat=53.8, lng=-1.55, answers={str(seats.pk): 120}, verified=True,
    )  # fmt: skip
    library = EntryFactory(title="-Library closing", category=cuts, lat=53.81, lng=-1.56, description="@SUM(A1)")
    hidden = EntryFactory(
        title="Waiting for moderation", category=halls, status=EntryStatus.PENDING, lat=53.8, lng=-1.5
    )
    far = EntryFactory(title="Far away hall", category=halls, lat=51.5, lng=-0.1)
    clusters.rebuild()
    return {"halls": halls, "cuts": cuts, "hall": hall, "library": library, "hidden": hidden, "far": far}


def download(client, fmt, query=""):
    response = client.get(reverse("mapping:export_download", args=[fmt]) + query)
    assert response.status_code == 200, response.content[:500]
    assert "attachment" in response["Content-Disposition"]
    return b"".join(response.streaming_content).decode("utf-8")


def test_geojson_matches_entries_and_filters(client, data):
    doc = json.loads(download(client, "geojson"))
    titles = {f["properties"]["title"] for f in doc["features"]}
    assert titles == {data["hall"].title, data["library"].title, "Far away hall"}  # never the pending one
    hall = next(f for f in doc["features"] if f["id"] == data["hall"].pk)
    assert hall["geometry"] == {"type": "Point", "coordinates": [-1.55, 53.8]}
    assert hall["properties"]["category_slug"] == "halls" and hall["properties"]["answers"] == {"Seats": 120}
    assert hall["properties"]["url"].endswith(data["hall"].get_absolute_url())
    assert "submitter_email" not in hall["properties"]

    doc = json.loads(download(client, "geojson", "?category=cuts"))
    assert [f["id"] for f in doc["features"]] == [data["library"].pk]
    doc = json.loads(download(client, "geojson", "?bbox=-2,53,-1,54"))
    assert {f["id"] for f in doc["features"]} == {data["hall"].pk, data["library"].pk}
    doc = json.loads(download(client, "geojson", "?threats=exclude&verified=1"))
    assert [f["id"] for f in doc["features"]] == [data["hall"].pk]


def test_csv_columns_and_formula_injection(client, data):
    text = download(client, "csv")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert list(rows[0].keys())[: len(exports.CSV_COLUMNS)] == list(exports.CSV_COLUMNS)
    assert "Seats" in rows[0]
    by_id = {int(r["id"]): r for r in rows}
    assert set(by_id) == {data["hall"].pk, data["library"].pk, data["far"].pk}
    hall = by_id[data["hall"].pk]
    assert hall["description"] == '\'=HYPERLINK("http://evil")'
    assert hall["latitude"] == "53.8" and hall["longitude"] == "-1.55"  # numbers are not quoted
    assert hall["Seats"] == "120" and hall["verified"] == "yes"
    library = by_id[data["library"].pk]
    assert library["title"] == "'-Library closing" and library["description"] == "'@SUM(A1)"


def test_kml_parses_with_styles_and_placemarks(client, data):
    text = download(client, "kml")
    root = ElementTree.fromstring(text.encode())
    placemarks = root.findall(f".//{KML}Placemark")
    assert {p.find(f"{KML}name").text for p in placemarks} == {
        data["hall"].title,
        data["library"].title,
        "Far away hall",
    }
    styles = {s.get("id"): s.find(f".//{KML}color").text for s in root.findall(f".//{KML}Style")}
    assert styles[f"cat-{data['halls'].pk}"] == "ff332211"  # #112233 as aabbggrr
    hall = next(p for p in placemarks if p.find(f"{KML}name").text == data["hall"].title)
    assert hall.find(f"{KML}styleUrl").text == f"#cat-{data['halls'].pk}"
    assert hall.find(f".//{KML}coordinates").text == "-1.55,53.8"


def test_kml_drops_characters_xml_cannot_hold(data):
    data["hall"].title = "Bell\x07 hall\x0b"
    assert "\x07" not in exports.xml_text(data["hall"].title)
    text = "".join(exports.kml_chunks([data["hall"]]))
    ElementTree.fromstring(text.encode())  # parses


def test_public_never_gets_unpublished_entries_moderators_may_ask(client, data):
    doc = json.loads(download(client, "geojson", "?status=pending"))
    assert data["hidden"].pk not in {f["id"] for f in doc["features"]}
    client.force_login(UserFactory(role=Role.MODERATOR))
    doc = json.loads(download(client, "geojson", "?status=pending"))
    assert [f["id"] for f in doc["features"]] == [data["hidden"].pk]


def test_export_page_counts_and_links(client, data):
    response = client.get(reverse("mapping:export") + "?category=halls")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<strong>2</strong> entries" in html
    assert reverse("mapping:export_download", args=["kml"]) + "?category=halls" in html
    assert 'rel="alternate" type="application/rss+xml"' in html
    response = client.get(reverse("mapping:export") + "?category=nope&bbox=1,2")
    assert response.status_code == 400 and "Unknown category" in response.content.decode()
    assert client.get(reverse("mapping:export_download", args=["csv"]) + "?from=yesterday").status_code == 400
    assert client.get(reverse("mapping:export_download", args=["xlsx"])).status_code == 404


def test_large_exports_become_a_job_for_their_owner(client, settings, data, django_capture_on_commit_callbacks):
    settings.MAP_EXPORT_INLINE_MAX = 2
    html = client.get(reverse("mapping:export")).content.decode()
    assert "Log in" in html and "Prepare" not in html  # anonymous: asked to log in
    response = client.get(reverse("mapping:export_download", args=["csv"]))
    assert response.status_code == 302  # never a job from a GET
    owner = UserFactory()
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mapping:export_prepare", args=["csv"]) + "?category=halls")
    job = Job.objects.get()
    assert response["Location"] == job.get_absolute_url()
    assert job.kind == "mapping.export" and job.status == JobStatus.DONE and job.progress == job.total == 2
    page = client.get(job.get_absolute_url()).content.decode()
    assert reverse("core:job_download", args=[job.pk]) in page
    body = b"".join(client.get(reverse("core:job_download", args=[job.pk])).streaming_content).decode()
    assert {r["title"] for r in csv.DictReader(io.StringIO(body.lstrip("\ufeff")))} == {
        data["hall"].title,
        "Far away hall",
    }
    client.force_login(UserFactory())
    assert client.get(reverse("core:job_download", args=[job.pk])).status_code == 404
    assert client.get(job.get_absolute_url()).status_code == 404


def test_api_export_small_large_and_job_status(client, settings, data, django_capture_on_commit_callbacks):
    response = client.get("/api/v1/map/export?format=kml&category=cuts")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.google-earth.kml")
    assert data["library"].title.encode() in b"".join(response.streaming_content)
    response = client.get("/api/v1/map/export?format=xlsx")
    assert response.status_code == 400 and "format" in response.json()["errors"]
    response = client.get("/api/v1/map/export?category=nope")
    assert response.status_code == 400 and response.json()["errors"]["category"]

    settings.MAP_EXPORT_INLINE_MAX = 1
    assert client.get("/api/v1/map/export").status_code == 401
    owner = UserFactory()
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get("/api/v1/map/export?format=geojson")
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "queued" and body["url"].endswith(f"/api/v1/jobs/{body['id']}")
    status = client.get(f"/api/v1/jobs/{body['id']}").json()
    assert status["status"] == "done" and status["percent"] == 100 and status["download_url"]
    file_response = client.get(status["download_url"])
    assert len(json.loads(b"".join(file_response.streaming_content))["features"]) == 3

    client.force_login(UserFactory())
    assert client.get(f"/api/v1/jobs/{body['id']}").status_code == 404
    assert client.get(f"/api/v1/jobs/{body['id']}/download").status_code == 404
    client.logout()
    assert client.get(f"/api/v1/jobs/{body['id']}").json()["message"].startswith("Send a valid token")


def test_export_command(tmp_path, data):
    out = tmp_path / "halls.geojson"
    call_command("export_entries", "--format", "geojson", "--category", "halls", str(out), stdout=io.StringIO())
    doc = json.loads(out.read_text())
    assert {f["id"] for f in doc["features"]} == {data["hall"].pk, data["far"].pk}
    out = tmp_path / "all.csv"
    call_command("export_entries", "--format", "csv", str(out), stdout=io.StringIO())
    assert len(list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))) == 3


def test_export_then_import_round_trip(data):
    """A CSV export is a valid import file: its columns are guessed, every row is accepted."""
    from squaremile.mapping.io import imports

    text = "".join(exports.csv_chunks(exports.export_queryset(exports.parse_filters({}), user=None)))
    table = imports.read_table(text.encode(), "export.csv")
    mapping = imports.guess_mapping(table.columns)
    assert {mapping[k] for k in ("title", "category", "lat", "lng", "external_id")} == {
        "title", "category", "latitude", "longitude", "external_id",
    }  # fmt: skip
    plan = imports.plan_import(table, imports.ImportOptions(mapping=mapping))
    assert plan.ok and plan.counts()["create"] == 3


def test_export_queries_do_not_grow_with_entries(client, data, django_assert_max_num_queries):
    for n in range(30):
        EntryFactory(title=f"More {n}", category=data["halls"], lat=53.8, lng=-1.5)
    with django_assert_max_num_queries(8):
        download(client, "geojson")
    with django_assert_max_num_queries(8):
        download(client, "csv")
    with django_assert_max_num_queries(8):
        download(client, "kml")


def test_export_page_queries_are_bounded(client, data, django_assert_max_num_queries):
    for n in range(30):
        EntryFactory(title=f"More {n}", category=data["halls"], lat=53.8, lng=-1.5)
    with django_assert_max_num_queries(6):
        assert client.get(reverse("mapping:export") + "?category=halls").status_code == 200


def test_api_export_unpublished_for_moderators_only(client, data):
    def ids(response):
        return {f["id"] for f in json.loads(b"".join(response.streaming_content))["features"]}

    assert ids(client.get("/api/v1/map/export?status=pending")) == {data["library"].pk, data["hall"].pk,
                                                                    data["far"].pk}  # fmt: skip
    client.force_login(UserFactory(role=Role.MODERATOR))
    assert ids(client.get("/api/v1/map/export?status=pending")) == {data["hidden"].pk}
