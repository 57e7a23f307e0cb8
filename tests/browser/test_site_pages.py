"""The site's own pages on a phone: reached from the footer, readable, accessible (issue 13, item 10)."""

import pytest
from playwright.sync_api import expect

from tests.browser.support import PHONE, a11y_report, assert_fits_the_screen

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"])
def test_about_privacy_accessibility_and_contact_from_the_footer(page):
    reports = []
    page.goto("/")
    for name, heading in [("About", "About"), ("Privacy", "Privacy notice"),
                          ("Accessibility", "Accessibility statement"), ("Contact", "Contact")]:  # fmt: skip
        page.get_by_role("contentinfo").get_by_role("link", name=name, exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        assert_fits_the_screen(page)
        reports.append(a11y_report(page, name))
    page.goto("/privacy/")
    expect(page.get_by_role("link", name="download my data")).to_be_visible()
    expect(page.get_by_role("link", name="delete my account")).to_be_visible()
    page.goto("/no-such-page/")
    expect(page.get_by_role("heading", level=1)).to_have_text("We could not find that page")
    reports.append(a11y_report(page, "404"))
    report = "\n\n".join(r for r in reports if r)
    assert not report, "Accessibility violations (serious or critical):\n" + report
