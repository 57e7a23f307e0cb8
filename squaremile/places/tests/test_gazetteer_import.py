"""Loading the gazetteer through the shared import pipeline (places.importers): all or nothing, every
bad row named, idempotent, from the command line and the admin's wizard."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from squaremile.accounts.models import Role
from squaremile.accounts.tests.factories import UserFactory
from squaremile.imports import pipeline
from squaremile.imports.reading import read_table
from squaremile.places.importers import GAZETTEER
from squaremile.places.models import Place, PlaceKind
from squaremile.places.selectors import lookup_places

pytestmark = pytest.mark.django_db

GOOD = (
    "\ufeffNAME1;LOCAL_TYPE;LAT;LONG;POPULATED_PLACE\n"
    "Mill Lane;Named Road;53.7412;-2.0140;Hebden Bridge\n"
    "HX7 8AD;Postcode;53.7418;-2.0117;Hebden Bridge\n"
    "Heptonstall;Village;53.7480;-2.0210;\n"
).encode()


def _run(data: bytes, name: str = "places.csv", by=pipeline.OPERATOR):
    table = read_table(data, name, limits=GAZETTEER.limits())
    options = pipeline.ImportOptions(mapping=GAZETTEER.guess(table))
    plan = pipeline.preview(GAZETTEER, table=table, options=options, by=by)
    if not plan.ok:
        return plan, None
    return plan, pipeline.apply(GAZETTEER, table=table, options=options, by=by, plan=plan)


def test_a_list_loads_whole_and_again_changes_nothing():
    plan, result = _run(GOOD)
    assert plan.ok and plan.counts()["create"] == 3
    assert sorted(Place.objects.values_list("name", "kind", "context")) == [
        ("HX7 8AD", PlaceKind.POSTCODE, "Hebden Bridge"),
        ("Heptonstall", PlaceKind.LOCALITY, ""),
        ("Mill Lane", PlaceKind.STREET, "Hebden Bridge"),
    ]
    assert [m.label for m in lookup_places("hx7 8")] == ["HX7 8AD, Hebden Bridge"]  # findable at once
    again, _ = _run(GOOD)
    assert again.counts() | {"rows": 3} == {"rows": 3, "create": 0, "update": 0, "unchanged": 3, "bad": 0}
    moved, _ = _run(GOOD.replace(b"53.7412", b"53.7499"))
    assert moved.counts()["update"] == 1 and Place.objects.get(name="Mill Lane").lat == 53.7499
    assert Place.objects.count() == 3


def test_every_bad_row_is_named_and_nothing_is_applied():
    data = (
        b"name,kind,lat,lng\n"
        b"Good Street,street,53.7,-2.0\n"
        b",street,53.7,-2.0\n"
        b"Bad Kind,castle,53.7,-2.0\n"
        b"No Point,street,,\n"
        b"Far,street,95,-2.0\n"
        b"<script>x</script>,landmark,north,-2.0\n"
        b"Good Street,street,53.8,-2.1\n"
    )
    plan, result = _run(data)
    assert result is None and Place.objects.count() == 0
    messages = {e["row"]: e["message"] for e in plan.errors}
    assert set(messages) == {3, 4, 5, 6, 7, 8}
    assert "name is missing" in messages[3]
    assert "“castle” is not street, postcode, landmark or locality" in messages[4]
    assert "latitude is missing" in messages[5]
    assert "out of range" in messages[6]
    assert "“north” is not a number" in messages[7]
    assert "also in row" in messages[8]


def test_geojson_points_load_too():
    data = json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "geometry": {"type": "Point", "coordinates": [-2.0, 53.7]},
                 "properties": {"name": "Market Cross", "kind": "landmark", "town": "Todmorden"}},
            ],
        }
    ).encode()  # fmt: skip
    plan, result = _run(data, "places.geojson")
    assert plan.ok, plan.errors
    place = Place.objects.get()
    assert (place.name, place.kind, place.context, place.lat, place.lng) == (
        "Market Cross",
        "landmark",
        "Todmorden",
        53.7,
        -2.0,
    )


def test_the_command_prints_bad_rows_and_a_dry_run_applies_nothing(tmp_path):
    good = tmp_path / "good.csv"
    good.write_bytes(GOOD)
    out = StringIO()
    call_command("import_gazetteer", str(good), "--dry-run", stdout=out)
    assert "Dry run" in out.getvalue() and Place.objects.count() == 0
    call_command("import_gazetteer", str(good), stdout=StringIO())
    assert Place.objects.count() == 3
    bad = tmp_path / "bad.csv"
    bad.write_text("name,lat,lng\nNowhere,,\n")
    err = StringIO()
    with pytest.raises(CommandError, match="Nothing was applied: 1 rows"):
        call_command("import_gazetteer", str(bad), stdout=StringIO(), stderr=err)
    assert "Row 2: The latitude is missing; the longitude is missing." in err.getvalue()


def test_only_administrators_load_the_gazetteer(client):
    client.force_login(UserFactory(role=Role.MODERATOR))
    assert client.get(reverse("places:gazetteer_import_start")).status_code == 403
    client.force_login(UserFactory(role=Role.ADMIN))
    page = client.get(reverse("places:gazetteer_import_start"))
    assert page.status_code == 200 and "Import the gazetteer" in page.content.decode()
