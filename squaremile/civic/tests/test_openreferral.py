"""The directory as Open Referral (HSDS 3.0): every answer validates against the HSDS schema
(`hsds_schema.json`, written from the spec: see its $comment), pages, CORS, and the bulk export."""

import csv
import datetime
import io
import json
import zipfile
from pathlib import Path

import jsonschema_rs
import pytest
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


@pytest.fixture
def directory():
    family = SkillFamily.objects.create(name="Civic test family", slug="civic-test-family")
    skill = Skill.objects.create(
        family=family, name="Civic test first aid", slug="civic-test-first-aid", description="Helping"
    )
    org = OrganisationFactory(name="Allotment Society", email="hello@allot.example.org", phone="0113 000",
                              lat=53.8, lng=-1.55, website="https://allot.example.org",
                              address="The Hut, Allotment Lane, Leeds LS6 2AB")  # fmt: skip
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
    services = client.get(reverse("civic:openreferral_services"), {"per_page": 2, "page": 2}).json()
    assert services["total_items"] == 3 and services["page_number"] == 2 and len(services["contents"]) == 1
    assert services["contents"][0]["name"] == "Seed swap" and services["contents"][0]["status"] == "temporarily closed"
    with django_assert_max_num_queries(12):
        client.get(reverse("civic:openreferral_services"), {"per_page": 50})


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
    response = client.get(reverse("civic:openreferral_export"))
    assert response.status_code == 200 and response["Access-Control-Allow-Origin"] == "*"
    zf = zipfile.ZipFile(io.BytesIO(response.content))
    package = json.loads(zf.read("datapackage.json"))
    assert {r["path"] for r in package["resources"]} == set(openreferral.EXPORT_FILES)
    services = list(csv.DictReader(io.StringIO(zf.read("services.csv").decode())))
    assert {s["name"] for s in services} == {"Allotment Society", "Quiet Group", "Seed swap"}
    for row in services:
        assert_valid("service", {k: v for k, v in row.items() if v != ""} | {})


def test_the_schema_rejects_what_hsds_does_not_allow():
    assert not validator("service").is_valid({"id": "x", "name": "A", "status": "active"})  # not a uuid
    assert not validator("service").is_valid({"id": openreferral.uid("org_service", 1), "name": "A", "status": "open"})
    assert not validator("organization").is_valid({"id": openreferral.uid("organization", 1), "name": "A"})


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
    for row in client.get(reverse("civic:openreferral_locations")).json()["contents"]:
        assert_valid("location", row)
    response = client.get(reverse("civic:openreferral_export"))
    zf = zipfile.ZipFile(io.BytesIO(response.content))
    for name, item in (("addresses.csv", "address"), ("contacts.csv", "contact"), ("schedules.csv", "schedule")):
        rows = list(csv.DictReader(io.StringIO(zf.read(name).decode())))
        assert rows, name
        for row in rows:
            assert_valid(item, {k: v for k, v in row.items() if v != "" or k == "state_province"})


def test_the_fuller_schema_rejects_bad_addresses_and_schedules():
    good = {"id": openreferral.uid("org_location", 1, 2), "address_1": "1 Lane", "city": "Leeds", "state_province": "",
            "postal_code": "LS6 2AB", "country": "GB", "address_type": "physical"}  # fmt: skip
    assert validator("address").is_valid(good)
    assert not validator("address").is_valid({**good, "country": "United Kingdom"})
    assert not validator("address").is_valid({k: v for k, v in good.items() if k != "city"})
    sid = openreferral.uid("project_service", 1, 1)
    assert not validator("schedule").is_valid({"id": sid, "valid_from": "March"})
    assert not validator("schedule").is_valid({"id": sid, "freq": "DAILY"})
