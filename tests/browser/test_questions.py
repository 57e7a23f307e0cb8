"""Custom questions of every kind in a real browser, on a phone: an organiser adds an "any of" and a
number question with a range in the survey form's question editor, and a respondent answers one
question of each kind. axe checks the editor and the questionnaire; nothing is wider than the screen."""

import re

import pytest
from playwright.sync_api import expect

from squaremile.accounts.models import Role
from squaremile.network.models import Response, Survey
from squaremile.questions.models import Kind, Question
from tests.browser.support import PHONE, a11y_report, assert_fits_the_screen, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_every_kind_of_question_on_a_phone(new_context, login, taxonomy):
    problems: list[str] = []
    page = new_context(viewport=PHONE).new_page()
    login(page, make_user(email="olu@example.org", role=Role.ORGANISER))
    page.goto("/network/new/")
    page.get_by_label("Title").fill("Kettleby questions")
    page.locator("#id_q-0-label").fill("Which days suit you?")
    page.locator("#id_q-0-kind").select_option(Kind.MULTIPLE)
    page.locator("#id_q-0-choices").fill("Monday\nTuesday\nSaturday")
    page.get_by_role("button", name="Add another question").click()
    page.locator("#id_q-1-label").fill("How many hours a week?")
    page.locator("#id_q-1-kind").select_option(Kind.NUMBER)
    page.locator("#id_q-1-min_value").fill("0")
    page.locator("#id_q-1-max_value").fill("40")
    problems.append(a11y_report(page, "survey form with questions"))
    assert_fits_the_screen(page)
    page.get_by_role("button", name="Create the survey").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kettleby questions")
    survey = Survey.objects.get()
    days, hours = survey.questions.all()
    assert (days.kind, days.choice_list) == (Kind.MULTIPLE, ["Monday", "Tuesday", "Saturday"])
    assert (hours.kind, hours.min_value, hours.max_value) == (Kind.NUMBER, 0, 40)
    # the other kinds, added the quick way
    more = {
        kind: Question.objects.create(owner=survey, label=f"About {label.lower()}", kind=kind, position=2 + i,
                                      choices="North\nSouth" if kind == Kind.CHOICE else "")
        for i, (kind, label) in enumerate(Kind.choices) if kind not in (Kind.MULTIPLE, Kind.NUMBER)
    }  # fmt: skip

    respondent = new_context(viewport=PHONE).new_page()
    respondent.goto(f"/network/{survey.slug}/respond/")
    problems.append(a11y_report(respondent, "questionnaire with every kind of question"))
    assert_fits_the_screen(respondent)
    respondent.get_by_label("Your name").fill("Sam Jones")
    respondent.get_by_label("Show me with my name").check()
    respondent.get_by_label("Tuesday").check()
    respondent.get_by_label("Saturday").check()
    respondent.get_by_label("How many hours a week?").fill("50")
    respondent.get_by_label(f"About {Kind.TEXT.label.lower()}").fill("Gardening")
    respondent.get_by_label(f"About {Kind.LONGTEXT.label.lower()}").fill("Line one\nLine two")
    respondent.get_by_label(f"About {Kind.DATE.label.lower()}").fill("2026-03-31")
    respondent.locator(f"#id_q_{more[Kind.YESNO].pk}_0").check()
    respondent.locator(f"#id_q_{more[Kind.CHOICE].pk}_1").check()
    respondent.locator(f"#id_q_{more[Kind.SCALE].pk}_3").check()
    send = respondent.get_by_role("button", name=re.compile("Send my answers"))
    send.click()
    expect(respondent.locator("#error-summary")).to_contain_text("Give a number from 0 to 40.")
    respondent.get_by_label("How many hours a week?").fill("4,5")
    send.click()
    expect(respondent.get_by_role("heading", level=1)).to_have_text("Thank you!")
    assert Response.objects.get().answers == {
        str(days.pk): ["Tuesday", "Saturday"], str(hours.pk): 4.5, str(more[Kind.TEXT].pk): "Gardening",
        str(more[Kind.LONGTEXT].pk): "Line one\nLine two", str(more[Kind.DATE].pk): "2026-03-31",
        str(more[Kind.YESNO].pk): True, str(more[Kind.CHOICE].pk): "South", str(more[Kind.SCALE].pk): 3,
    }  # fmt: skip
    assert not [p for p in problems if p], "\n".join(problems)
