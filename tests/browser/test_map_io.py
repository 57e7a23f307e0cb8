"""The map's import wizard, exports and job page in a real browser: a moderator imports a file with
a bad row, fixes it, applies it; a visitor downloads an export; the job page follows a running job."""

import re

import pytest
from playwright.sync_api import expect

from squaremile.accounts.models import Role
from squaremile.core import jobs
from squaremile.mapping.cells import clusters
from squaremile.mapping.models import Category, Entry, EntryStatus
from tests.browser.support import PHONE, a11y_report, assert_fits_the_screen, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BAD = (
    "id,name,category,latitude,longitude,start date\n"
    "h1,Village hall,Halls,53.80,-1.55,2026-01-05\n"
    "h2,Old library,Halls,53.81,-1.56,\n"
    "h3,Food bank,Food parcels,53.79,-1.54,\n"
)
FIXED = BAD.replace("Food parcels", "Food help")


@pytest.fixture
def categories():
    Category.objects.create(name="Halls", slug="halls", colour="#1f4e9c")
    Category.objects.create(name="Food help", slug="food-help", colour="#a3266f")


@pytest.fixture
def moderator():
    return make_user(email="moderator@example.org", role=Role.MODERATOR)


def upload(page, name: str, text: str):
    page.get_by_label("File to import").set_input_files({"name": name, "mimeType": "text/csv", "buffer": text.encode()})


def test_moderator_fixes_a_bad_row_and_imports(page, login, categories, moderator):
    login(page, moderator)
    page.goto("/map/import/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Import entries to the map")
    assert not a11y_report(page, "import start")
    upload(page, "halls.csv", BAD)
    page.get_by_role("button", name="Upload and continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Choose the columns")
    # the guesses: each choice's options are the file's columns (by position), labelled by name
    expect(page.get_by_label("Title").locator("option:checked")).to_have_text("name")
    expect(page.get_by_label("Latitude").locator("option:checked")).to_have_text("latitude")
    expect(page.locator("#id_map_category option:checked")).to_have_text("category")
    assert not a11y_report(page, "import columns")
    page.get_by_label("Publish them at once").check()
    page.get_by_role("button", name="Check every row").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Preview of the import")
    problems = page.locator("table.row-errors")
    expect(problems).to_contain_text("There is no category called “Food parcels”")
    expect(problems.locator("td").first).to_have_text("4")
    expect(page.get_by_role("button", name="Apply the whole file")).to_be_disabled()
    assert not a11y_report(page, "import preview with problems")

    upload(page, "halls-fixed.csv", FIXED)
    page.get_by_role("button", name="Upload the corrected file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose the columns")
    expect(page.get_by_label("Publish them at once")).to_be_checked()  # the choices were kept
    page.get_by_role("button", name="Check every row").click()
    expect(page.locator(".counts")).to_contain_text("3 new entries")
    expect(page.locator("table.row-errors")).to_have_count(0)
    page.get_by_role("button", name="Apply the whole file").click()

    expect(page).to_have_url(re.compile(r"/jobs/\d+/$"))
    expect(page.locator("#job-status")).to_contain_text("Imported: 3 new, 0 updated, 0 unchanged")
    assert not a11y_report(page, "job page, done")
    assert Entry.objects.filter(status=EntryStatus.PUBLISHED, source="halls-fixed.csv").count() == 3

    page.get_by_role("link", name="See the map").click()
    page.goto("/map/list/?category=halls")
    expect(page.locator("main")).to_contain_text("Village hall")
    expect(page.locator("main")).to_contain_text("Old library")


def test_import_pages_on_a_phone(new_context, login, categories, moderator):
    page = new_context(viewport=PHONE).new_page()
    login(page, moderator)
    page.goto("/map/import/")
    assert_fits_the_screen(page)
    assert not a11y_report(page, "import start on a phone")
    upload(page, "halls.csv", BAD)
    page.get_by_role("button", name="Upload and continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose the columns")
    assert_fits_the_screen(page)
    assert not a11y_report(page, "import columns on a phone")
    page.get_by_role("button", name="Check every row").click()
    expect(page.locator("table.row-errors")).to_be_visible()
    assert_fits_the_screen(page)
    assert not a11y_report(page, "import preview on a phone")


def test_visitor_downloads_an_export(page, categories):
    halls = Category.objects.get(slug="halls")
    Entry.objects.create(title="Village hall", category=halls, lat=53.8, lng=-1.55, status=EntryStatus.PUBLISHED)
    Entry.objects.create(title="Secret plan", category=halls, lat=53.8, lng=-1.55, status=EntryStatus.PENDING)
    clusters.rebuild()
    page.goto("/map/export/?category=halls")
    expect(page.get_by_role("heading", level=1)).to_have_text("Export map entries")
    expect(page.locator("main")).to_contain_text("1 entry")
    assert not a11y_report(page, "export page")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download CSV").click()
    download = info.value
    assert download.suggested_filename.endswith(".csv")
    with open(download.path(), encoding="utf-8-sig") as handle:
        text = handle.read()
    assert "Village hall" in text and "Secret plan" not in text


@pytest.mark.parametrize("viewport", [PHONE, {"width": 1280, "height": 800}], ids=["phone", "desktop"])
def test_job_page_follows_a_running_job(new_context, login, viewport):
    owner = make_user(email="exporter@example.org")
    job = jobs.job_create(kind="mapping.export", owner=owner, params={"title": "Export from the map (CSV)"})
    jobs.job_start(job, total=200)
    jobs.Progress(job, total=200).update(50)
    page = new_context(viewport=viewport).new_page()
    login(page, owner)
    page.goto(job.get_absolute_url())
    expect(page.locator("progress")).to_have_attribute("value", "25")
    if viewport is PHONE:
        assert_fits_the_screen(page)
    assert not a11y_report(page, "job page, running")
    jobs.job_finish(job, message="Exported 200 entries. The file is ready.", result=("entries.csv", "title\nHall\n"))
    expect(page.locator("#job-status")).to_contain_text("The file is ready", timeout=8000)  # htmx polled
    expect(page.get_by_role("link", name="Download entries.csv")).to_be_visible()
    expect(page.locator("[hx-trigger]")).to_have_count(0)  # polling stopped
    assert not a11y_report(page, "job page, done")
