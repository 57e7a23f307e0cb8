"""The directory import: organisations from a council's list, through the shared pipeline and its
pages. Idempotent on an external id or on name and postcode; hand-made organisations are taken up,
not doubled; types, streams, areas, web addresses and postcodes read as people write them."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from squaremile.accounts.models import Role
from squaremile.accounts.tests.factories import UserFactory
from squaremile.core.models import Job, JobStatus, SearchDocument
from squaremile.directory.importers import ORGANISATIONS
from squaremile.directory.models import Organisation, OrganisationType, Stream
from squaremile.directory.tests.factories import OrganisationFactory
from squaremile.imports import pipeline
from squaremile.imports.pipeline import ImportOptions
from squaremile.imports.reading import read_table
from squaremile.places.tests.factories import AreaFactory, square

pytestmark = pytest.mark.django_db
SAMPLE = Path(__file__).resolve().parents[3] / "docs" / "samples" / "organisations.csv"


@pytest.fixture
def moderator():
    return UserFactory(role=Role.MODERATOR)


def apply(text: str, by, **mapping):
    table = read_table(text.encode(), "list.csv")
    options = ImportOptions(mapping=mapping or ORGANISATIONS.guess(table))
    return pipeline.apply(ORGANISATIONS, table=table, options=options, by=by)


def test_the_sample_file_imports_whole_and_again_changes_nothing(moderator):
    area = AreaFactory(name="Hebden Royd", boundary=square(53.74, -2.015, 0.05))
    data = SAMPLE.read_bytes()
    table = read_table(data, SAMPLE.name)
    options = ImportOptions(mapping=ORGANISATIONS.guess(table))
    assert set(options.mapping) >= {"name", "org_type", "stream", "website", "email", "postcode", "lat", "lng"}
    result = pipeline.apply(ORGANISATIONS, table=table, options=options, by=moderator)
    assert (result.created, result.updated, result.unchanged) == (5, 0, 0)
    tools = Organisation.objects.get(external_id="VG-001")
    assert tools.org_type == OrganisationType.COMMUNITY_GROUP and tools.stream == Stream.COMMUNITY
    assert tools.website == "https://hebdentools.org.uk" and tools.address == "12 Market Street, HX7 8AD"
    assert tools.area == area and tools.owner == moderator  # the area holding its point
    assert Organisation.objects.get(external_id="VG-005").org_type == OrganisationType.COOPERATIVE
    assert SearchDocument.objects.filter(kind="organisation").count() == 5
    again = pipeline.apply(ORGANISATIONS, table=read_table(data, SAMPLE.name), options=options, by=moderator)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)


def test_without_ids_rows_match_on_name_and_postcode(moderator):
    text = "name,postcode,phone\nOak Group,ls1 4ap,1\nOak Group,LS2 7EE,2\n"
    assert apply(text, moderator).created == 2  # same name, two postcodes: two groups
    result = apply("name,postcode,phone\nOak Group,LS1 4AP,9\nOak Group,LS2 7EE,2\n", moderator)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert Organisation.objects.get(address="LS1 4AP").phone == "9"
    with pytest.raises(pipeline.ImportRejected) as rejected:
        apply("name,postcode\nElm,LS1 4AP\nelm,LS14AP\n", moderator)
    assert rejected.value.plan.errors == [{"row": 3, "message": "The same name and postcode is also used in row 2."}]


def test_an_organisation_entered_by_hand_is_taken_up_not_doubled(moderator):
    hand = OrganisationFactory(name="Calder Food Bank", address="Mill Yard, HX7 6AA", phone="")
    result = apply("id,name,postcode,phone\nCC-9,Calder Food Bank,HX7 6AA,01422 1\n", moderator)
    assert (result.created, result.updated) == (0, 1)
    hand.refresh_from_db()
    assert hand.external_id == "CC-9" and hand.phone == "01422 1"
    assert apply("id,name,postcode,phone\nCC-9,Calder Food Bank,HX7 6AA,01422 1\n", moderator).unchanged == 1


def test_areas_served_by_name_or_slug(moderator):
    a, b = AreaFactory(name="Todmorden"), AreaFactory(name="Mytholmroyd")
    apply(f"name,areas served\nWalkers,Todmorden; {b.slug}\n", moderator)
    assert set(Organisation.objects.get().areas_served.all()) == {a, b}
    with pytest.raises(pipeline.ImportRejected) as rejected:
        apply("name,areas served\nWalkers,Atlantis\n", moderator)
    assert "no area called “Atlantis”" in rejected.value.plan.errors[0]["message"]


def test_slugs_stay_unique_in_bulk(moderator):
    OrganisationFactory(name="Youth Club", slug="youth-club")
    OrganisationFactory(name="Youth Club", slug="youth-club-2")
    apply("name,postcode\nYouth Club,LS1 1AA\nYouth Club,LS1 1AB\nYouth  Club!,LS1 1AC\n", moderator)
    slugs = sorted(Organisation.objects.values_list("slug", flat=True))
    assert slugs == ["youth-club", "youth-club-2", "youth-club-3", "youth-club-4", "youth-club-5"]


# ---- pages ----------------------------------------------------------------------------------------
def login(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_the_wizard_end_to_end(moderator):
    client = login(moderator)
    listing = client.get(reverse("directory:organisation_list"))
    assert reverse("directory:import_start") in listing.content.decode()
    upload = SimpleUploadedFile("groups.csv", SAMPLE.read_bytes(), content_type="text/csv")
    response = client.post(reverse("directory:import_start"), {"file": upload})
    job = Job.objects.get()
    assert response["Location"] == reverse("directory:import_columns", args=[job.pk])
    page = client.get(response["Location"])
    assert page.status_code == 200 and "Hebden Tool Library" in page.content.decode()
    columns = job.params["columns"]
    form = {f"map_{key}": str(columns.index(column)) for key, column in job.params["guess"].items()}
    response = client.post(reverse("directory:import_columns", args=[job.pk]), form)
    assert response["Location"] == reverse("directory:import_preview", args=[job.pk])
    preview = client.get(response["Location"]).content.decode()
    assert "new organisations" in preview and "Hebden Tool Library" in preview
    response = client.post(reverse("directory:import_apply", args=[job.pk]))
    job.refresh_from_db()
    assert response.status_code == 302 and job.status == JobStatus.DONE
    assert Organisation.objects.count() == 5


def test_the_wizard_names_bad_rows_and_applies_nothing(moderator):
    client = login(moderator)
    upload = SimpleUploadedFile("bad.csv", b"name,email\nGood,a@example.org\n,x\nBad,nope\n", content_type="text/csv")
    client.post(reverse("directory:import_start"), {"file": upload})
    job = Job.objects.get()
    client.post(reverse("directory:import_columns", args=[job.pk]), {"map_name": "0", "map_email": "1"})
    preview = client.get(reverse("directory:import_preview", args=[job.pk])).content.decode()
    assert "2 rows have problems" in preview and "The name is missing" in preview and "“nope”" in preview
    response = client.post(reverse("directory:import_apply", args=[job.pk]))
    assert response.status_code == 302 and not Organisation.objects.exists()


def test_the_column_page_needs_the_name(moderator):
    client = login(moderator)
    client.post(reverse("directory:import_start"), {"file": SimpleUploadedFile("a.csv", b"x,y\n1,2\n")})
    job = Job.objects.get()
    response = client.post(reverse("directory:import_columns", args=[job.pk]), {"map_phone": "1"})
    assert response.status_code == 400 and "Choose the column that holds the name." in response.content.decode()


@pytest.mark.parametrize("role", [Role.MEMBER, Role.ORGANISER])
def test_only_moderators_and_admins_import(role):
    client = login(UserFactory(role=role))
    assert client.get(reverse("directory:import_start")).status_code == 403
    assert reverse("directory:import_start") not in client.get(reverse("directory:organisation_list")).content.decode()
    other_job = Job.objects.create(kind="directory.organisations", owner=UserFactory(role=Role.MODERATOR))
    assert client.get(reverse("directory:import_preview", args=[other_job.pk])).status_code == 403
    assert (
        login(UserFactory(role=Role.MODERATOR))
        .get(reverse("directory:import_preview", args=[other_job.pk]))
        .status_code
        == 404
    )  # another moderator's job


def test_management_command(tmp_path, moderator):
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("import_organisations", str(SAMPLE), "--by", moderator.email, stdout=out)
    assert "Imported: 5 new, 0 updated, 0 unchanged." in out.getvalue()
    out = StringIO()
    call_command("import_organisations", str(SAMPLE), "--dry-run", stdout=out)
    assert "Unchanged: 5" in out.getvalue() and "Dry run" in out.getvalue()
    bad = tmp_path / "bad.csv"
    bad.write_text("Group,Kind\nA,Spaceship\n", encoding="cp1252")
    err = StringIO()
    with pytest.raises(CommandError, match="1 rows have problems"):
        call_command("import_organisations", str(bad), "--map", "name=Group,org_type=Kind", stderr=err)
    assert "Row 2: The type “Spaceship” is not one the directory knows." in err.getvalue()
    with pytest.raises(CommandError, match="may not import"):
        call_command("import_organisations", str(SAMPLE), "--by", UserFactory(role=Role.MEMBER).email)


def test_a_postcode_the_gazetteer_knows_gives_the_point_and_area(moderator):
    from squaremile.places.models import Place, PlaceKind

    area = AreaFactory(name="Hebden Royd", lat=53.742, lng=-2.014, half=0.02)
    Place.objects.create(name="HX7 8AD", kind=PlaceKind.POSTCODE, lat=53.7419, lng=-2.0133)
    kept = OrganisationFactory(name="Placed By Hand", address="HX7 8AD", lat=53.0, lng=-1.0, external_id="P2")
    apply("id,name,postcode\nP1,Tool Library,hx7 8ad\nP2,Placed By Hand,HX7 8AD\nP3,Elsewhere,LS1 4AP\n", moderator)
    library = Organisation.objects.get(external_id="P1")
    assert (library.lat, library.lng, library.area) == (53.7419, -2.0133, area)
    kept.refresh_from_db()
    assert (kept.lat, kept.lng) == (53.0, -1.0)  # a point already kept is not moved to the postcode's
    assert Organisation.objects.get(external_id="P3").lat is None  # a postcode the gazetteer does not know
