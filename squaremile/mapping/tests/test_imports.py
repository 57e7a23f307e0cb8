"""Imports: reading files, guessing columns, the preview, all-or-nothing apply, re-import, wizard, command."""

import io
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from squaremile.accounts.models import Role
from squaremile.accounts.tests.factories import UserFactory
from squaremile.audit.models import AuditEvent
from squaremile.core.models import Job, JobStatus
from squaremile.mapping.cells import clusters
from squaremile.mapping.io import imports
from squaremile.mapping.io.imports import ImportFileError, ImportOptions, ImportRejected, read_table
from squaremile.mapping.models import ClusterCell, Entry, EntryStatus
from squaremile.mapping.tests.factories import CategoryFactory, CategoryQuestionFactory, EntryFactory
from squaremile.questions.models import Kind as QuestionKind

pytestmark = pytest.mark.django_db

GOOD_CSV = (
    "id,Name,Category,Latitude,Longitude,Start date,Notes\n"
    "h1,Village hall,Halls,53.80,-1.55,2026-01-05,Open on Mondays\n"
    'h2,"Library, old","halls",53.81,-1.56,,"Books; and ""more"""\n'
    "h3,Food bank,food-help,53.79,-1.54,05/02/2026,\n"
)


@pytest.fixture
def halls():
    return CategoryFactory(name="Halls", slug="halls")


@pytest.fixture
def food():
    return CategoryFactory(name="Food help", slug="food-help")


@pytest.fixture
def moderator():
    return UserFactory(role=Role.MODERATOR)


def options_for(table, **kw):
    kw.setdefault("source", "test.csv")
    return ImportOptions(mapping=imports.guess_mapping(table.columns), **kw)


# ---- reading ------------------------------------------------------------------------------
def test_csv_with_bom_semicolons_and_quotes():
    data = '\ufeffName;Lat;Lon;Notes\n"Hall; big";53,8;-1,5;"two\nlines"\n'.encode()
    table = read_table(data, "x.csv")
    assert table.columns == ["Name", "Lat", "Lon", "Notes"]
    assert table.rows == [["Hall; big", "53,8", "-1,5", "two\nlines"]]


def test_csv_tab_delimited_blank_lines_and_duplicate_headers():
    data = b"name\tname\t\tlat\n\nA\tB\tC\t1\n\n"
    table = read_table(data, "x.tsv")
    assert table.columns == ["name", "name (2)", "Column 3", "lat"]
    assert table.rows == [["A", "B", "C", "1"]] and table.numbers == [3]


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"title,lat,lng\n", "no rows"),
        (b"PK\x03\x04rest-of-a-zip", "spreadsheet"),
        (b"\x00\x01\x02\x03binary\xff\xfe", "not a text file"),
        (b'{"type": "FeatureCollection", "features": [', "not valid JSON"),
        (b'{"type": "Topology"}', "FeatureCollection"),
        (b'{"type": "FeatureCollection", "features": []}', "no features"),
    ],
)
def test_unreadable_files_say_why(data, words):
    with pytest.raises(ImportFileError) as exc:
        read_table(data, "upload.json" if data.startswith(b"{") else "upload.csv")
    assert words in str(exc.value)


def test_geojson_points_properties_and_bad_geometries():
    doc = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "id": 7, "geometry": {"type": "Point", "coordinates": [-1.5, 53.8]},
             "properties": {"name": "Hall", "open": True, "extra": {"a": 1}}},
            {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]},
             "properties": {"name": "Park"}},
            {"type": "Feature", "geometry": None, "properties": {"name": "Nowhere"}},
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": ["a", "b"]}, "properties": None},
        ],
    }  # fmt: skip
    table = read_table(json.dumps(doc).encode(), "places.geojson")
    assert table.kind == "geojson"
    assert table.columns == ["name", "open", "extra", "id"]
    assert table.rows[0] == ["Hall", "true", '{"a": 1}', "7"]
    assert table.points[0] == (53.8, -1.5)
    assert "Polygon" in table.points[1] and "only points" in table.points[1]
    assert "no location" in table.points[2]
    assert "not two numbers" in table.points[3]


def test_guessing_columns():
    guess = imports.guess_mapping(["ID", "Site name", "Y", "X", "Type", "Description", "Organization", "Ends"])
    assert guess == {
        "title": "Site name", "description": "Description", "category": "Type", "lat": "Y", "lng": "X",
        "external_id": "ID", "end_date": "Ends", "organisation": "Organization",
    }  # fmt: skip
    assert imports.guess_mapping(["lat", "lon", "name"], geojson=True) == {"title": "name"}
    assert imports.guess_mapping(["external_id", "id", "title"])["external_id"] == "external_id"


# ---- preview ------------------------------------------------------------------------------
def test_preview_counts_and_values(halls, food, moderator):
    table = read_table(GOOD_CSV.encode(), "halls.csv")
    plan = imports.import_preview(table=table, options=options_for(table), by=moderator)
    assert plan.ok, plan.errors
    assert plan.counts() == {"rows": 3, "create": 3, "update": 0, "unchanged": 0, "bad": 0}
    entries = {e.external_id: e for _, e in plan.creates}
    assert entries["h2"].title == "Library, old" and entries["h2"].category == halls
    assert entries["h2"].description == 'Books; and "more"'
    assert entries["h3"].category == food and entries["h3"].start_date.isoformat() == "2026-02-05"
    assert Entry.objects.count() == 0  # a preview writes nothing


def test_every_bad_row_is_reported_with_its_number(halls, moderator):
    csv_text = (
        "id,title,category,lat,lng,start date,end date\n"
        "a,Good,halls,53.8,-1.5,,\n"  # row 2
        "b,,halls,53.8,-1.5,,\n"  # 3 missing title
        "c,No lat,halls,,-1.5,,\n"  # 4 missing latitude
        "d,Words,halls,north,-1.5,,\n"  # 5 not a number
        "e,Far,halls,91,-1.5,,\n"  # 6 out of range
        "f,Far east,halls,53,181,,\n"  # 7 out of range
        "g,Odd,Nonsense,53.8,-1.5,,\n"  # 8 unknown category
        "h,Dates,halls,53.8,-1.5,2026-13-01,\n"  # 9 malformed date
        "i,Backwards,halls,53.8,-1.5,2026-05-01,2026-04-01\n"  # 10 end before start
        "a,Again,halls,53.8,-1.5,,\n"  # 11 duplicate id
        "z,Zero,halls,0,0,,\n"  # 12 fine (suspicious but allowed)
    )
    table = read_table(csv_text.encode(), "bad.csv")
    plan = imports.import_preview(table=table, options=options_for(table), by=moderator)
    by_row = {e["row"]: e["message"] for e in plan.errors}
    assert sorted(by_row) == [3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert plan.counts()["create"] == 2  # the good rows are still counted for the preview
    assert "title is missing" in by_row[3]
    assert "latitude is missing" in by_row[4]
    assert "“north” is not a number" in by_row[5]
    assert "latitude 91 is out of range" in by_row[6]
    assert "longitude 181 is out of range" in by_row[7]
    assert "no category called “Nonsense”" in by_row[8]
    assert "“2026-13-01” is not a date" in by_row[9]
    assert "end date is before the start date" in by_row[10]
    assert "“a” is also used in row 2" in by_row[11]


def test_extra_questions_are_checked(halls, moderator):
    seats = CategoryQuestionFactory(category=halls, label="Seats", kind=QuestionKind.NUMBER)
    step = CategoryQuestionFactory(category=halls, label="Step free", kind=QuestionKind.YESNO, required=True)
    size = CategoryQuestionFactory(category=halls, label="Size", kind=QuestionKind.CHOICE, choices="Small\nLarge")
    table = read_table(
        b"title,category,lat,lng,Seats,Step free,Size\nA,halls,53.8,-1.5,120,yes,large\nB,halls,53.8,-1.6,lots,,Huge\n",
        "q.csv",
    )
    mapping = imports.guess_mapping(table.columns, [seats, step, size])
    assert mapping[f"q{seats.pk}"] == "Seats" and mapping[f"q{size.pk}"] == "Size"
    plan = imports.plan_import(table, ImportOptions(mapping=mapping))
    assert [e["row"] for e in plan.errors] == [3]
    message = plan.errors[0]["message"]
    assert "“Seats”: give a number" in message and "“Step free” needs an answer" in message
    assert "choose one of: Small, Large" in message
    table.rows.pop()
    table.numbers.pop()
    plan = imports.plan_import(table, ImportOptions(mapping=mapping))
    assert plan.creates[0][1].answers == {str(seats.pk): 120, str(step.pk): True, str(size.pk): "Large"}


def test_geojson_rows_use_the_geometry(halls, moderator):
    doc = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [-1.5, 53.8]},
             "properties": {"name": "A"}},
            {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[0, 0], [1, 1]]},
             "properties": {"name": "B"}},
        ],
    }  # fmt: skip
    table = read_table(json.dumps(doc).encode(), "a.geojson")
    options = ImportOptions(mapping=imports.guess_mapping(table.columns, geojson=True), default_category_id=halls.pk)
    plan = imports.plan_import(table, options)
    assert plan.errors == [{"row": 2, "message": "Its geometry is a LineString: only points can be imported."}]
    table.rows.pop(), table.numbers.pop(), table.points.pop()
    plan = imports.plan_import(table, options)
    assert (plan.creates[0][1].lat, plan.creates[0][1].lng) == (53.8, -1.5)


# ---- apply --------------------------------------------------------------------------------
def test_apply_creates_entries_with_history_area_and_cells(halls, food, moderator):
    from squaremile.places.models import Area
    from squaremile.places.selectors import area_for_point

    area = Area.objects.create(
        name="Kettleby", slug="kettleby", boundary={"type": "Polygon", "coordinates": [[[-1.6, 53.7], [-1.545, 53.7],
        [-1.545, 53.9], [-1.6, 53.9], [-1.6, 53.7]]]}, min_lat=53.7, max_lat=53.9, min_lng=-1.6, max_lng=-1.545,
        area_sq_deg=0.02,
    )  # fmt: skip
    table = read_table(GOOD_CSV.encode(), "halls.csv")
    result = imports.import_apply(
        table=table, options=options_for(table, publish=True, source="halls.csv"), by=moderator
    )
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    hall = Entry.objects.get(external_id="h1")
    assert hall.status == EntryStatus.PUBLISHED and hall.published_at is not None
    assert hall.source == "halls.csv" and hall.area_id == area.pk and hall.cx20 != 0
    assert Entry.objects.get(external_id="h3").area_id is None  # outside the area (lng -1.54 is east of it)
    for entry in Entry.objects.all():  # the same answer as the one-point lookup the services use
        assert entry.area_id == getattr(area_for_point(lat=entry.lat, lng=entry.lng), "pk", None)
    event = hall.events.get()
    assert event.action == "entry.imported" and event.actor == moderator and "row 2" in event.note
    assert ClusterCell.objects.filter(level=0).values_list("count", flat=True).first() is not None
    assert sum(ClusterCell.objects.filter(level=0).values_list("count", flat=True)) == 3


def test_one_bad_row_applies_nothing(halls, food, moderator):
    table = read_table((GOOD_CSV + "h4,Broken,halls,200,-1.5,,\n").encode(), "halls.csv")
    with pytest.raises(ImportRejected) as exc:
        imports.import_apply(table=table, options=options_for(table, default_category_id=halls.pk), by=moderator)
    assert [e["row"] for e in exc.value.plan.errors] == [5]
    assert Entry.objects.count() == 0 and AuditEvent.objects.count() == 0


def test_reimport_changes_nothing_and_updates_write_history(halls, food, moderator):
    table = read_table(GOOD_CSV.encode(), "halls.csv")
    options = options_for(table, publish=True)
    imports.import_apply(table=table, options=options, by=moderator)
    stamps = dict(Entry.objects.values_list("external_id", "updated_at"))
    again = imports.import_apply(table=read_table(GOOD_CSV.encode(), "halls.csv"), options=options, by=moderator)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert dict(Entry.objects.values_list("external_id", "updated_at")) == stamps
    assert AuditEvent.objects.count() == 3

    changed = GOOD_CSV.replace("Village hall,Halls,53.80", "Village hall (new roof),food-help,53.82")
    result = imports.import_apply(table=read_table(changed.encode(), "halls.csv"), options=options, by=moderator)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 2)
    hall = Entry.objects.get(external_id="h1")
    assert (hall.title, hall.category, hall.lat) == ("Village hall (new roof)", food, 53.82)
    event = hall.events.order_by("-id").first()
    assert event.action == "entry.imported"
    assert event.changes["title"] == ["Village hall", "Village hall (new roof)"]
    assert event.changes["category"] == ["Halls", "Food help"]
    assert sum(ClusterCell.objects.filter(level=0).values_list("count", flat=True)) == 3


def test_files_without_ids_reimport_idempotently(halls, moderator):
    data = b"title,lat,lng\nHall,53.8,-1.5\nShop,53.7,-1.4\n"
    options = ImportOptions(mapping={"title": "title", "lat": "lat", "lng": "lng"}, default_category_id=halls.pk)
    imports.import_apply(table=read_table(data), options=options, by=moderator)
    again = imports.import_apply(table=read_table(data), options=options, by=moderator)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert Entry.objects.count() == 2
    dup = imports.plan_import(read_table(data + b"Hall,53.8,-1.5\n"), options)
    assert dup.errors == [{"row": 4, "message": "The same title and coordinates is also used in row 2."}]


def test_members_cannot_import(halls):
    member = UserFactory(role=Role.ORGANISER)
    table = read_table(GOOD_CSV.encode())
    with pytest.raises(PermissionDenied):
        imports.import_apply(table=table, options=options_for(table), by=member)
    assert Entry.objects.count() == 0


def test_import_rows_for_scripts(halls, moderator):
    rows = [{"title": f"Place {n}", "lat": 53 + n / 100, "lng": -1.5, "category": "halls"} for n in range(5)]
    result = imports.import_rows(
        rows=rows, options=ImportOptions(mapping=imports.guess_mapping(list(rows[0])), publish=True), by=moderator
    )
    assert result.created == 5 and Entry.objects.filter(status="published").count() == 5


# ---- the wizard ---------------------------------------------------------------------------
def upload(client, data: bytes, name="halls.csv"):
    return client.post(reverse("mapping:import_start"), {"file": _named(data, name)})


def _named(data: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="text/csv")


def columns_post(job, **extra):
    """The column page's form as sent: each choice is the chosen column's position in the file."""
    columns = job.params["columns"]
    data = {f"map_{k}": str(columns.index(v)) for k, v in job.params["guess"].items()}
    data.update(publish="publish")
    data.update(extra)
    return data


def test_member_cannot_import(client, halls):
    client.force_login(UserFactory(role=Role.ORGANISER))
    assert client.get(reverse("mapping:import_start")).status_code == 403
    assert upload(client, GOOD_CSV.encode()).status_code == 403
    assert not Job.objects.exists()


def test_wizard_upload_columns_preview_apply(client, halls, food, moderator):
    client.force_login(moderator)
    response = client.get(reverse("mapping:import_start"))
    assert response.status_code == 200 and b'type="file"' in response.content
    response = upload(client, GOOD_CSV.encode())
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("mapping:import_columns", args=[job.pk])
    assert job.status == JobStatus.WAITING and job.params["stage"] == "mapping" and job.input_file
    page = client.get(response["Location"]).content.decode()
    assert "Village hall" in page  # the sample rows
    assert '<option value="3" selected>Latitude</option>' in page  # guessed (options are column positions)

    # a missing title column is refused on the form, choices kept
    response = client.post(reverse("mapping:import_columns", args=[job.pk]), columns_post(job, map_title=""))
    assert response.status_code == 400 and "Choose the column that holds each entry" in response.content.decode()

    response = client.post(reverse("mapping:import_columns", args=[job.pk]), columns_post(job))
    assert response["Location"] == reverse("mapping:import_preview", args=[job.pk])
    page = client.get(response["Location"]).content.decode()
    assert "<strong>3</strong> new entries" in page and "disabled" not in page
    assert Entry.objects.count() == 0

    response = client.post(reverse("mapping:import_apply", args=[job.pk]))
    job.refresh_from_db()
    assert response["Location"] == job.get_absolute_url()
    assert job.status == JobStatus.DONE and job.params["stage"] == "applied"
    assert Entry.objects.filter(status=EntryStatus.PUBLISHED, source="halls.csv").count() == 3
    page = client.get(job.get_absolute_url()).content.decode()
    assert "3 new" in page
    # a second click does nothing more
    client.post(reverse("mapping:import_apply", args=[job.pk]))
    assert Entry.objects.count() == 3 and AuditEvent.objects.count() == 3


def test_wizard_bad_row_blocks_apply_then_corrected_file(client, halls, food, moderator):
    client.force_login(moderator)
    bad = GOOD_CSV.replace("h3,Food bank,food-help,53.79", "h3,Food bank,Unheard of,53.79")
    upload(client, bad.encode())
    job = Job.objects.get()
    client.post(reverse("mapping:import_columns", args=[job.pk]), columns_post(job))
    page = client.get(reverse("mapping:import_preview", args=[job.pk])).content.decode()
    assert "There is no category called “Unheard of”" in page and "<td>4</td>" in page
    assert "disabled" in page
    response = client.post(reverse("mapping:import_apply", args=[job.pk]))
    assert response["Location"] == reverse("mapping:import_preview", args=[job.pk])
    assert Entry.objects.count() == 0  # the server refuses too

    response = client.post(reverse("mapping:import_file", args=[job.pk]), {"file": _named(GOOD_CSV.encode(), "v2.csv")})
    assert response["Location"] == reverse("mapping:import_columns", args=[job.pk])
    job.refresh_from_db()
    assert job.input_filename == "v2.csv" and job.params["mapping"]["title"] == "Name"
    client.post(reverse("mapping:import_columns", args=[job.pk]), columns_post(job))
    client.post(reverse("mapping:import_apply", args=[job.pk]))
    assert Entry.objects.count() == 3


def test_wizard_unreadable_file_is_refused_on_the_form(client, moderator):
    client.force_login(moderator)
    response = upload(client, b"", "empty.csv")
    assert response.status_code == 400 and not Job.objects.exists()
    response = upload(client, b'{"type": "Feature"', "x.geojson")
    assert response.status_code == 400 and "not valid JSON" in response.content.decode()


def test_other_people_cannot_see_an_import(client, halls, moderator):
    client.force_login(moderator)
    upload(client, GOOD_CSV.encode())
    job = Job.objects.get()
    client.force_login(UserFactory(role=Role.MODERATOR))
    for name in ("mapping:import_columns", "mapping:import_preview"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
    assert client.post(reverse("mapping:import_apply", args=[job.pk])).status_code == 404


def test_large_files_run_in_the_background_with_progress(
    client, settings, halls, moderator, django_capture_on_commit_callbacks
):
    settings.MAP_IMPORT_INLINE_ROWS = 10
    rows = "".join(f"r{n},Place {n},halls,53.{n:04d},-1.5\n" for n in range(40))
    client.force_login(moderator)
    upload(client, ("id,title,category,lat,lng\n" + rows).encode())
    job = Job.objects.get()
    with django_capture_on_commit_callbacks(execute=True) as tasks:
        response = client.post(reverse("mapping:import_columns", args=[job.pk]), columns_post(job))
    assert len(tasks) == 1  # enqueued once committed; the immediate backend runs it at once in tests
    assert response["Location"] == job.get_absolute_url()
    job.refresh_from_db()
    assert job.status == JobStatus.WAITING and job.params["stage"] == "preview" and job.progress == 40
    assert job.report["counts"]["create"] == 40
    with django_capture_on_commit_callbacks(execute=True) as tasks:
        response = client.post(reverse("mapping:import_apply", args=[job.pk]))
    assert len(tasks) == 1
    assert response["Location"] == job.get_absolute_url()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.total == 40 and job.progress == 40
    assert Entry.objects.count() == 40


# ---- the command --------------------------------------------------------------------------
def test_command_dry_run_reports_every_bad_row(tmp_path, halls, food):
    path = tmp_path / "bad.csv"
    path.write_text(GOOD_CSV + "h4,,halls,53.8,-1.5,,\nh5,Far,halls,99,-1.5,,\n")
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_entries", str(path), "--dry-run", stdout=out, stderr=err)
    text = out.getvalue() + err.getvalue()
    assert "Row 5: The title is missing." in text and "Row 6:" in text and "out of range" in text
    assert Entry.objects.count() == 0


def test_command_applies_with_a_mapping(tmp_path, halls):
    path = tmp_path / "places.csv"
    path.write_text("Ref;Place;Y;X\nA1;Hall;53,8;-1,5\nA2;Shop;53,7;-1,4\n", encoding="utf-8-sig")
    out = io.StringIO()
    call_command("import_entries", str(path), "--map", "title=Place,lat=Y,lng=X,external_id=Ref",
                 "--category", "Halls", "--publish", stdout=out)  # fmt: skip
    assert "2 new" in out.getvalue()
    assert Entry.objects.filter(status=EntryStatus.PUBLISHED, source="places.csv").count() == 2
    out = io.StringIO()
    call_command("import_entries", str(path), "--map", "title=Place,lat=Y,lng=X,external_id=Ref",
                 "--category", "halls", stdout=out)  # fmt: skip
    assert "0 new, 0 updated, 2 unchanged" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("import_entries", str(path), "--map", "title=Nope", "--category", "halls", stdout=io.StringIO())


def test_entry_history_shows_import(halls, food, moderator):
    EntryFactory(category=halls, external_id="h1", title="Old", lat=53.8, lng=-1.55)
    table = read_table(GOOD_CSV.replace(",Halls,", ",halls,").encode())
    plan = imports.plan_import(table, options_for(table, default_category_id=halls.pk))
    assert plan.counts()["update"] == 1


def test_import_pages_queries_are_bounded(client, halls, moderator, django_assert_max_num_queries):
    client.force_login(moderator)
    for n in range(12):
        upload(client, GOOD_CSV.replace("h1,", f"x{n},").encode(), f"file{n}.csv")
    with django_assert_max_num_queries(6):
        html = client.get(reverse("mapping:import_start")).content.decode()
    assert html.count("file") >= 10 and "file0.csv" not in html  # the ten most recent
    job = Job.objects.first()
    with django_assert_max_num_queries(10):
        assert client.get(reverse("mapping:import_columns", args=[job.pk])).status_code == 200


def test_a_crash_while_applying_changes_nothing_and_is_said_plainly(client, halls, food, moderator, monkeypatch):
    client.force_login(moderator)
    upload(client, GOOD_CSV.encode())
    job = Job.objects.get()
    client.post(reverse("mapping:import_columns", args=[job.pk]), columns_post(job))

    def broken_history(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(imports, "_insert_events", broken_history)
    response = client.post(reverse("mapping:import_apply", args=[job.pk]))
    assert response["Location"] == job.get_absolute_url()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "Nothing was changed" in job.message and "fire" not in job.message
    assert Entry.objects.count() == 0  # the entries written before the failure were rolled back
    assert "Start a new import" in client.get(job.get_absolute_url()).content.decode()


def test_a_lost_upload_fails_the_check_in_plain_words(client, halls, moderator):
    client.force_login(moderator)
    upload(client, GOOD_CSV.encode())
    job = Job.objects.get()
    job.input_file.delete(save=False)
    client.post(reverse("mapping:import_columns", args=[job.pk]), columns_post(job))
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.message == "The uploaded file is no longer kept. Upload it again."


def test_large_imports_rebuild_the_cluster_cells(halls, food, moderator, monkeypatch):
    EntryFactory(category=halls, lat=51.5, lng=-0.1)  # already on the map
    clusters.rebuild()
    calls = []
    monkeypatch.setattr(imports, "REBUILD_OVER", 2)
    monkeypatch.setattr(clusters, "rebuild", lambda real=clusters.rebuild: calls.append(1) or real())
    table = read_table(GOOD_CSV.encode())
    imports.import_apply(table=table, options=options_for(table, publish=True), by=moderator)
    assert calls == [1]
    assert sum(ClusterCell.objects.filter(level=0).values_list("count", flat=True)) == 4
