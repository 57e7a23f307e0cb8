"""Network surveys in a real browser: an organiser creates a survey; three people answer on a phone
(one with their name, one without, one not shown); one comes back by the private link and updates;
the organiser sees them on the dashboard and merges a duplicate typed name. axe checks every page."""

import re

import pytest
from playwright.sync_api import expect

from squaremile.accounts.models import Role
from squaremile.directory.models import Skill
from squaremile.network.models import Consent, MergeSuggestion, Node, Response, Survey, Tie
from tests.browser.support import PHONE, a11y_report, assert_fits_the_screen, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def check(page, label, problems, *, phone=False):
    problems.append(a11y_report(page, label))
    if phone:
        assert_fits_the_screen(page)


def answer(page, *, url, name, consent_label, ties, skill_pk=None, problems, suggested=None):
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Kettleby gathering map")
    check(page, f"questionnaire ({name})", problems, phone=True)
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Which best describes you?").select_option("community")
    page.get_by_label(consent_label).check()
    for i, (other, strength) in enumerate(ties):
        if i >= 8:
            page.get_by_role("button", name="Add another person").click()
        page.locator(f"#tie-{i}-name").fill(other)
        if suggested and i == 0:
            # names of people who answered and agreed to be named are offered as one types
            expect(page.locator(f"#name-suggestions option[value='{suggested}']")).to_have_count(1)
        page.locator(f"#tie-{i}-strength").select_option(str(strength))
    if skill_pk:
        page.locator("summary", has_text="Care & wellbeing").click()
        page.locator(f"#id_skill_{skill_pk}_2").check()
    page.get_by_role("button", name=re.compile("Send my answers|Save my changes")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you!")
    check(page, f"thank-you page ({name})", problems, phone=True)
    return page.locator("#private-link").get_attribute("href")


def test_survey_flow(page, new_context, login, live_server, taxonomy):
    problems: list[str] = []
    organiser = make_user(email="olu@example.org", role=Role.ORGANISER)
    login(page, organiser)

    # the organiser creates a survey
    page.goto("/network/")
    check(page, "survey list", problems)
    page.get_by_role("link", name="Create a survey").click()
    check(page, "survey form", problems)
    page.get_by_label("Title").fill("Kettleby gathering map")
    page.get_by_label("Introduction").fill("Who do you **work with** in Kettleby?")
    page.get_by_role("button", name="Add another question").click()
    page.locator("#id_q-0-label").fill("Which ward do you live in?")
    page.get_by_role("button", name="Create the survey").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kettleby gathering map")
    check(page, "dashboard", problems)
    survey = Survey.objects.get()
    assert survey.questions.get().label == "Which ward do you live in?"
    share = page.locator(".share-link a").get_attribute("href")
    assert share.endswith(f"/network/{survey.slug}/respond/")
    expect(page.locator(".qr-inline svg")).to_be_visible()

    first_aid = Skill.objects.get(slug="first-aid").pk
    phones = [new_context(viewport=PHONE).new_page() for _ in range(3)]
    alice_link = answer(
        phones[0], url=share, name="Alice Able", consent_label="Show me with my name", skill_pk=first_aid,
        ties=[("Kettleby Food Bank", 3), ("Bob Baker", 2)], problems=problems,
    )  # fmt: skip
    answer(
        phones[1], url=share, name="Bob Baker", consent_label="Show me without my name (only my stream or role)",
        ties=[("Alice Able", 2), ("Kettleby Fod Bank", 1)], problems=problems, suggested="Alice Able",
    )  # fmt: skip
    answer(
        phones[2], url=share, name="Cara Cole",
        consent_label="Do not show me at all (my answers still count in the totals)",
        ties=[("Alice Able", 1)] + [(f"Neighbour {i}", 1) for i in range(8)], problems=problems,
    )  # fmt: skip
    assert Response.objects.count() == 3
    assert Tie.objects.filter(response__display_name="Cara Cole").count() == 9  # a ninth row added with JS
    assert {r.display_name: r.consent for r in Response.objects.all()} == {
        "Alice Able": Consent.NAMED, "Bob Baker": Consent.ANONYMOUS, "Cara Cole": Consent.HIDDEN,
    }  # fmt: skip

    # a mistake shows clearly and keeps what was typed
    mistaken = phones[2]
    mistaken.goto(share)
    mistaken.get_by_label("Your name").fill("Dee Dunn")
    mistaken.locator("#tie-0-name").fill("Dee Dunn")
    mistaken.get_by_role("button", name="Send my answers").click()
    expect(mistaken.locator(".error-summary")).to_contain_text("Please choose one")
    expect(mistaken.locator(".error-summary")).to_contain_text("your own name")
    expect(mistaken.get_by_label("Your name")).to_have_value("Dee Dunn")
    check(mistaken, "questionnaire with errors", problems, phone=True)
    assert Response.objects.count() == 3

    # Alice comes back by her private link and updates her answers
    alice = phones[0]
    alice.goto(alice_link)
    expect(alice.locator("#tie-0-name")).to_have_value("Kettleby Food Bank")
    expect(alice.get_by_label("Show me with my name")).to_be_checked()
    check(alice, "private link", problems, phone=True)
    alice.locator("#tie-2-name").fill("Cara Cole")
    alice.get_by_role("button", name="Save my changes").click()
    expect(alice.locator(".lead")).to_contain_text("Your changes")
    assert Response.objects.count() == 3
    assert Tie.objects.filter(response__display_name="Alice Able").count() == 3

    # the organiser sees them on the dashboard and merges the duplicate typed name
    page.reload()
    expect(page.locator(".stats")).to_contain_text("3 answers")
    page.get_by_role("link", name="See the answers").click()
    expect(page.locator("table")).to_contain_text("Cara Cole")
    check(page, "answers list", problems)
    page.get_by_role("navigation", name="Survey pages").get_by_role("link", name="Names").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review names")
    card = page.locator(".merge-card", has_text="Kettleby Fod Bank")
    expect(card).to_contain_text("Named by Bob Baker")
    check(page, "names review", problems)
    card.get_by_label("Kettleby Food Bank").check()
    card.get_by_role("button", name="Same — merge").click()
    expect(page.locator(".messages")).to_contain_text("Merged")
    fod = Node.objects.get(label="Kettleby Fod Bank")
    assert fod.merged_into.label == "Kettleby Food Bank"
    assert (
        MergeSuggestion.objects.get(a=fod.merged_into, b=fod).status == "merged"
        or MergeSuggestion.objects.filter(status="merged").exists()
    )

    # the printable pages and the phone view of the organiser's pages
    for name in ("poster", "paper"):
        page.goto(f"/network/{survey.slug}/{name}/")
        check(page, name, problems)
    phone_organiser = new_context(viewport=PHONE).new_page()
    login(phone_organiser, organiser)
    for path in ("", "names/", "responses/", "invite/", "paper/enter/", "rounds/new/", "edit/", "import/"):
        phone_organiser.goto(f"/network/{survey.slug}/{path}")
        check(phone_organiser, f"organiser page {path or 'dashboard'} on a phone", problems, phone=True)

    problems = [p for p in problems if p]
    assert not problems, "\n\n".join(problems)
