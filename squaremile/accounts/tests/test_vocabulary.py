"""One vocabulary for joining and logging in: "Join", "Log in", "Log out" — never allauth's own
"Sign In / Sign Up / Sign Out" — on every account page and in its e-mails."""

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from squaremile.accounts.models import User

LOCALE = Path(settings.BASE_DIR) / "locale" / "en_GB" / "LC_MESSAGES"
OTHER_WORDS = re.compile(r"\bsign(?:ed)?[ -]?(?:in|up|out)\b|\bsignup\b", re.IGNORECASE)


def _po_entries(text: str) -> dict[str, str]:
    entries = {}
    for block in text.split("\n\n"):
        match = re.search(r'(?ms)^msgid (".*?)\nmsgstr (".*)', block)
        if not match:
            continue
        msgid, msgstr = ("".join(re.findall(r'"((?:[^"\\]|\\.)*)"', part)) for part in match.groups())
        if msgid:
            decode = lambda s: s.encode().decode("unicode_escape")  # noqa: E731
            entries[decode(msgid)] = decode(msgstr)
    return entries


def test_the_compiled_catalogue_matches_its_source():
    entries = _po_entries((LOCALE / "django.po").read_text())
    assert len(entries) > 20
    with open(LOCALE / "django.mo", "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = [msgid for msgid, msgstr in entries.items() if compiled.gettext(msgid) != msgstr]
    assert not stale, f"locale/en_GB/LC_MESSAGES/django.mo is out of date (run msgfmt): {stale[:3]}"
    assert not [s for s in entries.values() if OTHER_WORDS.search(s)], "a translation still says sign in/up"


def _visible_text(html: str) -> str:
    html = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", html)
    html = re.sub(r"<[^>]+>", " ", html)  # attribute values (URLs such as /accounts/signup/) are not words
    return re.sub(r"\s+", " ", html)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ["account_login", "account_signup", "account_reset_password", "account_request_login_code"]
)
def test_account_pages_speak_one_vocabulary(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    text = _visible_text(response.content.decode())
    assert not OTHER_WORDS.search(text), OTHER_WORDS.search(text).group(0)
    if name == "account_login":
        assert "Log in" in text and "Join" in text


@pytest.mark.django_db
def test_log_out_page_and_messages(client):
    user = User.objects.create_user(email="v@example.org", password="a-long-pass-phrase")
    client.force_login(user)
    page = client.get(reverse("account_logout"))
    assert page.status_code == 200
    assert "Are you sure you want to log out?" in page.content.decode()
    response = client.post(reverse("account_logout"), follow=True)
    assert "You have logged out." in response.content.decode()


@pytest.mark.django_db
def test_joining_twice_mail_says_join(client, settings):
    User.objects.create_user(email="taken@example.org", password="a-long-pass-phrase")
    client.post(
        reverse("account_signup"),
        {"email": "taken@example.org", "password1": "Another-long-pass-1", "password2": "Another-long-pass-1"},
    )
    bodies = [m.body for m in mail.outbox]
    assert bodies, "the account-exists mail was not sent"
    assert not any(OTHER_WORDS.search(body) for body in bodies), bodies
