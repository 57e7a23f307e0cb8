"""The whole network-mapping flow in a real browser: an organiser creates a survey; three people
answer on a phone (one named, one anonymous, one hidden); the organiser merges a duplicate name and
publishes; the published map shows only what consent allows (checked in the page's JSON and in its
visible list). axe runs on every page of the flow, and phone pages must not scroll sideways."""

import re

import pytest
from playwright.sync_api import expect

from squaremile.accounts.models import Role
from tests.browser.support import PHONE, a11y_report, assert_fits_the_screen, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def check(page, label, reports):
    report = a11y_report(page, label)
    if page.viewport_size == PHONE:
        try:
            assert_fits_the_screen(page)
        except AssertionError as exc:
            report = "\n".join(filter(None, [report, f"{label}: {exc}"]))
    if report:
        reports.append(report)


def answer(new_context, slug, reports, *, name, consent, stream, ties):
    page = new_context(viewport=PHONE).new_page()
    page.goto(f"/network/{slug}/respond/")
    check(page, f"questionnaire ({name})", reports)
    page.fill("input[name=display_name]", name)
    page.select_option("select[name=stream]", stream)
    page.check(f"input[name=consent][value={consent}]")
    for i, typed in enumerate(ties):
        page.fill(f"input[name=tie-{i}-name]", typed)
    page.locator("form.respond-form button[type=submit]").first.click()
    page.wait_for_load_state("load")
    assert "/respond/" in page.url or "/r/" in page.url, page.url
    expect(page.locator("h1")).to_be_visible()
    assert page.locator(".error-summary").count() == 0, page.locator(".error-summary").inner_text()
    check(page, f"thanks ({name})", reports)
    page.context.close()


def test_survey_to_published_map(new_context, login, taxonomy):
    reports: list[str] = []
    organiser = make_user(email="weaver@example.org", role=Role.ORGANISER)
    org_page = new_context().new_page()
    login(org_page, organiser)

    # 1. the organiser creates a survey
    org_page.goto("/network/new/")
    check(org_page, "new survey", reports)
    org_page.fill("input[name=title]", "Calder Valley network")
    if org_page.locator("textarea[name=consent_text]").count():
        org_page.fill("textarea[name=consent_text]", "We show only what you agree to.")
    org_page.fill("input[name=anonymity_threshold]", "2")
    org_page.locator("form button[type=submit], form input[type=submit]").last.click()
    org_page.wait_for_load_state("load")
    match = re.search(r"/network/([^/]+)/$", org_page.url)
    assert match, f"expected the survey page, got {org_page.url}"
    slug = match.group(1)
    check(org_page, "survey page", reports)

    # 2. three people answer on a phone
    answer(new_context, slug, reports, name="Nadia Named", consent="named", stream="community",
           ties=["Olu Other", "Hidden Hari"])  # fmt: skip
    answer(new_context, slug, reports, name="Andy Anon", consent="anonymous", stream="public",
           ties=["Nadia Named"])  # fmt: skip
    answer(new_context, slug, reports, name="Hidden Hari", consent="hidden", stream="business",
           ties=["Nadia Namd", "Olu Other"])  # fmt: skip

    # 3. the organiser merges the duplicate ("Nadia Namd" is Nadia Named) on the names page
    org_page.goto(f"/network/{slug}/names/")
    check(org_page, "names", reports)
    suggestion = org_page.locator("form.merge-form", has_text="Nadia Namd")
    expect(suggestion).to_have_count(1)
    suggestion.locator("input[name=label][value='Nadia Named']").check()
    suggestion.locator("button[type=submit]").click()
    org_page.wait_for_load_state("load")
    check(org_page, "names after merge", reports)

    # the organiser's map has everyone, with names
    org_page.goto(f"/network/{slug}/map/")
    org_page.wait_for_selector("[data-networkmap][data-ready='1']")
    check(org_page, "organiser map", reports)
    organiser_names = sorted(org_page.locator("[data-map-list] tbody th").all_inner_texts())
    assert organiser_names == ["Andy Anon", "Hidden Hari", "Nadia Named", "Olu Other"]

    # preview, then publish from the survey's settings
    org_page.goto(f"/network/{slug}/published/")
    org_page.wait_for_selector("[data-networkmap][data-ready='1']")
    expect(org_page.locator(".netmap-preview")).to_contain_text("not published yet")
    org_page.goto(f"/network/{slug}/edit/")
    check(org_page, "survey settings", reports)
    org_page.check("input[name=is_published]")
    org_page.locator("form button[type=submit], form input[type=submit]").last.click()
    org_page.wait_for_load_state("load")

    # 4. anyone sees the published map: only what consent allows
    visitor = new_context(viewport=PHONE).new_page()
    response = visitor.goto(f"/network/{slug}/published/")
    assert response.status == 200
    visitor.wait_for_selector("[data-networkmap][data-ready='1']")
    check(visitor, "published map (phone)", reports)
    data = visitor.evaluate("() => window.networkMap.data")
    labels = sorted(n["label"] for n in data["nodes"])
    # Nadia (named, her duplicate merged in); Olu (typed, not a respondent): unnamed. Hari (hidden):
    # absent. Andy (anonymous) is alone in his group, under the threshold of 2: left out.
    assert labels == ["Nadia Named", "Someone named by a respondent"], labels
    text = str(data)
    for secret in ("Hidden Hari", "Andy Anon", "Olu Other", "Nadia Namd'"):
        assert secret not in text
    assert data["summary"]["nodes"] == 4  # but everyone counts in the figures
    visible = sorted(visitor.locator("[data-map-list] tbody th").all_inner_texts())
    assert visible == ["Nadia Named", "Someone named by a respondent"]
    visitor.goto(f"/network/{slug}/skills/")
    check(visitor, "published skills", reports)
    assert not reports, "\n\n".join(reports)
