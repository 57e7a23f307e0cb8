"""Wants and offers, matched (issue 17), in a real browser on a phone: the "Done when" flow with two
people in two browser contexts, and an offer left alone that expires after its reminders."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from squaremile.directory.models import ResourceKind
from squaremile.places.tests.factories import AreaFactory
from tests.browser.support import PHONE, a11y_report, assert_fits_the_screen, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOME = (52.6300, -1.1300)


def neighbour(email, name, *, lat=HOME[0], resources=()):
    user = make_user(email=email)
    profile = user.profile
    profile.display_name, profile.lat, profile.lng, profile.radius_m = name, lat, HOME[1], 1609
    profile.save()
    for r in resources:
        profile.resources.add(r)
    return user


@pytest.fixture
def kettleby(taxonomy):
    return AreaFactory(name="Kettleby", slug="kettleby", lat=HOME[0], lng=HOME[1], half=0.05)


def test_a_lift_to_the_hospital_is_matched_agreed_and_met(new_context, login, kettleby):
    car = ResourceKind.objects.get(slug="car-or-van")
    resident = neighbour("ruth@example.org", "Ruth")
    driver = neighbour("dev@example.org", "Devi", lat=HOME[0] + 0.004, resources=[car])

    # The resident asks, on her phone.
    ruth = new_context(viewport=PHONE).new_page()
    login(ruth, resident)
    ruth.goto("/exchange/")
    ruth.get_by_role("link", name="I need something").tap()
    ruth.get_by_label("In a few words").fill("Need a lift to the hospital on Tuesday")
    ruth.get_by_label("What is it about?").select_option(label="Car or van")
    ruth.get_by_label("Kind").select_option(label="Transport")
    ruth.get_by_label("When (optional)").fill("Tuesday morning")
    expect(ruth.get_by_label("My square mile")).to_be_checked()
    assert_fits_the_screen(ruth)
    ruth.get_by_role("button", name="Post it").tap()
    expect(ruth.get_by_role("heading", level=1)).to_have_text("Need a lift to the hospital on Tuesday")
    want_url = ruth.url
    report = a11y_report(ruth, "a want, just posted")
    assert not report, report

    # The neighbour who drives and is willing to share gets one notification, with the reason.
    devi = new_context(viewport=PHONE).new_page()
    login(devi, driver)
    devi.goto("/notifications/")
    notes = devi.locator(".notification")
    expect(notes).to_have_count(1)
    expect(notes.first).to_contain_text("A neighbour needs: Need a lift to the hospital on Tuesday")
    notes.first.get_by_role("link").tap()
    expect(devi.locator("#asked")).to_contain_text(
        "you said you can share Car or van · 0.3 miles from your square mile"
    )
    report = a11y_report(devi, "a want, seen by the person asked")
    assert not report, report

    # She opens a private conversation with one tap; they agree; she says she will do it.
    devi.get_by_role("link", name="Message Ruth").tap()
    devi.get_by_label("Subject (optional)").fill("Lift on Tuesday")
    devi.get_by_label("Your message").fill("I can take you on Tuesday at 9. Devi")
    devi.get_by_role("button", name="Send").tap()
    expect(devi.get_by_text("I can take you on Tuesday at 9. Devi")).to_be_visible()
    ruth.goto("/messages/")
    ruth.get_by_role("link", name="Lift on Tuesday").tap()
    expect(ruth.get_by_text("I can take you on Tuesday at 9. Devi")).to_be_visible()
    devi.goto(want_url)
    devi.get_by_role("button", name="I can help with this").tap()
    expect(devi.get_by_text("Marked as promised")).to_be_visible()

    # Both mark it done; it counts in the area's needs met.
    devi.get_by_role("button", name="Yes, need met").tap()
    expect(devi.get_by_text("Marked as done")).to_be_visible()
    ruth.goto(want_url)
    expect(ruth.get_by_text("confirmed by the helper")).to_be_visible()
    ruth.get_by_label("Say thank you (optional, shown on the page)").fill("Thank you Devi, I was on time!")
    ruth.get_by_role("button", name="Yes, need met").tap()
    expect(ruth.get_by_text("confirmed by the poster · confirmed by the helper")).to_be_visible()
    ruth.goto("/exchange/areas/kettleby/")
    expect(ruth.locator("[data-needs-met]")).to_have_text("1")
    assert_fits_the_screen(ruth)
    report = a11y_report(ruth, "more with more")
    assert not report, report


def test_an_offer_left_alone_expires_after_reminders_and_renews_with_one_tap(new_context, login, kettleby):
    from squaremile.exchange import services
    from squaremile.exchange.models import Item

    car = ResourceKind.objects.get(slug="car-or-van")
    owner = neighbour("sam@example.org", "Sam")
    offer = services.item_create(by=owner, fields={
        "side": "offer", "kind": "lend", "title": "Roof box to lend", "resource": car, "where": "point",
        "lat": HOME[0], "lng": HOME[1], "radius_m": 1609, "visibility": "public",
    })  # fmt: skip
    end = offer.expires_at
    services.expire_and_remind(now=end - timedelta(days=7) + timedelta(hours=1))
    services.expire_and_remind(now=end - timedelta(hours=23))
    services.expire_and_remind(now=end + timedelta(minutes=5))
    page = new_context(viewport=PHONE).new_page()
    login(page, owner)
    page.goto("/notifications/")
    expect(page.locator(".notification")).to_have_count(2)
    expect(page.locator(".notification").first).to_contain_text("ends tomorrow: renew it with one tap")
    page.locator(".notification").first.get_by_role("link").tap()
    expect(page.locator(".ex-side")).to_contain_text("Expired")
    page.get_by_role("button", name="Renew for 30 days").tap()
    expect(page.get_by_text("Renewed until")).to_be_visible()
    offer = Item.objects.get(pk=offer.pk)
    assert offer.status == "open" and offer.expires_at > timezone.now() + timedelta(days=29)


def test_several_terms_or_none_and_a_one_tap_renew_from_the_reminder_mail(new_context, login, kettleby, mailoutbox):
    """On a phone: an offer about two things; a want with no term at all, matched by its words; then
    the offer's reminder mail, whose renew link works without logging in, with one button."""
    import re

    from squaremile.directory.models import Skill
    from squaremile.exchange import services
    from squaremile.exchange.models import Item

    car = ResourceKind.objects.get(slug="car-or-van")
    first_aid = Skill.objects.get(slug="first-aid")
    sam = neighbour("sam@example.org", "Sam")
    page = new_context(viewport=PHONE).new_page()
    login(page, sam)
    page.goto("/exchange/new/?side=offer")
    page.get_by_label("In a few words").fill("Driver with a first aid kit, and a stepladder")
    page.get_by_label("What is it about?").select_option(label=["Car or van", "First aid"])
    assert_fits_the_screen(page)
    page.get_by_role("button", name="Post it").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Driver with a first aid kit, and a stepladder")
    expect(page.locator(".ex-facts")).to_contain_text("First aid")
    expect(page.locator(".ex-facts")).to_contain_text("Car or van")
    offer = Item.objects.get(owner=sam)
    assert set(offer.terms) == {f"r{car.pk}", f"s{first_aid.pk}"}

    ruth = neighbour("ruth@example.org", "Ruth")
    other = new_context(viewport=PHONE).new_page()
    login(other, ruth)
    other.goto("/exchange/new/?side=want")
    other.get_by_label("In a few words").fill("Borrow a stepladder this weekend")
    other.get_by_role("button", name="Post it").tap()  # no skill or resource: the words match
    expect(other.get_by_role("heading", level=1)).to_have_text("Borrow a stepladder this weekend")
    expect(other.locator(".ex-reason").first).to_contain_text("mentions stepladder")

    mailoutbox.clear()
    services.expire_and_remind(now=offer.expires_at - timedelta(days=6))
    mail = next(m for m in mailoutbox if m.to == ["sam@example.org"])
    assert "ends in a week" in mail.subject
    link = next(u for u in re.findall(r"https?://\S+", mail.body) if "/act/" in u)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    stranger = new_context(viewport=PHONE).new_page()  # not logged in: the link is enough
    stranger.goto(path)
    expect(stranger.get_by_role("heading", level=1)).to_contain_text("Renew")
    assert_fits_the_screen(stranger)
    stranger.get_by_role("button", name="Renew for 30 days").tap()
    expect(stranger.get_by_text("Renewed until")).to_be_visible()
    report = a11y_report(stranger, "renewed from the reminder mail")
    assert not report, report
