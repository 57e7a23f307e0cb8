"""On a phone: a refused page says the real reason (issue 13, item 13: an organiser who opens the map's
import page is told that only moderators import entries, not that only the author may change it), and
a category's required question says that it is required (item 4)."""

import pytest
from playwright.sync_api import expect

from squaremile.accounts.models import Role
from tests.browser.support import PHONE, a11y_report, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"])
def test_an_organiser_is_told_why_the_import_page_is_closed(page, login, taxonomy):
    login(page, make_user(email="organiser@example.org", role=Role.ORGANISER))
    response = page.goto("/map/import/")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("You can't do that here")
    expect(page.get_by_text("Only moderators may import entries.")).to_be_visible()
    expect(page.get_by_text("Only the person who added this")).to_have_count(0)
    report = a11y_report(page, "403")
    assert not report, report


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"])
def test_a_required_extra_question_is_marked_required_on_the_entry_form(page, login, taxonomy):
    """Issue 13, item 4: a category's required question says so (it was not marked)."""
    from squaremile.mapping.tests.factories import CategoryFactory, CategoryQuestionFactory

    category = CategoryFactory(slug="food", name="Food")
    CategoryQuestionFactory(category=category, label="How often does it run?", required=True)
    CategoryQuestionFactory(category=category, label="Anything else?", required=False)
    login(page, make_user(email="member@example.org"))
    page.goto("/map/add/?category=food")
    expect(page.get_by_text("How often does it run? (required)")).to_be_visible()
    expect(page.get_by_label("How often does it run? (required)")).to_have_attribute("required", "")
    expect(page.get_by_text("Anything else? (required)")).to_have_count(0)


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"])
def test_photos_sent_with_a_form_that_has_errors_are_asked_for_again(page, login, taxonomy, tmp_path):
    """Issue 13, item 4: a chosen photo was dropped without a word when another field had an error."""
    from PIL import Image

    from squaremile.mapping.tests.factories import CategoryFactory

    CategoryFactory(slug="food", name="Food")
    photo = tmp_path / "hall.png"
    Image.new("RGB", (40, 30), "green").save(photo)
    login(page, make_user(email="member@example.org"))
    page.goto("/map/add/?category=food")
    page.locator("input[name=photos]").set_input_files(str(photo))
    page.get_by_role("button", name="Send for the map").click()  # no title, no place: errors
    notice = page.locator("#photos-again")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("please choose it again")
    report = a11y_report(page, "entry form with errors")
    assert not report, report
