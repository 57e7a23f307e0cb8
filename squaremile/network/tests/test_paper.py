"""Paper answers from a CSV file: every bad row reported by number, all or nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from squaremile.network.models import Response, ResponseSource, Tie
from squaremile.network.surveys import paper
from squaremile.network.tests.factories import SurveyFactory

pytestmark = pytest.mark.django_db

HEADER = "name,email,stream,role,consent,willingness,works_with,skills,resources,needs,needs_text\n"
GOOD = (
    HEADER + "Sam Patel,sam@example.org,community,Volunteer,named,3,Kettleby Food Bank:3:2; Jo Bloggs:1,"
    "first-aid:strong; woodwork,minibus:some,bid-writing; meeting-room,A room\n"
    + "Jo Bloggs,,individual,,anonymous,,Sam Patel:2,,,,\n"
    + "Lee Hidden,,,,hidden,0,,,,,\n"
)


def test_good_file_previews_then_applies_all():
    survey = SurveyFactory()
    preview = paper.parse_csv(survey, GOOD)
    assert preview.ok and [r.number for r in preview.rows] == [2, 3, 4]
    assert not Response.objects.exists()  # a preview writes nothing
    created = paper.apply(survey=survey, by=survey.owner, preview=preview)
    assert len(created) == 3
    sam = Response.objects.get(display_name="Sam Patel")
    assert sam.source == ResponseSource.IMPORT and sam.willingness == 3
    assert {(s.skill.slug, s.level) for s in sam.skills.all()} == {("first-aid", "strong"), ("woodwork", "some")}
    assert [n.slug for n in sam.needed_skills.all()] == ["bid-writing"]
    assert [n.slug for n in sam.needed_resources.all()] == ["meeting-room"]
    jo = Response.objects.get(display_name="Jo Bloggs")
    # Sam named Jo before Jo's row: one node for Jo, so the two ties join the same two people
    assert Tie.objects.filter(source=sam.node, target=jo.node).exists()
    assert Tie.objects.filter(source=jo.node, target=sam.node, strength=2).exists()
    assert Tie.objects.count() == 3


def test_every_bad_row_is_listed_with_its_number_and_nothing_applied():
    survey = SurveyFactory()
    text = (
        HEADER
        + "Good Row,,,,named,,,,,,\n"
        + "Bad Consent,,,,maybe,,,,,,\n"  # row 3
        + "Bad Skill,,,,named,,,juggling-fire:strong,,,\n"  # row 4
        + "Self Tie,,,,named,,self tie:2,,,,\n"  # row 5
        + "Malformed,,,,named,7,Bob:x:y,,,,\n"  # row 6
        + ",,,,named,,,,,,\n"  # row 7: no name
        + "Bad Email,nope,,,named,,,,,,\n"  # row 8
    )
    preview = paper.parse_csv(survey, text)
    assert not preview.ok
    bad = {row.number: " ".join(row.errors) for row in preview.bad_rows}
    assert set(bad) == {3, 4, 5, 6, 7, 8}
    assert "unknown consent" in bad[3]
    assert "unknown skill “juggling-fire”" in bad[4]
    assert "oneself" in bad[5]
    assert "willingness" in bad[6] and "malformed" in bad[6]
    assert "name is empty" in bad[7]
    assert "not an email" in bad[8]
    with pytest.raises(Exception):  # noqa: B017
        paper.apply(survey=survey, by=survey.owner, preview=preview)
    assert not Response.objects.exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("name,consent,colour\nA,named,red\n", "Unknown columns: colour"),
        ("name,email\nA,a@example.org\n", "no “consent” column"),
        ("name,consent\n", "no rows"),
    ],
)
def test_file_level_errors(text, message):
    preview = paper.parse_csv(SurveyFactory(), text)
    assert not preview.ok and message in " ".join(preview.errors)


def test_semicolon_separated_and_word_consent():
    preview = paper.parse_csv(SurveyFactory(), "Name;Consent;Works_with\nAna;with my name;Ben:3\n")
    assert preview.ok and preview.rows[0].data.consent == "named"
    assert preview.rows[0].data.ties[0].name == "Ben"


def test_import_page_preview_then_apply(client):
    survey = SurveyFactory()
    client.force_login(survey.owner)
    url = reverse("network:paper_import", args=[survey.slug])
    bad = HEADER + "Good,,,,named,,,,,,\nBad,,,,perhaps,,,,,,\n"
    page = client.post(url, {"file": SimpleUploadedFile("answers.csv", bad.encode("utf-8-sig"))})
    html = page.content.decode()
    assert page.status_code == 400 and "Row 3" in html and "perhaps" in html and "nothing was imported" in html
    assert not Response.objects.exists()
    page = client.post(url, {"file": SimpleUploadedFile("answers.csv", GOOD.encode())})
    assert page.status_code == 200 and "Import all 3" in page.content.decode()
    assert not Response.objects.exists()
    page = client.post(url, {"text": GOOD, "apply": "1"})
    assert page.status_code == 302 and Response.objects.count() == 3
    # the example file is itself importable
    template = client.get(reverse("network:paper_template", args=[survey.slug])).content.decode()
    assert paper.parse_csv(survey, template).ok


def test_import_is_all_or_nothing_when_saving_fails(monkeypatch):
    survey = SurveyFactory()
    preview = paper.parse_csv(survey, GOOD)
    from squaremile.network.surveys import services

    calls = {"n": 0}
    original = services._write_answers

    def failing(response, data, resolver, origin):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk full")
        return original(response, data, resolver, origin)

    monkeypatch.setattr(services, "_write_answers", failing)
    with pytest.raises(RuntimeError):
        paper.apply(survey=survey, by=survey.owner, preview=preview)
    assert not Response.objects.exists() and not Tie.objects.exists()
