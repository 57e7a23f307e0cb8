"""The exchange's own e-mails, through the one notifications path: a clear subject, the reason in
plain words, and one-tap links (message them; renew; yes, it is done) that work without logging in
and change nothing until the button is pressed."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from squaremile.core.models import Visibility
from squaremile.exchange import mails, services
from squaremile.exchange.models import Item, Side, Status, Where
from squaremile.exchange.tests.factories import HOME, car, person
from squaremile.notifications.models import Delivery, Preference

pytestmark = pytest.mark.django_db

LIFT = {
    "side": Side.WANT, "kind": "transport", "title": "Need a lift to the hospital", "resources": [],
    "where": Where.POINT, "lat": HOME[0], "lng": HOME[1], "radius_m": 1609, "when_note": "Tuesday morning",
    "visibility": Visibility.PUBLIC,
}  # fmt: skip


def at_once(user, *kinds):
    for kind in kinds:
        Preference.objects.update_or_create(user=user, kind=kind, defaults={"delivery": Delivery.IMMEDIATE})
    return user


def links(body: str) -> list[str]:
    return re.findall(r"https?://[^\s\"<>]+", body)


def test_a_match_mail_names_the_reason_and_a_one_tap_message_link(mailoutbox, django_capture_on_commit_callbacks):
    driver = at_once(person(email="driver@example.org"), "exchange.matched")
    offer = services.item_create(by=driver, fields={**LIFT, "side": Side.OFFER, "title": "Lifts to hospital",
                                                    "resources": [car()], "lat": HOME[0] + 0.006})  # fmt: skip
    resident = at_once(person(email="resident@example.org"), "exchange.matched")
    with django_capture_on_commit_callbacks(execute=True):
        want = services.item_create(by=resident, fields={**LIFT, "resources": [car()]})
    to_resident = next(m for m in mailoutbox if m.to == ["resident@example.org"])
    assert "An offer may meet your want" in to_resident.subject
    assert "Why: offers Car or van · 0.4 miles away" in to_resident.body
    assert "Lifts to hospital" in to_resident.body
    message = next(u for u in links(to_resident.body) if "/messages/new/" in u)
    assert f"with={driver.pk}" in message and f"about=exchange.item:{offer.pk}" in message
    html = to_resident.alternatives[0][0]
    assert "Message them" in html and "Why: offers Car or van" in html
    to_driver = next(m for m in mailoutbox if m.to == ["driver@example.org"])
    assert "A new want may meet your offer" in to_driver.subject
    assert "Need a lift to the hospital" in to_driver.body and f"with={resident.pk}" in to_driver.body
    assert want.pk


def test_the_person_asked_gets_the_reason_and_is_told_nobody_knows(mailoutbox, django_capture_on_commit_callbacks):
    helper = at_once(person(email="helper@example.org", lat=HOME[0] + 0.004, resources=[car()]), "exchange.asked")
    with django_capture_on_commit_callbacks(execute=True):
        services.item_create(by=person(), fields={**LIFT, "resources": [car()]})
    mail = next(m for m in mailoutbox if m.to == ["helper@example.org"])
    assert "A neighbour may need your help" in mail.subject
    assert "Why you: you said you can share Car or van · 0.3 miles from your square mile · Tuesday morning" in (
        mail.body
    )
    assert "the neighbour is not told" in mail.body
    assert reverse("accounts:profile_edit") in mail.body  # how to stop being asked
    assert helper.pk


def test_reminders_carry_a_renew_link_that_works_once_pressed(client, mailoutbox, django_capture_on_commit_callbacks):
    owner = person(email="owner@example.org")
    offer = services.item_create(by=owner, fields={**LIFT, "side": Side.OFFER, "resources": [car()]})
    with django_capture_on_commit_callbacks(execute=True):
        services.expire_and_remind(now=offer.expires_at - timedelta(days=6))
    mail = next(m for m in mailoutbox if m.to == ["owner@example.org"])
    assert mail.subject.endswith("Your offer ends in a week: renew it with one tap")
    assert "Renew it for another 30 days with one tap" in mail.body
    renew = next(u for u in links(mail.body) if "/act/" in u)
    path = renew.split("://", 1)[1].split("/", 1)[1]
    # it expires in the meantime; the link (no login) shows one button and changes nothing by itself
    Item.objects.filter(pk=offer.pk).update(status=Status.EXPIRED)
    page = client.get("/" + path)
    assert page.status_code == 200 and b"Renew for 30 days" in page.content
    assert Item.objects.get(pk=offer.pk).status == Status.EXPIRED
    done = client.post("/" + path)
    assert done.status_code == 200 and b"Renewed until" in done.content
    offer.refresh_from_db()
    assert offer.status == Status.OPEN and offer.expires_at > timezone.now() + timedelta(days=29)
    # an altered or foreign token does nothing
    assert client.post("/" + path[:-3] + "xyz/").status_code == 400
    other = services.item_create(by=person(), fields={**LIFT, "resources": [car()]})
    token = mails.action_token(item=offer, user=owner, action="renew")
    assert client.post(reverse("exchange:act", args=[other.pk, token])).status_code == 400


def test_promised_and_done_mails_and_one_tap_confirmation(client, mailoutbox, django_capture_on_commit_callbacks):
    resident = person(email="resident@example.org")
    driver = person(email="driver@example.org", resources=[car()], lat=HOME[0] + 0.002)
    want = services.item_create(by=resident, fields={**LIFT, "resources": [car()]})
    with django_capture_on_commit_callbacks(execute=True):
        services.item_promise(item=want, by=driver)
    promised = next(m for m in mailoutbox if m.to == ["resident@example.org"] and "can help" in m.subject)
    assert "Someone can help with your want" in promised.subject
    assert f"with={driver.pk}" in promised.body and "/act/" in promised.body
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.item_done(item=want, by=driver)
    done = next(m for m in mailoutbox if m.to == ["resident@example.org"])
    assert "Marked done: please confirm your want" in done.subject
    assert "If it happened, confirm it with one tap" in done.body
    confirm = next(u for u in links(done.body) if "/act/" in u)
    path = "/" + confirm.split("://", 1)[1].split("/", 1)[1]
    assert b"Yes, it is done" in client.get(path).content
    assert client.post(path).status_code == 200
    want.refresh_from_db()
    assert want.status == Status.DONE and want.owner_confirmed_at and want.partner_confirmed_at
