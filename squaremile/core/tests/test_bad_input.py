"""Malformed and hostile input to every form and to the boundary import.

For each form: a clear error on the page, what was typed still in the form, nothing saved (not even
partly), and nothing the visitor typed ever run as markup. For boundaries: every broken file is
refused in words an operator can act on, and nothing is applied unless everything is good."""

import html
import json
from html.parser import HTMLParser

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from squaremile.accounts.models import ApiToken, Profile, Role, User
from squaremile.accounts.services import profile_for
from squaremile.accounts.tests.factories import PASSWORD, UserFactory
from squaremile.directory import services as directory_services
from squaremile.directory.models import Organisation, Project, Skill
from squaremile.places import selectors
from squaremile.places.geometry import MAX_BOUNDARY_POINTS, contains, parse_boundary
from squaremile.places.models import Area, AreaKind
from squaremile.places.services import import_boundaries
from squaremile.places.tests.factories import AreaFactory, square

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
HUGE = "x" * 100_000


class _FormValues(HTMLParser):
    """What a browser would show in each form control: name -> list of values."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.values: dict[str, list[str]] = {}
        self._textarea = self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name:
            if a.get("type") in ("checkbox", "radio"):
                if "checked" in a:
                    self.values.setdefault(name, []).append(a.get("value") or "on")
            else:
                self.values.setdefault(name, []).append(a.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.values.setdefault(name, []).append("")
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.values.setdefault(self._select, []).append(a.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea][-1] += data


def form_values(response) -> dict[str, list[str]]:
    parser = _FormValues()
    parser.feed(response.content.decode())
    # Django writes a newline after <textarea> that browsers drop
    return {k: [v.removeprefix("\r\n").removeprefix("\n") for v in vs] for k, vs in parser.values.items()}


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def assert_safe(response):
    """Nothing typed is ever run: no live script from the visitor on the page."""
    raw = response.content.decode()
    assert "<script>alert" not in raw


def assert_rejected(response, status, messages, kept):
    assert response.status_code == status, response.content[:2000]
    text = page_text(response)
    for message in messages:
        assert message in text, f"{message!r} not on the page"
    if status == 400 or messages:
        assert 'class="error-summary"' in response.content.decode() or "errorlist" in response.content.decode()
    values = form_values(response)
    for name, typed in kept.items():
        assert typed in values.get(name, []), f"{name}: typed {typed[:60]!r}, form shows {values.get(name)!r}"[:300]
    assert_safe(response)


# ---- organisations and projects -------------------------------------------------------------------
@pytest.fixture
def member(client):
    user = UserFactory()
    client.force_login(user)
    return user


ORG_BASE = {
    "name": "Good Neighbours",
    "stream": "community",
    "org_type": "community_group",
    "contact_visibility": "public",
}

ORG_CASES = [
    ("empty", {"name": "", "stream": "", "org_type": "", "contact_visibility": ""}, ["This field is required."], {}),
    ("huge name", {"name": HUGE}, ["Ensure this value has at most 200 characters (it has 100000)."], {"name": HUGE}),
    (
        "huge description",
        {"description": HUGE},
        ["Ensure this value has at most 10000 characters"],
        {"description": HUGE},
    ),
    (
        "script name with a bad lat",
        {"name": SCRIPT, "lat": "north", "lng": "1"},
        ["Enter a number."],
        {"name": SCRIPT, "lat": "north"},
    ),
    (
        "script description",
        {"description": SCRIPT, "lat": "91", "lng": "0"},
        ["Ensure this value is less than or equal to 90."],
        {"description": SCRIPT, "lat": "91"},
    ),
    (
        "lat out of range",
        {"lat": "-90.5", "lng": "0"},
        ["Ensure this value is greater than or equal to -90."],
        {"lat": "-90.5"},
    ),
    (
        "lng out of range",
        {"lat": "0", "lng": "180.0001"},
        ["Ensure this value is less than or equal to 180."],
        {"lng": "180.0001"},
    ),
    ("not a number", {"lat": "1e400", "lng": "nan"}, ["Enter a number."], {"lat": "1e400", "lng": "nan"}),
    ("lat without lng", {"lat": "53.8"}, ["Give both latitude and longitude, or leave both empty."], {"lat": "53.8"}),
    ("lng without lat", {"lng": "-1.5"}, ["Give both latitude and longitude, or leave both empty."], {"lng": "-1.5"}),
    ("bad url", {"website": "not a url"}, ["Enter a valid URL."], {"website": "not a url"}),
    ("javascript url", {"website": "javascript:alert(1)"}, ["Enter a valid URL."], {"website": "javascript:alert(1)"}),
    ("bad email", {"email": "someone@"}, ["Enter a valid email address."], {"email": "someone@"}),
    (
        "unknown stream",
        {"stream": "martian"},
        ["Select a valid choice. martian is not one of the available choices."],
        {},
    ),
    (
        "unknown skill",
        {"skills": ["999999"]},
        ["Select a valid choice. 999999 is not one of the available choices."],
        {},
    ),
    ("skill not a number", {"skills": ["abc"]}, ["“abc” is not a valid value."], {}),
    ("unknown area", {"areas_served": ["-1"]}, ["Select a valid choice."], {}),
    ("nul byte", {"name": "Good\x00Neighbours"}, ["Null characters are not allowed."], {}),
    ("long phone", {"phone": "1" * 41}, ["Ensure this value has at most 40 characters"], {"phone": "1" * 41}),
    ("bad visibility", {"contact_visibility": "world"}, ["Select a valid choice."], {}),
]


@pytest.mark.parametrize(("case", "data", "messages", "kept"), ORG_CASES, ids=[c[0] for c in ORG_CASES])
def test_organisation_add_refuses_bad_input(client, member, case, data, messages, kept):
    response = client.post(reverse("directory:organisation_create"), {**ORG_BASE, **data})
    assert_rejected(response, 400, messages, kept)
    assert not Organisation.objects.exists()


EDIT_CASES = [
    c
    for c in ORG_CASES
    if c[0] in ("huge name", "script name with a bad lat", "lat without lng", "bad url", "unknown skill", "empty")
]


@pytest.mark.parametrize(("case", "data", "messages", "kept"), EDIT_CASES, ids=[c[0] for c in EDIT_CASES])
def test_organisation_edit_refuses_bad_input_and_changes_nothing(client, member, case, data, messages, kept):
    org = directory_services.organisation_create(
        by=member,
        data={
            "name": "Original",
            "description": "Kept as it was.",
            "lat": 53.8,
            "lng": -1.55,
            "skills": list(Skill.objects.order_by("pk")[:2]),
        },
    )
    before = (Organisation.objects.values().get(pk=org.pk), sorted(org.skills.values_list("pk", flat=True)))
    response = client.post(reverse("directory:organisation_edit", args=[org.slug]), {**ORG_BASE, **data})
    assert_rejected(response, 400, messages, kept)
    assert (Organisation.objects.values().get(pk=org.pk), sorted(org.skills.values_list("pk", flat=True))) == before


def test_organisation_form_keeps_every_typed_value(client, member):
    skills = list(Skill.objects.order_by("pk").values_list("pk", flat=True)[:2])
    area = AreaFactory()
    typed = {
        **ORG_BASE,
        "name": "Kept <b>Name</b>",
        "description": "Line one\nLine two & more",
        "address": "1 High St",
        "website": "bad url",
        "email": "a@example.org",
        "phone": "0113",
        "lat": "53.8",
        "lng": "-1.55",
        "stream": "business",
        "org_type": "charity",
        "contact_visibility": "members",
    }
    response = client.post(
        reverse("directory:organisation_create"), {**typed, "skills": skills, "areas_served": [area.pk]}
    )
    assert response.status_code == 400
    values = form_values(response)
    for name, value in typed.items():
        assert values[name] == [value], name
    assert sorted(values["skills"]) == sorted(str(s) for s in skills)
    assert values["areas_served"] == [str(area.pk)]
    assert "&lt;b&gt;Name&lt;/b&gt;" in response.content.decode()


PROJECT_BASE = {"name": "Street Party", "status": "active"}
PROJECT_CASES = [
    ("empty", {"name": "", "status": ""}, ["This field is required."], {}),
    (
        "end before start",
        {"start_date": "2025-05-01", "end_date": "2025-04-30"},
        ["The end date must be on or after the start date."],
        {"start_date": "2025-05-01", "end_date": "2025-04-30"},
    ),
    (
        "not a date",
        {"start_date": "2025-13-45", "end_date": "someday"},
        ["Enter a valid date."],
        {"start_date": "2025-13-45", "end_date": "someday"},
    ),
    (
        "unknown organisation",
        {"organisations": "Nobody Here\nNor <script>alert(1)</script>"},
        ["Not in the directory: Nobody Here, Nor <script>alert(1)</script>"],
        {"organisations": "Nobody Here\nNor <script>alert(1)</script>"},
    ),
    (
        "too many organisations",
        {"organisations": "\n".join(f"Org {i}" for i in range(21))},
        ["Name at most 20 organisations."],
        {},
    ),
    ("huge name", {"name": HUGE}, ["Ensure this value has at most 200 characters"], {"name": HUGE}),
    ("bad status", {"status": "dreaming"}, ["Select a valid choice."], {}),
    (
        "lat out of range",
        {"lat": "100", "lng": "0"},
        ["Ensure this value is less than or equal to 90."],
        {"lat": "100"},
    ),
    ("lat without lng", {"lat": "1"}, ["Give both latitude and longitude"], {"lat": "1"}),
    (
        "script with bad website",
        {"name": SCRIPT, "description": SCRIPT, "website": "ftp//x"},
        ["Enter a valid URL."],
        {"name": SCRIPT, "description": SCRIPT, "website": "ftp//x"},
    ),
]


@pytest.mark.parametrize(("case", "data", "messages", "kept"), PROJECT_CASES, ids=[c[0] for c in PROJECT_CASES])
def test_project_add_refuses_bad_input(client, member, case, data, messages, kept):
    response = client.post(reverse("directory:project_create"), {**PROJECT_BASE, **data})
    assert_rejected(response, 400, messages, kept)
    assert not Project.objects.exists()


def test_project_edit_refuses_bad_input_and_changes_nothing(client, member):
    org = directory_services.organisation_create(by=member, data={"name": "Residents Group"})
    project = directory_services.project_create(by=member, data={"name": "Fair", "start_date": "2025-06-01"})
    project.organisations.set([org])
    before = Project.objects.values().get(pk=project.pk)
    for data, message in [
        ({"start_date": "2025-06-01", "end_date": "2025-05-01"}, "The end date must be on or after the start date."),
        ({"organisations": "Residents Group\nGhosts"}, "Not in the directory: Ghosts"),
    ]:
        response = client.post(reverse("directory:project_edit", args=[project.slug]), {**PROJECT_BASE, **data})
        assert_rejected(response, 400, [message], {})
        assert Project.objects.values().get(pk=project.pk) == before
        assert list(project.organisations.all()) == [org]


def test_project_form_names_organisations_case_insensitively(client, member):
    directory_services.organisation_create(by=member, data={"name": "Residents Group"})
    response = client.post(
        reverse("directory:project_create"), {**PROJECT_BASE, "organisations": " residents group \n"}
    )
    assert response.status_code == 302
    assert [o.name for o in Project.objects.get().organisations.all()] == ["Residents Group"]


def test_script_tags_are_shown_as_text_on_detail_pages(client, member):
    org = directory_services.organisation_create(
        by=member,
        data={
            "name": f"Evil {SCRIPT}",
            "description": f"Hello {SCRIPT} <img src=x onerror=alert(2)> **bold**",
            "address": SCRIPT,
            "email": "evil@example.org",
            "website": "https://example.org/?q=<script>",
        },
    )
    project = directory_services.project_create(by=member, data={"name": f"Plan {SCRIPT}", "description": SCRIPT})
    project.organisations.set([org])
    for url in [
        org.get_absolute_url(),
        project.get_absolute_url(),
        "/organisations/",
        "/projects/",
        "/search/?q=evil",
        "/search/?q=plan",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        raw = response.content.decode()
        assert "<script>alert" not in raw, url
        assert "onerror=" not in raw.replace("onerror=alert(2)&gt;", ""), url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in raw, url
    assert "<strong>bold</strong>" in client.get(org.get_absolute_url()).content.decode()


# ---- profile, tokens, account -----------------------------------------------------------------------
PROFILE_BASE = {
    "display_name": "Sam",
    "bio": "",
    "radius_m": "1609",
    "willingness": "2",
    "profile_visibility": "members",
    "place_visibility": "nobody",
    "skills_visibility": "members",
}
PROFILE_CASES = [
    ("empty", dict.fromkeys(PROFILE_BASE, ""), ["This field is required."], {}),
    ("huge name", {"display_name": HUGE}, ["Ensure this value has at most 80 characters"], {"display_name": HUGE}),
    (
        "long bio",
        {"bio": "b" * 2001, "display_name": SCRIPT},
        ["Ensure this value has at most 2000 characters"],
        {"bio": "b" * 2001, "display_name": SCRIPT},
    ),
    ("lat out of range", {"lat": "91", "lng": "0"}, ["Ensure this value is less than or equal to 90."], {"lat": "91"}),
    ("lat without lng", {"lat": "53.8"}, ["Give both latitude and longitude, or leave both empty."], {"lat": "53.8"}),
    ("wrong type", {"lat": "fifty", "lng": "[]"}, ["Enter a number."], {"lat": "fifty", "lng": "[]"}),
    ("bad radius", {"radius_m": "banana"}, ["Select a valid choice."], {}),
    ("radius not offered", {"radius_m": "5"}, ["Select a valid choice. 5 is not one of the available choices."], {}),
    ("unknown skill", {"skills": ["999999"]}, ["Select a valid choice."], {}),
    ("bad home area", {"home_area": "somewhere"}, ["Select a valid choice."], {}),
    ("bad willingness", {"willingness": "9"}, ["Select a valid choice."], {}),
    ("bad visibility", {"profile_visibility": "everyone"}, ["Select a valid choice."], {}),
]


@pytest.mark.parametrize(("case", "data", "messages", "kept"), PROFILE_CASES, ids=[c[0] for c in PROFILE_CASES])
def test_profile_edit_refuses_bad_input(client, member, case, data, messages, kept):
    profile = profile_for(member)
    before = Profile.objects.values().get(pk=profile.pk)
    response = client.post(reverse("accounts:profile_edit"), {**PROFILE_BASE, **data})
    assert_rejected(response, 400, messages, kept)
    assert Profile.objects.values().get(pk=profile.pk) == before
    assert not profile.skills.exists()


def test_profile_with_script_is_saved_and_shown_as_text(client, member):
    response = client.post(
        reverse("accounts:profile_edit"),
        {**PROFILE_BASE, "display_name": SCRIPT[:80], "bio": SCRIPT, "profile_visibility": "public"},
    )
    assert response.status_code == 302
    page = client.get(reverse("accounts:person", args=[member.pk]))
    assert page.status_code == 200
    assert "<script>alert" not in page.content.decode()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "This field is required."),
        ("   ", "This field is required."),
        (HUGE, "Ensure this value has at most 80 characters"),
        ("a\x00b", "Null characters are not allowed."),
    ],
)
def test_token_form_refuses_bad_names(client, member, name, message):
    response = client.post(reverse("accounts:tokens"), {"name": name})
    kept = {"name": name} if name.strip() and "\x00" not in name else {}
    assert_rejected(response, 400, [message], kept)
    assert not ApiToken.objects.exists()


def test_token_with_a_script_name_is_shown_as_text(client, member):
    response = client.post(reverse("accounts:tokens"), {"name": SCRIPT})
    assert response.status_code == 200 and ApiToken.objects.get().name == SCRIPT
    assert "&lt;script&gt;" in response.content.decode() and "<script>alert" not in response.content.decode()


def test_deleting_an_account_needs_the_right_password(client, member):
    for password in ["", "wrong", HUGE]:
        response = client.post(reverse("accounts:account_delete"), {"password": password})
        assert response.status_code == 400
        assert ("That is not your password." if password else "This field is required.") in page_text(response)
        assert User.objects.filter(pk=member.pk).exists()
        assert form_values(response).get("password") == [""]  # a password is never echoed back


# ---- sign up, log in, reset password (allauth) ------------------------------------------------------
SIGNUP_CASES = [
    ("empty", {"email": "", "password1": "", "password2": ""}, ["This field is required."], {}),
    ("bad email", {"email": "not-an-email"}, ["Enter a valid email address."], {"email": "not-an-email"}),
    ("script email", {"email": SCRIPT}, ["Enter a valid email address."], {"email": SCRIPT}),
    ("huge email", {"email": HUGE + "@example.org"}, ["Ensure this value has at most"], {}),
    (
        "passwords differ",
        {"password2": "something-else-entirely-9"},
        ["You must type the same password each time."],
        {"email": "new@example.org"},
    ),
    (
        "common password",
        {"password1": "password", "password2": "password"},
        ["This password is too common."],
        {"email": "new@example.org"},
    ),
    (
        "short password",
        {"password1": "a1", "password2": "a1"},
        ["This password is too short."],
        {"email": "new@example.org"},
    ),
    ("email with a nul", {"email": "a\x00b@example.org"}, ["Null characters are not allowed."], {}),
]


@pytest.mark.parametrize(("case", "data", "messages", "kept"), SIGNUP_CASES, ids=[c[0] for c in SIGNUP_CASES])
def test_signup_refuses_bad_input(client, case, data, messages, kept):
    UserFactory(email="taken@example.org")
    base = {"email": "new@example.org", "password1": "a-good-long-password-42", "password2": "a-good-long-password-42"}
    response = client.post(reverse("account_signup"), {**base, **data})
    assert_rejected(response, 200, messages, kept)
    assert User.objects.count() == 1 and EmailAddress.objects.count() == 1
    assert not mail.outbox
    values = form_values(response)
    assert not any(values.get(p, [""])[0] for p in ("password1", "password2"))  # never echoed


def test_signup_with_a_taken_email_reveals_nothing_and_creates_nothing(client):
    UserFactory(email="taken@example.org")
    response = client.post(
        reverse("account_signup"),
        {"email": "Taken@Example.org", "password1": "a-good-long-pw-42", "password2": "a-good-long-pw-42"},
    )
    # the same answer as for a new address, so nobody can probe who has an account; the owner gets an email
    assert response.status_code == 302
    assert User.objects.count() == 1
    assert [m.to for m in mail.outbox] == [["taken@example.org"]]


LOGIN_CASES = [
    ("empty", {"login": "", "password": ""}, ["This field is required."], {}),
    (
        "wrong password",
        {"password": "nope"},
        ["The email address and/or password you specified are not correct."],
        {"login": "sam@example.org"},
    ),
    (
        "unknown",
        {"login": "nobody@example.org"},
        ["The email address and/or password you specified are not correct."],
        {"login": "nobody@example.org"},
    ),
    ("script", {"login": SCRIPT}, ["Enter a valid email address."], {"login": SCRIPT}),
    ("huge", {"login": HUGE, "password": HUGE}, [], {}),
]


@pytest.mark.parametrize(("case", "data", "messages", "kept"), LOGIN_CASES, ids=[c[0] for c in LOGIN_CASES])
def test_login_refuses_bad_input(client, case, data, messages, kept):
    UserFactory(email="sam@example.org")
    response = client.post(reverse("account_login"), {"login": "sam@example.org", "password": PASSWORD, **data})
    assert_rejected(response, 200, messages, kept)
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("", "This field is required."),
        ("not-an-email", "Enter a valid email address."),
        (SCRIPT, "Enter a valid email address."),
        (HUGE, "Enter a valid email address."),
    ],
)
def test_password_reset_refuses_bad_input(client, email, message):
    response = client.post(reverse("account_reset_password"), {"email": email})
    assert_rejected(response, 200, [message], {"email": email} if email and email != HUGE else {})
    assert not mail.outbox


def test_password_reset_answers_the_same_for_unknown_addresses(client):
    UserFactory(email="sam@example.org")
    known = client.post(reverse("account_reset_password"), {"email": "sam@example.org"})
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert User.objects.count() == 1


# ---- GET forms: near me, directory filters, search ------------------------------------------------------
NO_POINT = "Type a place name or postcode, or use your location, or give both latitude and longitude."


@pytest.mark.parametrize(
    ("query", "messages", "kept"),
    [
        ({"lat": "91", "lng": "0"}, ["Ensure this value is less than or equal to 90."], {"lat": "91"}),
        ({"lat": "0", "lng": "-200"}, ["Ensure this value is greater than or equal to -180."], {"lng": "-200"}),
        ({"lat": "53.8"}, [NO_POINT], {"lat": "53.8"}),
        ({"lng": "-1.5"}, [NO_POINT], {"lng": "-1.5"}),
        ({"lat": "north", "lng": SCRIPT}, ["Enter a number."], {"lat": "north", "lng": SCRIPT}),
        ({"lat": "nan", "lng": "inf"}, ["Enter a number."], {"lat": "nan", "lng": "inf"}),
        ({"lat": HUGE, "lng": "1"}, ["Enter a number."], {}),
        ({"lat": "53.8", "lng": "-1.5", "radius": "999999"}, ["Select a valid choice."], {"lat": "53.8"}),
        ({"lat": "53.8", "lng": "-1.5", "radius": "ten"}, ["Select a valid choice."], {}),
        ({"lat": "", "lng": ""}, [NO_POINT], {}),
        ({"place": "Nowhere-on-earth"}, ["We could not find that place."], {"place": "Nowhere-on-earth"}),
        ({"place": SCRIPT}, ["We could not find that place."], {"place": SCRIPT}),
    ],
)
def test_near_me_refuses_bad_points(client, query, messages, kept):
    response = client.get(reverse("places:near"), query)
    assert_rejected(response, 400, messages, kept)
    assert "organisations within" not in page_text(response)


def test_near_me_with_a_good_point(client, member):
    AreaFactory(name="Hyde Park", lat=53.81, lng=-1.57)
    directory_services.organisation_create(by=member, data={"name": "Close By", "lat": 53.8101, "lng": -1.5701})
    directory_services.organisation_create(by=member, data={"name": "Far Away", "lat": 51.5, "lng": -0.1})
    response = client.get(reverse("places:near"), {"lat": "53.81", "lng": "-1.57", "radius": "1609"})
    assert response.status_code == 200
    text = page_text(response)
    assert "Close By" in text and "Far Away" not in text and "Hyde Park" in text
    assert form_values(response)["lat"] == ["53.81"]


@pytest.mark.parametrize(
    "query",
    [
        {"q": SCRIPT},
        {"q": HUGE},
        {"q": "\x00"},
        {"stream": "martian", "org_type": SCRIPT},
        {"area": "nowhere", "skill": "juggling"},
        {"area": SCRIPT, "skill": "\x00", "q": '" OR 1=1 --'},
        {"page": "-1"},
        {"page": "99999999999999999999"},
        {"page": SCRIPT},
    ],
)
def test_directory_filters_ignore_bad_values(client, member, query):
    directory_services.organisation_create(by=member, data={"name": "Still Listed"})
    response = client.get(reverse("directory:organisation_list"), query)
    assert response.status_code == 200
    assert_safe(response)
    if "q" not in query:
        assert "Still Listed" in page_text(response)  # a bad filter is ignored, not applied
    if query.get("q") == SCRIPT:
        assert SCRIPT in form_values(response)["q"]
        assert "&lt;script&gt;" in response.content.decode()


@pytest.mark.parametrize("query", [{"q": SCRIPT, "status": SCRIPT}, {"q": HUGE}, {"status": "x\x00"}, {"page": "z"}])
def test_project_filters_ignore_bad_values(client, query):
    response = client.get(reverse("directory:project_list"), query)
    assert response.status_code == 200
    assert_safe(response)
    if query.get("q") == SCRIPT:
        assert SCRIPT in form_values(response)["q"]


@pytest.mark.parametrize(
    "query",
    [
        {"q": SCRIPT},
        {"q": HUGE},
        {"q": '"unbalanced AND (NEAR * -x :'},
        {"q": "\x00"},
        {"q": "garden", "kind": SCRIPT},
        {"q": "garden", "page": "abc"},
        {"q": "garden", "page": "-4"},
        {"q": "garden", "page": "99999999999999999999"},
        {"q": ""},
    ],
)
def test_search_page_survives_hostile_queries(client, member, query):
    directory_services.organisation_create(by=member, data={"name": "Community Garden"})
    response = client.get(reverse("pages:search"), query)
    assert response.status_code == 200
    assert_safe(response)
    if query["q"] == SCRIPT:
        assert SCRIPT in form_values(response)["q"]
    if query["q"] == "garden" and query.get("page") in ("abc", "-4"):
        assert "Community Garden" in page_text(response)


# ---- boundaries: parse_boundary ---------------------------------------------------------------------
RING = [[-1.56, 53.79], [-1.54, 53.79], [-1.54, 53.81], [-1.56, 53.81], [-1.56, 53.79]]
POLYGON = {"type": "Polygon", "coordinates": [RING]}


def _nested(depth):
    value = [0.0, 0.0]
    for _ in range(depth):
        value = [value]
    return value


BAD_BOUNDARIES = [
    ("not json", "{type: Polygon", "not valid JSON"),
    ("binary", b"\xff\xfe\x00", "not valid JSON"),
    ("deep json", "[" * 100_000 + "]" * 100_000, "not valid JSON"),
    ("a list", [RING], "must be a GeoJSON object"),
    ("a number", 5, "must be a GeoJSON object"),
    ("nothing", None, "must be a GeoJSON object"),
    ("a point", {"type": "Point", "coordinates": [-1.55, 53.8]}, "Polygon or MultiPolygon"),
    ("a line", {"type": "LineString", "coordinates": RING}, "Polygon or MultiPolygon"),
    ("feature without geometry", {"type": "Feature", "geometry": None}, "Polygon or MultiPolygon"),
    (
        "collection of two",
        {"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": POLYGON}] * 2},
        "exactly one feature",
    ),
    ("empty collection", {"type": "FeatureCollection", "features": []}, "exactly one feature"),
    ("no coordinates", {"type": "Polygon"}, "no coordinates"),
    ("empty coordinates", {"type": "Polygon", "coordinates": []}, "no coordinates"),
    ("flat coordinates", {"type": "Polygon", "coordinates": [0, 0, 1, 1]}, "malformed"),
    (
        "text coordinates",
        {"type": "Polygon", "coordinates": [[["a", "b"], ["c", "d"], ["e", "f"], ["a", "b"]]]},
        "malformed",
    ),
    ("one number per point", {"type": "Polygon", "coordinates": [[[0], [1], [2], [0]]]}, "malformed"),
    ("too few points", {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [0, 0]]]}, "not a valid shape"),
    (
        "self-intersecting",
        {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]},
        "Self-intersection",
    ),
    ("no area", {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [2, 0], [0, 0]]]}, "not a valid shape"),
    ("overlapping parts", {"type": "MultiPolygon", "coordinates": [[RING], [RING]]}, "not a valid shape"),
    (
        "hole outside",
        {"type": "Polygon", "coordinates": [RING, [[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]},
        "Hole lies outside shell",
    ),
    (
        "lng out of range",
        {"type": "Polygon", "coordinates": [[[200, 0], [201, 0], [201, 1], [200, 1], [200, 0]]]},
        "out of range",
    ),
    (
        "lat out of range",
        {"type": "Polygon", "coordinates": [[[0, 95], [1, 95], [1, 96], [0, 96], [0, 95]]]},
        "out of range",
    ),
    # a place in Japan written [lat, lng]: latitude 139 does not exist
    (
        "lat/lng swapped",
        {"type": "Polygon", "coordinates": [[[35, 139], [35.1, 139], [35.1, 139.1], [35, 139]]]},
        "GeoJSON is [longitude, latitude]",
    ),
    (
        "infinite",
        {"type": "Polygon", "coordinates": [[[float("inf"), 0], [1, 0], [1, 1], [float("inf"), 0]]]},
        "not numbers",
    ),
    (
        "not a number",
        {"type": "Polygon", "coordinates": [[[float("nan"), 0], [1, 0], [1, 1], [float("nan"), 0]]]},
        "The boundary",
    ),
    ("huge int", {"type": "Polygon", "coordinates": [[[10**400, 0], [1, 0], [1, 1], [10**400, 0]]]}, "malformed"),
    ("nested too deep", {"type": "Polygon", "coordinates": _nested(900)}, "nested too deeply"),
    (
        "too many points",
        {"type": "Polygon", "coordinates": [[[0.0, 0.0]] * (MAX_BOUNDARY_POINTS + 1)]},
        "simplify it first",
    ),
]


@pytest.mark.parametrize(("case", "value", "message"), BAD_BOUNDARIES, ids=[c[0] for c in BAD_BOUNDARIES])
def test_parse_boundary_refuses_broken_geojson(case, value, message):
    with pytest.raises(ValidationError) as info:
        parse_boundary(value)
    assert any(message in m for m in info.value.messages), info.value.messages
    assert all(len(m) < 500 for m in info.value.messages)


@pytest.mark.parametrize(
    "value",
    [
        POLYGON,
        json.dumps(POLYGON),
        json.dumps(POLYGON).encode(),
        {"type": "Feature", "properties": {"name": "x"}, "geometry": POLYGON},
        {"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": POLYGON}]},
        {"type": "MultiPolygon", "coordinates": [[RING]]},
    ],
    ids=["geometry", "text", "bytes", "feature", "collection", "multipolygon"],
)
def test_parse_boundary_accepts_every_wrapping(value):
    facts = parse_boundary(value)
    assert facts.geometry["type"] in ("Polygon", "MultiPolygon")
    assert (facts.min_lng, facts.min_lat, facts.max_lng, facts.max_lat) == pytest.approx((-1.56, 53.79, -1.54, 53.81))
    assert (facts.centroid_lat, facts.centroid_lng) == pytest.approx((53.8, -1.55))
    assert facts.area_sq_deg == pytest.approx(0.0004)


def test_the_centre_of_a_u_shape_is_inside_it():
    u_shape = {
        "type": "Polygon",
        "coordinates": [[[0, 0], [3, 0], [3, 3], [2, 3], [2, 1], [1, 1], [1, 3], [0, 3], [0, 0]]],
    }
    facts = parse_boundary(u_shape)
    assert contains(facts.geometry, facts.centroid_lat, facts.centroid_lng)


def test_contains_treats_broken_stored_boundaries_as_no():
    assert contains(POLYGON, 53.8, -1.55)
    assert contains(POLYGON, 53.79, -1.55)  # on the edge counts as inside
    assert not contains(POLYGON, 0, 0)
    assert not contains({"type": "Polygon", "coordinates": "garbage"}, 0, 0)
    assert not contains({}, 0, 0)


# ---- boundaries: import_boundaries (service) and the command ---------------------------------------------
def feature(name, lat, lng, half=0.01, **props):
    return {"type": "Feature", "properties": {"name": name, **props}, "geometry": square(lat, lng, half)}


def collection(*features):
    return {"type": "FeatureCollection", "features": list(features)}


@pytest.fixture
def admin():
    return UserFactory(role=Role.ADMIN)


def test_import_creates_areas_and_point_lookup_finds_them(admin):
    district = AreaFactory(name="Leeds", slug="leeds", kind=AreaKind.DISTRICT, lat=53.8, lng=-1.55, half=0.3)
    result = import_boundaries(
        data=collection(feature("Hyde Park", 53.81, -1.57), feature("Headingley", 53.82, -1.59, id="E05001")),
        by=admin,
        kind=AreaKind.WARD,
        parent=district,
    )
    assert result == {"created": 2, "updated": 0}
    hyde = Area.objects.get(name="Hyde Park")
    assert (hyde.kind, hyde.parent, hyde.slug) == (AreaKind.WARD, district, "hyde-park")
    assert (hyde.centroid_lat, hyde.centroid_lng) == pytest.approx((53.81, -1.57))
    assert Area.objects.get(name="Headingley").external_id == "E05001"
    assert [a.name for a in selectors.areas_containing(lat=53.81, lng=-1.57)] == ["Hyde Park", "Leeds"]
    assert selectors.area_for_point(lat=53.81, lng=-1.57) == hyde
    assert selectors.area_for_point(lat=53.82, lng=-1.59).name == "Headingley"
    assert selectors.area_for_point(lat=53.6, lng=-1.55) == district
    assert selectors.area_for_point(lat=0, lng=0) is None
    assert selectors.area_for_point(lat=None, lng=-1.55) is None
    assert selectors.areas_containing(lat=90, lng=180) == []


def test_reimport_updates_instead_of_duplicating(admin):
    import_boundaries(
        data=collection(feature("Hyde Park", 53.81, -1.57), feature("Woodhouse", 53.81, -1.55, id="W1")),
        by=admin,
        kind=AreaKind.WARD,
    )
    ids = dict(Area.objects.values_list("name", "pk"))
    result = import_boundaries(
        data=collection(feature("Hyde Park", 53.9, -1.6), feature("Woodhouse Moor", 53.81, -1.55, id="W1")),
        by=admin,
        kind=AreaKind.WARD,
    )
    assert result == {"created": 0, "updated": 2}
    assert Area.objects.count() == 2
    assert Area.objects.get(pk=ids["Hyde Park"]).centroid_lat == pytest.approx(53.9)
    assert Area.objects.get(pk=ids["Woodhouse"]).name == "Woodhouse Moor"  # matched by its id, renamed
    # the same name as another kind of area is a different area
    assert import_boundaries(data=collection(feature("Hyde Park", 53.81, -1.57)), by=admin, kind=AreaKind.PARISH) == {
        "created": 1,
        "updated": 0,
    }
    assert Area.objects.filter(name="Hyde Park").count() == 2


def test_dry_run_changes_nothing(admin):
    existing = AreaFactory(name="Hyde Park", kind=AreaKind.WARD, lat=53.81, lng=-1.57)
    before = list(Area.objects.values())
    result = import_boundaries(
        data=collection(feature("Hyde Park", 50, 0), feature("New Place", 51, 0)),
        by=admin,
        kind=AreaKind.WARD,
        dry_run=True,
    )
    assert result == {"created": 1, "updated": 1}
    assert list(Area.objects.values()) == before
    existing.refresh_from_db()
    assert existing.centroid_lat == pytest.approx(53.81)


def test_one_bad_feature_among_good_ones_applies_nothing_and_names_every_bad_one(admin):
    bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    data = collection(
        feature("Good One", 53.81, -1.57),
        {"type": "Feature", "properties": {"name": "Twisted"}, "geometry": bowtie},
        feature("Good Two", 53.82, -1.57),
        {"type": "Feature", "properties": {"title": "Unnamed"}, "geometry": square(1, 1)},
        {
            "type": "Feature",
            "properties": {"name": "Swapped"},
            "geometry": square(1, 1) | {"coordinates": [[[53, 120], [54, 120], [54, 121], [53, 121], [53, 120]]]},
        },
        "not even a dict",
        {"type": "Feature", "properties": {"name": "x" * 201}, "geometry": square(2, 2)},
        feature("Good One", 10, 10),
    )
    with pytest.raises(ValidationError) as info:
        import_boundaries(data=data, by=admin, kind=AreaKind.WARD)
    messages = info.value.messages
    assert [m.split(":")[0].split(" (")[0] for m in messages] == [
        "Feature 2",
        "Feature 4",
        "Feature 5",
        "Feature 6",
        "Feature 7",
        "Feature 8",
    ]
    assert "Self-intersection" in messages[0] and "Twisted" in messages[0]
    assert "no 'name' property" in messages[1]
    assert "out of range" in messages[2]
    assert "not a GeoJSON Feature" in messages[3]
    assert "at most 200 characters" in messages[4]
    assert "same name as feature 1" in messages[5]
    assert not Area.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "must be a GeoJSON FeatureCollection"),
        ("text", "must be a GeoJSON FeatureCollection"),
        ({"type": "Feature", "geometry": POLYGON}, "must be a GeoJSON FeatureCollection"),
        ({"type": "FeatureCollection"}, "holds no features"),
        ({"type": "FeatureCollection", "features": []}, "holds no features"),
        ({"type": "FeatureCollection", "features": {"0": {}}}, "holds no features"),
    ],
)
def test_import_refuses_what_is_not_a_feature_collection(admin, data, message):
    with pytest.raises(ValidationError, match=message):
        import_boundaries(data=data, by=admin, kind=AreaKind.WARD)
    assert not Area.objects.exists()


def test_import_refuses_an_unknown_kind(admin):
    with pytest.raises(ValidationError, match="Unknown kind 'planet'"):
        import_boundaries(data=collection(feature("X", 1, 1)), by=admin, kind="planet")


def test_import_with_another_name_property(admin):
    data = collection({"type": "Feature", "properties": {"WD24NM": "Little London"}, "geometry": square(53.8, -1.54)})
    assert import_boundaries(data=data, by=admin, kind=AreaKind.WARD, name_property="WD24NM")["created"] == 1
    assert Area.objects.get().name == "Little London"


@pytest.fixture
def geojson_file(tmp_path):
    def write(content, name="areas.geojson"):
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
        return str(path)

    return write


def run_import(*args):
    from io import StringIO

    out = StringIO()
    call_command("import_boundaries", *args, stdout=out)
    return out.getvalue()


def test_command_imports_and_reimports(geojson_file):
    path = geojson_file(collection(feature("Hyde Park", 53.81, -1.57), feature("Woodhouse", 53.81, -1.55)))
    assert "Created 2 and updated 0 areas." in run_import(path, "--kind", "ward")
    assert "Created 0 and updated 2 areas." in run_import(path, "--kind", "ward")
    assert Area.objects.count() == 2 and set(Area.objects.values_list("kind", flat=True)) == {"ward"}
    assert selectors.area_for_point(lat=53.81, lng=-1.57).name == "Hyde Park"


def test_command_with_a_parent_and_a_dry_run(geojson_file):
    AreaFactory(name="Leeds", slug="leeds", kind=AreaKind.DISTRICT, half=0.5)
    path = geojson_file(collection(feature("Hyde Park", 53.81, -1.57)))
    assert "Would create 1 and updated 0 areas." in run_import(path, "--parent", "leeds", "--dry-run")
    assert Area.objects.count() == 1
    run_import(path, "--parent", "leeds")
    assert Area.objects.get(name="Hyde Park").parent.slug == "leeds"


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (None, [], "No such file"),
        ("{not json", [], "is not valid GeoJSON"),
        (b"\xff\xfe\xfa not utf-8", [], "is not valid GeoJSON"),
        ("", [], "is not valid GeoJSON"),
        ("[]", [], "must be a GeoJSON FeatureCollection"),
        ('{"type": "FeatureCollection", "features": []}', [], "holds no features"),
        (collection(feature("A", 1, 1)), ["--parent", "nowhere"], "No area with slug 'nowhere'"),
        (collection(feature("A", 1, 1)), ["--kind", "planet"], "invalid choice"),
        (
            collection(
                feature("A", 1, 1),
                {"type": "Feature", "properties": {}, "geometry": square(2, 2)},
                {"type": "Feature", "properties": {"name": "B"}, "geometry": {"type": "Point", "coordinates": [0, 0]}},
            ),
            [],
            "Nothing was imported:\n  Feature 2: no 'name' property to name the area.\n  Feature 3 (B): The boundary "
            "must be a GeoJSON Polygon or MultiPolygon.",
        ),
    ],
    ids=[
        "missing",
        "not-json",
        "not-utf8",
        "empty-file",
        "a-list",
        "no-features",
        "bad-parent",
        "bad-kind",
        "bad-features",
    ],
)
def test_command_refuses_broken_files(geojson_file, tmp_path, content, args, message):
    path = str(tmp_path / "missing.geojson") if content is None else geojson_file(content)
    with pytest.raises(CommandError) as info:
        run_import(path, *args)
    assert message in str(info.value)
    assert not Area.objects.exists()


def test_command_acts_as_the_first_superuser_or_the_operator(geojson_file):
    path = geojson_file(collection(feature("A", 1, 1)))
    UserFactory(role=Role.MEMBER)  # an ordinary member does not get in the way
    run_import(path)
    assert Area.objects.count() == 1


# ---- near() ---------------------------------------------------------------------------------------------
def test_near_finds_rows_nearest_first_within_the_radius(member):
    for name, lat, lng in [
        ("Here", 53.8, -1.55),
        ("Next door", 53.8009, -1.55),
        ("Down the road", 53.81, -1.55),
        ("Leeds edge", 53.9, -1.55),
        ("London", 51.5, -0.12),
    ]:
        directory_services.organisation_create(by=member, data={"name": name, "lat": lat, "lng": lng})
    directory_services.organisation_create(by=member, data={"name": "Nowhere"})
    rows, total = selectors.near(Organisation.objects.all(), lat=53.8, lng=-1.55, radius_m=1609)
    assert [r.name for r in rows] == ["Here", "Next door", "Down the road"] and total == 3
    assert rows[0].distance_m == pytest.approx(0, abs=0.01)
    assert rows[1].distance_m == pytest.approx(100, rel=0.01)
    rows, total = selectors.near(Organisation.objects.all(), lat=53.8, lng=-1.55, radius_m=20_000, limit=2)
    assert [r.name for r in rows] == ["Here", "Next door"] and total == 4
    assert selectors.near(Organisation.objects.all(), lat=0, lng=0, radius_m=1000) == ([], 0)


def test_near_across_the_antimeridian_and_near_a_pole(member):
    directory_services.organisation_create(by=member, data={"name": "Fiji East", "lat": -17.0, "lng": 179.999})
    directory_services.organisation_create(by=member, data={"name": "Fiji West", "lat": -17.0, "lng": -179.999})
    directory_services.organisation_create(by=member, data={"name": "Pole Camp", "lat": 89.999, "lng": -170.0})
    rows, _ = selectors.near(Organisation.objects.all(), lat=-17.0, lng=-179.999, radius_m=1000)
    assert [r.name for r in rows] == ["Fiji West", "Fiji East"]
    rows, _ = selectors.near(Organisation.objects.all(), lat=-17.0, lng=179.999, radius_m=1000)
    assert [r.name for r in rows] == ["Fiji East", "Fiji West"]
    rows, _ = selectors.near(Organisation.objects.all(), lat=89.999, lng=10.0, radius_m=1000)
    assert [r.name for r in rows] == ["Pole Camp"]
