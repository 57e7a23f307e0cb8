"""notify(): stored per person, the actor left out, e-mail by each person's choice, only to verified
addresses; the one e-mail path (text + HTML, subject, site links, one-click unsubscribe)."""

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from squaremile.accounts.models import Role
from squaremile.accounts.tests.factories import UserFactory
from squaremile.notifications import kinds, services, tokens
from squaremile.notifications.email import send_email
from squaremile.notifications.models import Delivery, Notification, Preference, Suppression
from squaremile.places.tests.factories import AreaFactory

pytestmark = pytest.mark.django_db
NOW, DAILY = "test.now", "test.daily"
kinds.register(NOW, label="Something for you at once", default=Delivery.IMMEDIATE)
kinds.register(DAILY, label="Something for your digest", default=Delivery.DAILY)


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    def run(**kw):
        with django_capture_on_commit_callbacks(execute=True):
            services.notify(**{"title": "A thing happened", "url": "/areas/", **kw})

    return run


def test_notify_stores_one_per_person_and_never_tells_the_actor(send, mailoutbox):
    ann, bob, actor = UserFactory(), UserFactory(), UserFactory()
    area = AreaFactory(name="Riverside")
    send(kind=NOW, recipients=[ann, bob, bob, actor], actor=actor, target=area)
    notes = Notification.objects.order_by("recipient_id")
    assert [n.recipient for n in notes] == [ann, bob]
    assert all(n.target == area and n.target_label == "Riverside" and n.read_at is None for n in notes)
    assert sorted(m.to[0] for m in mailoutbox) == sorted([ann.email, bob.email])
    assert all(n.emailed_at for n in notes)


def test_delivery_follows_each_persons_choice(send, mailoutbox):
    default, off, now = UserFactory(), UserFactory(), UserFactory()
    Preference.objects.create(user=off, kind=DAILY, delivery=Delivery.OFF)
    Preference.objects.create(user=now, kind=DAILY, delivery=Delivery.IMMEDIATE)
    send(kind=DAILY, recipients=[default, off, now])
    assert dict(Notification.objects.values_list("recipient_id", "delivery")) == {
        default.pk: "daily", off.pk: "off", now.pk: "immediate",
    }  # fmt: skip
    assert [m.to for m in mailoutbox] == [[now.email]]  # the others: digest, or only under the bell


def test_unverified_addresses_get_no_mail_but_see_the_bell(send, mailoutbox):
    person = UserFactory()
    EmailAddress.objects.filter(user=person).update(verified=False)
    send(kind=NOW, recipients=[person])
    assert mailoutbox == [] and Notification.objects.get().emailed_at is None


def test_unknown_kind_is_a_programming_error():
    with pytest.raises(LookupError):
        services.notify(kind="nope", recipients=[], title="x")


def test_the_one_mail_path(send, mailoutbox, settings):
    settings.SITE_URL, settings.SITE_NAME = "https://sq.example.net", "Riverside Network"
    person = UserFactory()
    send(kind=NOW, recipients=[person], title="New on the map: https://evil.example/x")
    [mail] = mailoutbox
    assert mail.subject == "[Riverside Network] Something for you at once"  # fixed words, never typed text
    html = mail.alternatives[0][0]
    assert mail.alternatives[0][1] == "text/html" and mail.body.startswith("Hello,\n")
    assert "https://sq.example.net/areas/" in mail.body and "https://sq.example.net/areas/" in html
    assert "example.com" not in mail.body + html and "evil.example/x" not in mail.body + html
    link = mail.extra_headers["List-Unsubscribe"].strip("<>")
    assert link.startswith("https://sq.example.net/notifications/unsubscribe/") and link in mail.body and link in html
    assert mail.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_unsubscribe_link_confirms_on_get_and_switches_off_on_post(client, send, mailoutbox):
    person = UserFactory()
    url = reverse("notifications:unsubscribe", args=[tokens.make(kind=NOW, user=person)])
    page = client.get(url)
    assert page.status_code == 200 and "Yes, stop these e-mails" in page.content.decode()
    assert not Preference.objects.exists()  # a GET (a mail scanner) changes nothing
    one_click = Client(enforce_csrf_checks=True)  # a mail program's one-click POST has no CSRF token
    assert one_click.post(url, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert Preference.objects.get(user=person, kind=NOW).delivery == Delivery.OFF
    send(kind=NOW, recipients=[person])
    assert mailoutbox == [] and Notification.objects.count() == 1


def test_unsubscribe_token_cannot_be_forged(client):
    person = UserFactory()
    token = tokens.make(kind=NOW, user=person)
    assert tokens.read(token).user_id == person.pk
    bad = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert tokens.read(bad) is None
    assert client.get(reverse("notifications:unsubscribe", args=[bad])).status_code == 400
    assert client.post(reverse("notifications:unsubscribe", args=[bad])).status_code == 400
    assert not Preference.objects.exists()
    with pytest.raises(ValidationError):
        services.unsubscribe(token="x" * 5000)


def test_addresses_without_account_can_stop_mails(client, mailoutbox, django_capture_on_commit_callbacks):
    def mail():
        with django_capture_on_commit_callbacks(execute=True):
            return send_email(to="Someone@Example.org", subject="Hi", template="notifications/email/notification",
                              context={"notification": Notification(title="Hi")}, unsubscribe=NOW)  # fmt: skip

    assert mail() and len(mailoutbox) == 1
    link = mailoutbox[0].extra_headers["List-Unsubscribe"].strip("<>")
    client.post(link.split("example.org", 1)[-1] if "://" in link else link)
    assert Suppression.objects.filter(email="someone@example.org", kind=NOW).exists()
    assert not mail() and len(mailoutbox) == 1


def test_choices_are_personal():
    person, other = UserFactory(), UserFactory()
    with pytest.raises(PermissionDenied):
        services.preference_set(user=person, by=other, kind=NOW, delivery="off")
    with pytest.raises(ValidationError):
        services.preference_set(user=person, by=person, kind=NOW, delivery="hourly")
    services.preference_set(user=person, by=person, kind=NOW, delivery="weekly")
    assert Preference.objects.get().delivery == "weekly"


def test_moderators_kinds_are_offered_to_moderators_only(client):
    member, moderator = UserFactory(), UserFactory(role=Role.MODERATOR)
    client.force_login(member)
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert "New on the map where you follow" in page and "waits for moderation" not in page
    client.force_login(moderator)
    assert "waits for moderation" in client.get(reverse("notifications:preferences")).content.decode()
