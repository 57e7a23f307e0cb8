"""A map entry's edit page on a phone offers its photos through the attachments app's shared box
(as a story's edit page does): describe one that has no description, remove another, and the entry
keeps the rest; axe-clean and within the screen."""

import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from playwright.sync_api import expect

from squaremile.mapping.entries import services
from squaremile.mapping.tests.factories import CategoryFactory
from tests.browser.support import PHONE, a11y_report, assert_fits_the_screen, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOT = os.environ.get("SQUAREMILE_SCREENSHOT_DIR", "")


def _png(colour) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(out, "PNG")
    return SimpleUploadedFile(f"{colour}.png", out.getvalue(), "image/png")


def test_owner_describes_one_photo_and_removes_another_on_a_phone(new_context, login, transactional_db):
    member = make_user()
    category = CategoryFactory(name="Food and growing", slug="food-and-growing")
    entry = services.entry_create(by=member, title="Friday pantry", category=category, lat=53.8, lng=-1.55,
                                  photos=[_png("blue"), _png("green")], photo_alt=["Shelves of tins", ""])  # fmt: skip
    page = new_context(viewport=PHONE).new_page()
    login(page, member)
    page.goto(f"/map/entries/{entry.pk}/edit/")
    box = page.get_by_role("group", name="Photos already on the map")
    expect(box.get_by_role("img")).to_have_count(2)
    assert_fits_the_screen(page)
    assert a11y_report(page, "map entry edit page with photos") == ""
    if SCREENSHOT:
        box.screenshot(path=os.path.join(SCREENSHOT, "map-entry-photos-phone.png"))

    box.get_by_role("textbox", name="Describe photo 2").fill("The pantry's green door")
    box.get_by_role("checkbox", name="Remove photo 1").check()
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".messages")).to_contain_text("Saved")
    assert [p.alt for p in entry.attachments.order_by("position", "id")] == ["The pantry's green door"]
