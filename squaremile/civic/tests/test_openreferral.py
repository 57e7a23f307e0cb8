"""The directory as Open Referral (HSDS 3.0): every answer validates against the HSDS schema
(`hsds_schema.json`, written from the official 3.0 schema files: see its $comment), the schema itself
is strict, pages, CORS, and the bulk export (official file and column names, tabular rows valid)."""

import csv
import datetime
import io
import json
import zipfile
from pathlib import Path

import jsonschema_rs
import pytest
from django.conf import settings
from django.urls import reverse

from squaremile.civic import openreferral
from squaremile.directory.models import Skill, SkillFamily
from squaremile.directory.tests.factories import OrganisationFactory, ProjectFactory

pytestmark = pytest.mark.django_db
SCHEMA = json.loads((Path(__file__).parent / "hsds_schema.json").read_text())


def validator(name: str):
    schema = {**SCHEMA, "$ref": f"#/definitions/{name}"}
    return jsonschema_rs.validator_for(schema, validate_formats=True)


def assert_valid(name: str, instance):
    errors = [f"{e.instance_path}: {e.message}" for e in validator(name).iter_errors(instance)]
    assert not errors, errors
    assert_no_nulls(instance)


def assert_no_nulls(instance, path="$"):
    """HSDS has no nullable field: a value we do not have is left out, never null."""
    if isinstance(instance, dict):
        for key, value in instance.items():
            assert value is not None, f"{path}.{key} is null"
            assert_no_nulls(value, f"{path}.{key}")
    elif isinstance(instance, list):
        for i, value in enumerate(instance):
            assert_no_nulls(value, f"{path}[{i}]")


def tabular_row(name: str, row: dict) -> dict:
    """A CSV row as the JSON object it stands for: an empty cell is a missing value (but an empty required
    string stays ""), a number column a number."""
    definition = SCHEMA["definitions"][name]
    out = {}
    for key, value in row.items():
        kind = definition["properties"].get(key, {}).get("type")
        if value == "" and key not in definition["required"]:
            continue
        out[key] = float(value) if kind == "number" else value
    return out


def tabular_validator(name: str):
    """The entity's schema and its official `tabular_required` fields (what a CSV row must also have)."""
    required = SCHEMA["definitions"][name].get("x-hsds-tabular-required", [])
    schema = {**SCHEMA, "allOf": [{"$ref": f"#/definitions/{name}"}, {"required": required}]}
    return jsonschema_rs.validator_for(schema, validate_formats=True)


@pytest.fixture
def directory():
    family = SkillFamily.objects.create(name="Civic test family", slug="civic-test-family")
    skill = Skill.objects.create(
        family=family, name="Civic test first aid", slug="civic-test-first-aid", description="Helping"
    )
    org = OrganisationFactory(name="Allotment Society", email="hello@allot.example.org", phone="0113 000",
                              lat=53.8, lng=-1.55, website="https://allot.example.org",
                              address="The Hut, Allotment Lane, Leeds LS6 2AB",
                              opening_hours={"sa": ["10:00", "13:00"], "su": ["10:00", "13:00"]},
                              hours_note="Not in January")  # fmt: skip
    org.skills.add(skill)
    hidden = OrganisationFactory(name="Quiet Group", email="secret@example.org", contact_visibility="nobody")
    project = ProjectFactory(name="Seed swap", lat=53.81, lng=-1.56, status="paused",
                             start_date=datetime.date(2026, 3, 1), end_date=datetime.date(2026, 10, 31))  # fmt: skip
    project.organisations.add(org)
    project.skills.add(skill)
    return {"org": org, "hidden": hidden, "project": project, "skill": skill}


def test_every_list_validates_and_pages(client, directory, django_assert_max_num_queries):
    for name, item in (("services", "service"), ("organizations", "organization"), ("locations", "location"),
                       ("taxonomy_terms", "taxonomy_term"), ("taxonomies", "taxonomy")):  # fmt: skip
        response = client.get(reverse(f"civic:openreferral_{name}"))
        assert response.status_code == 200 and response["Access-Control-Allow-Origin"] == "*"
        data = response.json()
        assert_valid("page", data)
        assert data["contents"], name
        for row in data["contents"]:
            assert_valid(item, row)
        assert data["size"] == len(data["contents"]) and data["empty"] is False
    services = client.get(reverse("civic:openreferral_services"), {"per_page": 2, "page": 2}).json()
    assert services["total_items"] == 3 and services["page_number"] == 2 and len(services["contents"]) == 1
    assert services["contents"][0]["name"] == "Seed swap" and services["contents"][0]["status"] == "temporarily closed"
    assert services["size"] == 1  # the number of entities on the page (openapi.json's Page)
    with django_assert_max_num_queries(12):
        client.get(reverse("civic:openreferral_services"), {"per_page": 50})


def test_the_api_root_follows_the_official_shape(client, directory):
    response = client.get(reverse("civic:openreferral_index"))
    data = response.json()
    assert_valid("api_info", data)
    assert data["version"] == "3.0" and "openapi_url" not in data  # no null where the spec wants a uri
    assert data["publisher"]["website"].startswith("http")


def test_a_website_or_email_that_is_not_valid_is_left_out(client, directory):
    org = directory["org"]
    org.website, org.email = "allot.example.org", "not an address"  # old imported values
    org.save()
    oid = openreferral.uid("organization", org.pk)
    data = client.get(reverse("civic:openreferral_organization", args=[oid])).json()
    assert_valid("organization", data)
    assert "website" not in data and "email" not in data
    assert "email" not in data["contacts"][0] and data["contacts"][0]["phones"][0]["number"] == "0113 000"


def test_contact_details_only_when_public(client, directory):
    rows = client.get(reverse("civic:openreferral_organizations")).json()["contents"]
    by_name = {r["name"]: r for r in rows}
    assert by_name["Allotment Society"]["email"] == "hello@allot.example.org"
    assert "email" not in by_name["Quiet Group"]


def test_one_service_and_one_organization_by_id(client, directory):
    sid = openreferral.uid("project_service", directory["project"].pk)
    one = client.get(reverse("civic:openreferral_service", args=[sid])).json()
    assert_valid("service", one)
    assert one["organization"]["name"] == "Allotment Society"
    oid = openreferral.uid("organization", directory["org"].pk)
    org = client.get(reverse("civic:openreferral_organization", args=[oid])).json()
    assert_valid("organization", org)
    assert {s["name"] for s in org["services"]} == {"Allotment Society", "Seed swap"}
    assert client.get(reverse("civic:openreferral_service", args=["not-a-uuid"])).status_code == 404
    assert openreferral.parse_uid(oid) == ("organization", directory["org"].pk)


def test_the_bulk_export_is_a_tabular_data_package(client, directory):
    orphan = ProjectFactory(name="Nobody's project")  # no organisation: the network's own in the export
    family = directory["skill"].family  # a skill named like its family: their codes must still differ
    Skill.objects.create(family=family, name="Civic test family itself", slug=family.slug, description="x")
    response = client.get(reverse("civic:openreferral_export"))
    assert response.status_code == 200 and response["Access-Control-Allow-Origin"] == "*"
    zf = zipfile.ZipFile(io.BytesIO(response.content))
    package = json.loads(zf.read("datapackage.json"))
    assert {r["path"] for r in package["resources"]} == set(openreferral.EXPORT_FILES)
    assert set(zf.namelist()) == set(openreferral.EXPORT_FILES) | {"datapackage.json"}
    # each file is an official HSDS table, under its official file name, with official column names only
    tables = {d["x-hsds-path"]: name for name, d in SCHEMA["definitions"].items() if "x-hsds-path" in d}
    for resource in package["resources"]:
        name = tables[resource["path"]]
        assert resource["name"] == name and resource["profile"] == "tabular-data-resource"
        properties = SCHEMA["definitions"][name]["properties"]
        nested = ("array", "object")  # a table's columns are its properties that are not nested records
        columns = {k for k, v in properties.items() if SCHEMA["definitions"].get(v.get("$ref", "")[14:], v)["type"]
                   not in nested}  # fmt: skip
        rows = list(csv.DictReader(io.StringIO(zf.read(resource["path"]).decode())))
        header = list(csv.reader(io.StringIO(zf.read(resource["path"]).decode())))[0]
        assert header == [f["name"] for f in resource["schema"]["fields"]]
        assert set(header) <= columns, (resource["path"], set(header) - columns)
        assert set(header) >= set(SCHEMA["definitions"][name].get("x-hsds-tabular-required", []))
        ids = [row["id"] for row in rows]
        assert len(ids) == len(set(ids)), f"{resource['path']}: ids repeat"  # official: id is unique
        check = tabular_validator(name)
        for row in rows:
            data = tabular_row(name, row)
            errors = [f"{resource['path']} {e.instance_path}: {e.message}" for e in check.iter_errors(data)]
            assert not errors, errors
    services = list(csv.DictReader(io.StringIO(zf.read("services.csv").decode())))
    assert {s["name"] for s in services} == {"Allotment Society", "Quiet Group", "Seed swap", orphan.name}
    organisations = {o["id"]: o for o in csv.DictReader(io.StringIO(zf.read("organizations.csv").decode()))}
    assert all(s["organization_id"] in organisations for s in services)  # every service's organisation is there
    (orphan_row,) = [s for s in services if s["name"] == orphan.name]
    assert organisations[orphan_row["organization_id"]]["name"] == settings.SITE_NAME
    terms = list(csv.DictReader(io.StringIO(zf.read("taxonomy_terms.csv").decode())))
    assert len({t["code"] for t in terms}) == len(terms)  # codes unique, families and skills alike
    listed = client.get(reverse("civic:openreferral_services")).json()["contents"]
    assert orphan.name in {s["name"] for s in listed}
    fields = {f["name"]: f["type"] for r in package["resources"] for f in r["schema"]["fields"]}
    assert (fields["latitude"], fields["valid_from"], fields["last_modified"]) == ("number", "date", "datetime")
    (phone_row,) = [r for r in csv.DictReader(io.StringIO(zf.read("phones.csv").decode())) if r["service_id"]]
    assert phone_row["number"] == "0113 000"


def test_the_schema_rejects_what_hsds_does_not_allow():
    uid = openreferral.uid
    good = {
        "service": {"id": uid("org_service", 1), "name": "A", "status": "active", "url": "https://example.org/a",
                    "last_modified": "2026-01-02T03:04:05.678+00:00"},
        "organization": {"id": uid("organization", 1), "name": "A", "description": "B", "website": "https://a.org"},
        "location": {"id": uid("org_location", 1), "location_type": "physical", "latitude": 53.8, "longitude": -1.5},
        "address": {"id": uid("org_location", 1, 2), "address_1": "1 Lane", "city": "Leeds", "state_province": "",
                    "postal_code": "LS6 2AB", "country": "GB", "address_type": "postal"},
        "phone": {"id": uid("organization", 1, 3), "number": "0113 000", "extension": 12},
        "schedule": {"id": uid("project_service", 1, 1), "freq": "MONTHLY", "wkst": "MO", "byday": "2MO,-1FR",
                     "bymonthday": "1,-5", "interval": 2, "opens_at": "09:00:00Z", "valid_from": "2026-03-01"},
        "attribute": {"id": uid("attribute", 1), "link_id": uid("org_service", 1), "taxonomy_term_id": uid("skill", 1),
                      "link_type": "skill", "link_entity": "service"},
        "taxonomy_term": {"id": uid("skill", 1), "name": "First aid", "description": "", "language": "en"},
    }  # fmt: skip
    for name, record in good.items():
        assert validator(name).is_valid(record), name  # the hand-made records below differ by one fault each
    bad = [
        ("service", {"id": "42"}),  # not a uuid
        ("service", {"status": "open"}),  # not in the status enum
        ("service", {"url": "/projects/a/"}),  # a uri must be absolute
        ("service", {"last_modified": "yesterday"}),
        ("service", {"organization_id": None}),  # no nulls
        ("service", {"colour": "red"}),  # no unofficial field
        ("organization", {"description": None}),
        ("organization", {"website": "a.org"}),
        ("organization", {"email": "not an address"}),
        ("location", {"location_type": "building"}),
        ("location", {"latitude": "53.8"}),  # a number, not a string
        ("location", {"latitude": 95}),
        ("address", {"address_type": "home"}),
        ("address", {"country": "United Kingdom"}),
        ("phone", {"extension": "12"}),
        ("phone", {"number": 113000}),
        ("schedule", {"freq": "DAILY"}),
        ("schedule", {"wkst": "MON"}),  # the 3.0 draft's spelling, not the release's
        ("schedule", {"byday": "Monday"}),
        ("schedule", {"bymonthday": "32"}),
        ("schedule", {"interval": 0}),
        ("schedule", {"opens_at": "9am"}),
        ("schedule", {"valid_from": "March"}),
        ("attribute", {"link_id": "service-1"}),
        ("taxonomy_term", {"parent_id": "families/2"}),
        ("taxonomy_term", {"language": "English"}),
    ]
    for name, change in bad:
        assert not validator(name).is_valid(good[name] | change), (name, change)
    required = (("service", "status"), ("organization", "description"), ("address", "postal_code"),
                ("location", "location_type"), ("phone", "number"), ("taxonomy_term", "description"))  # fmt: skip
    for name, missing in required:
        assert not validator(name).is_valid({k: v for k, v in good[name].items() if k != missing}), (name, missing)
    row = {k: v for k, v in good["attribute"].items() if k != "link_entity"}
    assert validator("attribute").is_valid(row) and not tabular_validator("attribute").is_valid(row)


def test_addresses_contacts_and_schedules_where_the_directory_has_them(client, directory):
    oid = openreferral.uid("organization", directory["org"].pk)
    org = client.get(reverse("civic:openreferral_organization", args=[oid])).json()
    assert_valid("organization", org)
    address = org["locations"][0]["addresses"][0]
    assert_valid("address", address)
    assert (
        address["address_1"],
        address["address_2"],
        address["city"],
        address["postal_code"],
        address["country"],
    ) == ("The Hut", "Allotment Lane", "Leeds", "LS6 2AB", "GB")
    (contact,) = org["contacts"]
    assert_valid("contact", contact)
    assert contact["email"] == "hello@allot.example.org" and contact["phones"][0]["number"] == "0113 000"
    services = {s["name"]: s for s in client.get(reverse("civic:openreferral_services")).json()["contents"]}
    assert services["Allotment Society"]["contacts"][0]["email"] == "hello@allot.example.org"
    assert services["Quiet Group"]["contacts"] == []  # contact details not public: no contact
    (schedule,) = services["Seed swap"]["schedules"]
    assert_valid("schedule", schedule)
    assert (schedule["valid_from"], schedule["valid_to"]) == ("2026-03-01", "2026-10-31")
    (hours,) = services["Allotment Society"]["schedules"]  # opening hours: weekly, local times with offset
    assert_valid("schedule", hours)
    assert (hours["freq"], hours["byday"], hours["opens_at"][:8], hours["closes_at"][:8]) == (
        "WEEKLY", "SA,SU", "10:00:00", "13:00:00")  # fmt: skip
    assert hours["description"] == "Saturday and Sunday, 10:00 to 13:00. Not in January"
    for row in client.get(reverse("civic:openreferral_locations")).json()["contents"]:
        assert_valid("location", row)
    response = client.get(reverse("civic:openreferral_export"))
    zf = zipfile.ZipFile(io.BytesIO(response.content))
    for name, item in (("addresses.csv", "address"), ("contacts.csv", "contact"), ("schedules.csv", "schedule")):
        rows = list(csv.DictReader(io.StringIO(zf.read(name).decode())))
        assert rows, name
        for row in rows:
            assert_valid(item, tabular_row(item, row))


def test_the_fuller_schema_rejects_bad_addresses_and_schedules():
    good = {"id": openreferral.uid("org_location", 1, 2), "address_1": "1 Lane", "city": "Leeds", "state_province": "",
            "postal_code": "LS6 2AB", "country": "GB", "address_type": "physical"}  # fmt: skip
    assert validator("address").is_valid(good)
    assert not validator("address").is_valid({**good, "country": "United Kingdom"})
    assert not validator("address").is_valid({k: v for k, v in good.items() if k != "city"})
    sid = openreferral.uid("project_service", 1, 1)
    assert not validator("schedule").is_valid({"id": sid, "valid_from": "March"})
    assert not validator("schedule").is_valid({"id": sid, "freq": "DAILY"})
