"""The directory import in a real browser on a phone: a moderator finds "Import a list" on the
organisations page, uploads a council's list with a bad row, sees the row named, uploads the
corrected file and applies it; every page fits a 390x844 screen and passes axe."""

import pytest
from playwright.sync_api import expect

from squaremile.accounts.models import Role
from squaremile.directory.models import Organisation
from tests.browser.support import PHONE, a11y_report, assert_fits_the_screen, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BAD = (
    "Ref,Organisation,Type,Telephone,Post code\n"
    "VG-1,Hebden Tool Library,Community group,01422 000001,HX7 8AD\n"
    "VG-2,Calder Valley Food Bank,Charity,01422 000002,HX7 6AA\n"
    "VG-3,Riverside Residents,Spaceship,,HX7 8BB\n"
)
FIXED = BAD.replace("Spaceship", "Tenants' or residents' association")


def upload(page, name: str, text: str):
    page.get_by_label("File to import").set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": text.encode("cp1252")}  # as an older Excel saves it
    )


def test_moderator_imports_a_list_on_a_phone(new_context, login):
    moderator = make_user(email="moderator@example.org", role=Role.MODERATOR)
    page = new_context(viewport=PHONE).new_page()
    login(page, moderator)
    page.goto("/organisations/")
    page.get_by_role("link", name="Import a list").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import organisations")
    assert_fits_the_screen(page)
    assert not a11y_report(page, "directory import start on a phone")

    upload(page, "groups.csv", BAD)
    page.get_by_role("button", name="Upload and continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose the columns")
    expect(page.get_by_label("Name")).to_have_value("1")  # guessed from "Organisation"
    assert_fits_the_screen(page)
    assert not a11y_report(page, "directory import columns on a phone")

    page.get_by_role("button", name="Check every row").click()
    expect(page.locator("table.row-errors")).to_contain_text("“Spaceship” is not one the directory knows")
    expect(page.get_by_role("button", name="Apply the whole file")).to_be_disabled()
    assert_fits_the_screen(page)
    assert not a11y_report(page, "directory import preview on a phone")
    assert not Organisation.objects.exists()

    upload(page, "groups-fixed.csv", FIXED)
    page.get_by_role("button", name="Upload the corrected file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose the columns")
    page.get_by_role("button", name="Check every row").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Preview of the import")
    expect(page.locator(".counts")).to_contain_text("3 new organisations")
    page.get_by_role("button", name="Apply the whole file").click()
    expect(page.locator("#job-status")).to_contain_text("Imported: 3 new, 0 updated, 0 unchanged")
    assert_fits_the_screen(page)
    assert Organisation.objects.get(external_id="VG-3").org_type == "tenants_residents"
