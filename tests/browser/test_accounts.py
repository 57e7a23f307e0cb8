"""Logging in and out, and getting back in with a forgotten password."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.support import confirmation_link, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password-1"  # the factories' password


def _log_in(page, email, password):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label(re.compile(r"^Password:?$")).fill(password)
    page.get_by_role("button", name="Log in").click()


def test_wrong_password_shows_an_error_and_keeps_the_email(page):
    make_user(email="rosa@example.org")
    _log_in(page, "rosa@example.org", "not-my-password")
    expect(page.get_by_role("alert")).to_contain_text(re.compile("not correct", re.I))
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_label("Email")).to_have_value("rosa@example.org")
    expect(page.get_by_label(re.compile(r"^Password:?$"))).to_have_value("")
    expect(page.get_by_role("navigation", name="Your account")).to_contain_text("Log in")

    # The right password then works, and logging out works too.
    page.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/people/me/$"))
    account = page.get_by_role("navigation", name="Your account")
    expect(account).to_contain_text("Rosa")
    account.get_by_role("button", name="Log out").click()
    expect(page.locator(".messages")).to_contain_text(re.compile("logged out", re.I))
    expect(page.get_by_role("navigation", name="Your account").get_by_role("link", name="Log in")).to_be_visible()
    page.goto("/people/me/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/people/me/$"))


def test_password_reset_by_email(page, live_server, mailoutbox):
    make_user(email="sam@example.org")
    page.goto("/accounts/password/reset/")
    page.get_by_label("Email").fill("sam@example.org")
    page.get_by_role("button", name="Reset My Password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Password Reset")
    expect(page.locator("#main")).to_contain_text("sent you an email")

    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["sam@example.org"]
    link = confirmation_link(mailoutbox[0])
    assert link.startswith(live_server.url)
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Change Password")
    page.get_by_label(re.compile(r"^New Password:?$")).fill("a-fresh-secret-42")
    page.get_by_label(re.compile(r"^New Password \(again\):?$")).fill("a-fresh-secret-42")
    page.get_by_role("button", name="Change Password").click()
    expect(page.locator("#main")).to_contain_text(re.compile("password is now changed", re.I))

    # The old password no longer works; the new one does.
    _log_in(page, "sam@example.org", PASSWORD)
    expect(page.get_by_role("alert")).to_contain_text(re.compile("not correct", re.I))
    _log_in(page, "sam@example.org", "a-fresh-secret-42")
    expect(page).to_have_url(re.compile(r"/people/me/$"))
    expect(page.get_by_role("navigation", name="Your account")).to_contain_text("Sam")
