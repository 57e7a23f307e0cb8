"""The shared import pipeline, through a real importer (the directory's, the simplest): files in any
common encoding, column guessing, every bad row named with its reason, all or nothing, idempotent
re-import, the job steps with progress, and hostile input that never becomes a 500."""

import codecs
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from squaremile.accounts.models import Role
from squaremile.accounts.tests.factories import UserFactory
from squaremile.core.models import Job, JobStatus
from squaremile.directory.importers import ORGANISATIONS
from squaremile.directory.models import Organisation
from squaremile.imports import jobs, pipeline
from squaremile.imports.pipeline import ImportOptions, ImportRejected, Target, guess_mapping
from squaremile.imports.reading import ImportFileError, Limits, read_table

pytestmark = pytest.mark.django_db

TEXT = "Name,Type,Postcode,Note\nCafé Ø,Charity,LS1 4AP,“quoted” £5 – fine\nTea Room,,LS2 7EE,\n"


# ---- reading --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("encoding", "data"),
    [
        ("utf-8", TEXT.encode("utf-8")),
        ("utf-8", codecs.BOM_UTF8 + TEXT.encode("utf-8")),
        ("utf-16", TEXT.encode("utf-16")),  # with its byte-order mark, as Excel's "Unicode text"
        ("utf-16-le", TEXT.encode("utf-16-le")),  # without one
        ("utf-16-be", TEXT.encode("utf-16-be")),
        ("cp1252", TEXT.encode("cp1252")),  # a UK spreadsheet's "CSV"
    ],
)
def test_csv_read_in_any_common_encoding(encoding, data):
    table = read_table(data, "list.csv")
    assert table.encoding == encoding
    assert table.columns == ["Name", "Type", "Postcode", "Note"]
    assert table.rows[0] == ["Café Ø", "Charity", "LS1 4AP", "“quoted” £5 – fine"]
    assert table.numbers == [2, 3]


def test_latin1_and_semicolons_and_tabs():
    assert read_table("Nom;Ville\nÉcole;Genève\n".encode("latin-1")).rows == [["École", "Genève"]]
    assert read_table(b"a\tb\n1\t2\n").rows == [["1", "2"]]


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b"PK\x03\x04rest", "spreadsheet"),
        (b"\xd0\xcf\x11\xe0rest", "Excel"),
        (b"%PDF-1.4", "PDF"),
        (b"\x00\x01\x02\x03binary\xff", "not a text file"),
        (b"name\n", "no rows"),
        (b"name,x\n" + b"a,b\n" * 2000 + b"c,\x00d\n", "binary data"),
    ],
)
def test_unreadable_files_say_why(data, words):
    with pytest.raises(ImportFileError) as exc:
        read_table(data, "list.csv")
    assert words in str(exc.value)


def test_limits_refuse_huge_files_quickly():
    limits = Limits(max_bytes=1000, max_rows=3, max_columns=4)
    with pytest.raises(ImportFileError, match="larger than"):
        read_table(b"a\n" + b"x\n" * 1000, "f.csv", limits=limits)
    with pytest.raises(ImportFileError, match="more than 3 rows"):
        read_table(b"a\n1\n2\n3\n4\n", "f.csv", limits=limits)
    with pytest.raises(ImportFileError, match="5 columns"):
        read_table(b"a,b,c,d,e\n1,2,3,4,5\n", "f.csv", limits=limits)


# ---- columns --------------------------------------------------------------------------------------
def test_guess_uses_synonyms_key_and_label_and_each_column_once():
    targets = [
        Target("name", "Name", synonyms=("name", "title")),
        Target("title", "Heading"),
        Target("postcode", "Postcode", synonyms=("postalcode", "zip")),
    ]
    mapping = guess_mapping(["TITLE", "Post code", "Heading"], targets)
    assert mapping == {"name": "TITLE", "title": "Heading", "postcode": "Post code"}
    assert guess_mapping(["x"], targets) == {}


# ---- checking and applying -----------------------------------------------------------------------
@pytest.fixture
def moderator():
    return UserFactory(role=Role.MODERATOR)


def run(data: bytes, by, mapping=None, apply=False):
    table = read_table(data, "list.csv", limits=ORGANISATIONS.limits())
    options = ImportOptions(mapping=mapping or ORGANISATIONS.guess(table), source="list.csv")
    if apply:
        return pipeline.apply(ORGANISATIONS, table=table, options=options, by=by)
    return pipeline.preview(ORGANISATIONS, table=table, options=options, by=by)


BAD = (
    "id,name,type,email,postcode,latitude,longitude\n"
    "1,Good One,Charity,a@example.org,LS1 4AP,,\n"
    "2,,Charity,,,,\n"  # no name
    "3,Bad Type,Spaceship,,,,\n"
    "4,Bad Mail,,not-an-email,,,\n"
    "5,Bad Place,,,NOWHERE,91,x\n"
    "1,Same Id,,,,,\n"
    "7,Half a point,,,,53.8,\n"
)


def test_every_bad_row_is_named_with_its_reasons_and_nothing_is_applied(moderator):
    plan = run(BAD.encode(), moderator)
    assert plan.counts()["bad"] == 6 and plan.counts()["create"] == 1
    messages = {e["row"]: e["message"] for e in plan.errors}
    assert messages[3] == "The name is missing."
    assert "“Spaceship” is not one the directory knows" in messages[4]
    assert "“not-an-email” is not an e-mail address" in messages[5]
    assert "not a UK postcode" in messages[6] and "out of range" in messages[6] and "“x” is not a number" in messages[6]
    assert "also used in row 2" in messages[7]
    assert "both latitude and longitude" in messages[8]
    with pytest.raises(ImportRejected) as rejected:
        run(BAD.encode(), moderator, apply=True)
    assert len(rejected.value.plan.errors) == 6
    assert not Organisation.objects.exists()  # all or nothing


def test_column_choice_errors_stop_before_rows(moderator):
    plan = run(b"nom,ville\nA,B\n", moderator, mapping={"postcode": "ville"})
    assert plan.errors == [{"row": 0, "message": "Choose the column that holds the name."}]
    plan = run(b"name\nA\n", moderator, mapping={"name": "gone"})
    assert "no column “gone”" in plan.errors[0]["message"]


def test_reimport_is_idempotent_and_says_so(moderator):
    data = b"id,name,type\nA1,Alpha,Charity\nA2,Beta,\n"
    first = run(data, moderator, apply=True)
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    again = run(data, moderator, apply=True)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert "Nothing changed" in again.message
    changed = run(b"id,name,type\nA1,Alpha,Faith group\nA2,Beta,\n", moderator)
    assert changed.counts()["update"] == 1 and changed.updates[0][2] == {"org_type": ["charity", "faith_group"]}
    assert Organisation.objects.count() == 2


def test_permission_checked(moderator):
    with pytest.raises(pipeline.PermissionDenied):
        run(b"name\nA\n", UserFactory(role=Role.ORGANISER))
    assert run(b"name\nA\n", pipeline.OPERATOR).ok


def test_hostile_cells_are_cleaned_or_refused_never_an_error(moderator):
    data = (
        "name,description,website\n"
        "Evil\u202e Name\u0001,=cmd|' /C calc'!A0,javascript:alert(1)\n"
        f"{'x' * 5000},ok,\n"
        "Fine,\u200b<script>alert(1)</script>,\n"
    ).encode()
    plan = run(data, moderator)
    messages = {e["row"]: e["message"] for e in plan.errors}
    assert "is not a web address" in messages[2]
    assert "longer than 200 characters" in messages[3]
    assert plan.counts()["create"] == 1
    result = run(b"name,description\nEvil\xe2\x80\xae Name\x01,=1+1\n", moderator, apply=True)
    assert result.created == 1
    org = Organisation.objects.get()
    assert org.name == "Evil Name" and org.description == "=1+1"  # stored as text, shown escaped


# ---- the job steps --------------------------------------------------------------------------------
def test_job_steps_with_progress(moderator):
    data = b"id,name\n" + b"".join(f"K{i},Group {i}\n".encode() for i in range(1200))
    upload = SimpleUploadedFile("groups.csv", data, content_type="text/csv")
    job, table = jobs.start(ORGANISATIONS, by=moderator, upload=upload, filename="groups.csv")
    assert job.kind == "directory.organisations" and job.status == JobStatus.WAITING
    assert job.params["guess"] == {"name": "name", "external_id": "id"} and job.total == 1200
    options = ImportOptions(mapping=job.params["guess"], source="groups.csv")
    jobs.save_options(ORGANISATIONS, job=job, by=moderator, options=options)
    jobs.run_check(job.pk)  # what the background task runs (1,200 rows > inline_rows)
    job.refresh_from_db()
    assert job.status == JobStatus.WAITING and job.params["stage"] == "preview"
    assert job.progress == job.total == 1200 and job.report["counts"]["create"] == 1200
    assert job.message == "Checked 1,200 rows: ready to apply."
    assert jobs.queue_apply(ORGANISATIONS, job=job)
    jobs.run_apply(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.progress == 1200
    assert job.message == "Imported: 1,200 new, 0 updated, 0 unchanged."
    assert Organisation.objects.count() == 1200


def test_a_job_whose_rows_went_bad_applies_nothing_and_shows_them(moderator):
    upload = SimpleUploadedFile("g.csv", b"id,name,type\nA,One,Charity\n", content_type="text/csv")
    job, _ = jobs.start(ORGANISATIONS, by=moderator, upload=upload, filename="g.csv")
    jobs.save_options(ORGANISATIONS, job=job, by=moderator, options=ImportOptions(mapping=job.params["guess"]))
    jobs.run_check(job.pk)
    job.refresh_from_db()
    # the file is replaced underneath by a bad one between preview and apply
    jobs.replace_file(ORGANISATIONS, job=job, by=moderator, upload=b"id,name,type\nA,One,Nope\n", filename="g.csv")
    Job.objects.filter(pk=job.pk).update(status=JobStatus.WAITING)
    job.refresh_from_db()
    jobs.queue_apply(ORGANISATIONS, job=job)
    jobs.run_apply(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.WAITING and job.params["stage"] == "preview"
    assert job.report["errors"][0]["row"] == 2 and not Organisation.objects.exists()


def test_checking_is_linear(moderator):
    data = b"id,name,postcode\n" + b"".join(f"K{i},Group {i},LS{i % 9 + 1} 4AP\n".encode() for i in range(20_000))
    started = time.process_time()  # CPU time: steady when the machine is busy
    plan = run(data, moderator)
    elapsed = time.process_time() - started
    assert plan.ok and plan.counts()["create"] == 20_000
    assert elapsed < 10, f"checking 20,000 rows took {elapsed:.1f} s of CPU"


# ---- pages: bad input is a 400 with words, never a 500 -------------------------------------------
@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b"\x00\x00\x00junk", "not a text file"),
        (b"PK\x03\x04zip", "spreadsheet"),
        (b"name\n", "no rows"),
        (b'name\n"' + b"a" * 200_000, "cannot be read as CSV"),
    ],
)
def test_upload_page_answers_bad_files_in_words(moderator, data, words):
    client = Client()
    client.force_login(moderator, backend="django.contrib.auth.backends.ModelBackend")
    upload = SimpleUploadedFile("x.csv", data, content_type="text/csv")
    response = client.post(reverse("directory:import_start"), {"file": upload})
    assert response.status_code == 400
    assert words in response.content.decode()
    assert not Job.objects.exists()


def test_a_file_in_a_legacy_encoding_goes_on_to_the_columns(moderator):
    client = Client()
    client.force_login(moderator, backend="django.contrib.auth.backends.ModelBackend")
    upload = SimpleUploadedFile("x.csv", "name\nCafé Ÿ\n".encode("cp1252"), content_type="text/csv")
    response = client.post(reverse("directory:import_start"), {"file": upload})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("directory:import_columns", args=[job.pk])
    assert job.params["sample"] == [["Café Ÿ"]] and job.params["encoding"] == "cp1252"


def test_json_records_read_as_rows():
    plain = read_table(
        b'[{"name": "Hall", "tags": ["a", "b"], "n": 3}, {"name": "Caf\\u00e9", "extra": null}]', "x.json"
    )
    assert plain.kind == "json" and plain.row_word == "Record"
    assert plain.columns == ["name", "tags", "n", "extra"] and plain.numbers == [1, 2]
    assert plain.rows == [["Hall", '["a", "b"]', "3", ""], ["Café", "", "", ""]]
    wrapped = read_table(b'{"exported_at": "2026", "note": "x", "methods": [{"id": "a"}, 5]}', "export.json")
    assert wrapped.columns == ["id"] and wrapped.rows[0] == ["a"]
    assert "not an object" in wrapped.problems[1]
    geo = read_table(b'{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"a": 1},'
                     b' "geometry": {"type": "Point", "coordinates": [1, 52]}}]}', "m.json")  # fmt: skip
    assert geo.kind == "geojson" and geo.points == [(52.0, 1.0)]


@pytest.mark.parametrize(
    "data, words",
    [
        (b'{"a": [{"x": 1}], "b": [{"y": 2}]}', "several lists"),
        (b"[]", "empty list"),
        (b'{"name": "one thing"}', "no records"),
        (b'"just text"', "no records"),
        (b"[{]", "not valid JSON"),
        (b"[" * 100_000, "not valid JSON"),
    ],
)
def test_json_that_holds_no_records_says_why(data, words):
    with pytest.raises(ImportFileError, match=words):
        read_table(data, "x.json")
