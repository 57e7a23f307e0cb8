"""Import files cost bounded time and page size, whatever their header: repeated column names are
numbered in linear time, too many columns are refused with a message, and the columns page of the
widest file accepted stays small."""

import json
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from squaremile.accounts.models import Role
from squaremile.accounts.tests.factories import UserFactory
from squaremile.core.models import Job
from squaremile.mapping.io import imports
from squaremile.mapping.io.imports import ImportFileError, read_table
from squaremile.mapping.tests.factories import CategoryFactory, CategoryQuestionFactory

pytestmark = pytest.mark.django_db


def test_repeated_names_numbered_in_linear_time():
    started = time.process_time()  # CPU time: steady when the machine is busy
    columns = imports._unique_columns(["name"] * 8000 + ["Name (3)", ""])
    elapsed = time.process_time() - started
    assert elapsed < 3, f"numbering 8,000 repeated names took {elapsed:.1f} s"
    assert columns[:3] == ["name", "name (2)", "name (3)"] and columns[7999] == "name (8000)"
    assert columns[8000] == "Name (3) (2)" and columns[8001] == "Column 8002"
    assert len({c.casefold() for c in columns}) == len(columns)


def test_long_column_names_cut():
    columns = imports._unique_columns(["x" * 5000, "x" * 5000])
    assert columns == ["x" * imports.COLUMN_NAME_MAX, "x" * imports.COLUMN_NAME_MAX + " (2)"]


def test_too_many_columns_refused_quickly_with_a_message():
    data = (",".join(["name"] * 8000) + "\n" + ",".join(["x"] * 8000) + "\n").encode()
    started = time.process_time()  # CPU time: steady when the machine is busy
    with pytest.raises(ImportFileError) as err:
        read_table(data, "wide.csv")
    assert time.process_time() - started < 3
    assert str(err.value).startswith("The file has 8,000 columns; at most 200 can be imported.")


def test_column_limit_is_a_setting_and_applies_to_geojson(settings):
    settings.MAP_IMPORT_MAX_COLUMNS = 3
    assert read_table(b"a,b,c\n1,2,3\n", "ok.csv").columns == ["a", "b", "c"]
    with pytest.raises(ImportFileError, match="The file has 4 columns; at most 3"):
        read_table(b"a,b,c,d\n1,2,3,4\n", "wide.csv")
    features = [
        {"type": "Feature", "properties": {f"p{i}": 1}, "geometry": {"type": "Point", "coordinates": [0, 0]}}
        for i in range(5_000)
    ]
    started = time.process_time()  # CPU time: steady when the machine is busy
    with pytest.raises(ImportFileError, match="columns; at most 3"):
        read_table(json.dumps({"type": "FeatureCollection", "features": features}).encode(), "wide.geojson")
    assert time.process_time() - started < 3


def test_too_many_columns_refused_on_the_upload_page(client):
    CategoryFactory(name="Halls", slug="halls")
    client.force_login(UserFactory(role=Role.MODERATOR))
    data = (",".join(["name"] * 8000) + "\n" + ",".join(["x"] * 8000) + "\n").encode()
    assert client.get(reverse("mapping:import_start")).status_code == 200  # loads every URL: not timed
    started = time.process_time()  # CPU time: steady when the machine is busy
    response = client.post(reverse("mapping:import_start"), {"file": SimpleUploadedFile("wide.csv", data)})
    assert time.process_time() - started < 5
    assert response.status_code == 400
    assert "The file has 8,000 columns; at most 200 can be imported." in response.content.decode()
    assert not Job.objects.exists()


def test_columns_page_of_the_widest_file_stays_small(client):
    category = CategoryFactory(name="Halls", slug="halls")
    for i in range(5):
        CategoryQuestionFactory(category=category, label=f"Question {i}")
    client.force_login(UserFactory(role=Role.MODERATOR))
    width = 200  # MAP_IMPORT_MAX_COLUMNS by default
    header = ",".join(f"{i:03d}" + "c" * 200 for i in range(width))  # names longer than kept
    rows = "\n".join(",".join("v" * 500 for _ in range(width)) for _ in range(10))
    response = client.post(
        reverse("mapping:import_start"), {"file": SimpleUploadedFile("wide.csv", f"{header}\n{rows}\n".encode())}
    )
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    size = len(page.content)
    # Every choice (12 fields, the seeded questions and these 5) lists all 200 columns. 8,000 made 3.2 MB.
    assert size < 450_000, f"the columns page is {size:,} bytes"
    html = page.content.decode()
    assert f'<option value="199">199{"c" * 31}… (column 200)</option>' in html  # short labels
    assert "The first 30 of the 200 columns are shown." in html
