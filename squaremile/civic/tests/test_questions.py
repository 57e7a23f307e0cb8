"""Questions to representatives: moderated, sent with a signed link, answered without an account,
"me too", reminders, and the responsiveness figures kept in step."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from squaremile.accounts.tests.factories import UserFactory
from squaremile.civic import services
from squaremile.civic.models import QuestionRecipient, Representative
from squaremile.civic.notifications import answer_token
from squaremile.civic.tests.factories import RecipientFactory, RepresentativeFactory
from squaremile.moderation import services as moderation
from squaremile.moderation.models import ModerationState
from squaremile.notifications.models import Notification

pytestmark = pytest.mark.django_db


def _publish(q):
    moderator = UserFactory(role="moderator")
    moderation.take(kind="repquestion", action="publish", user=moderator, obj=q)
    q.refresh_from_db()
    return q


def _link_from(message) -> str:
    for line in message.body.splitlines():
        if "/civic/answer/" in line:
            return line.strip().split("testserver", 1)[-1] if "testserver" in line else line.strip()
    raise AssertionError("no answer link")


def test_ask_moderate_send_answer_and_the_figure_changes(client, django_capture_on_commit_callbacks):
    asker, neighbour = UserFactory(), UserFactory()
    rep = RepresentativeFactory(name="Cllr Ada Brook")
    q = services.question_create(
        by=asker, representatives=[rep], title="When is the lamp fixed?", text="Dark since May."
    )
    assert q.status == ModerationState.PENDING
    assert client.get(q.get_absolute_url()).status_code == 404  # not public before moderation
    with django_capture_on_commit_callbacks(execute=True):
        _publish(q)
    assert q.status == ModerationState.PUBLISHED
    sent = [m for m in mail.outbox if rep.email in m.to]
    assert len(sent) == 1
    link = _link_from(sent[0])
    rep.refresh_from_db()
    assert (rep.questions_sent, rep.questions_answered, rep.answered_share) == (1, 0, 0.0)
    services.question_me_too(question=q, by=neighbour)
    page = client.get(link)
    assert page.status_code == 200 and b"When is the lamp fixed?" in page.content
    answered = client.post(link, {"answer": "Next Tuesday."})
    assert answered.status_code == 302
    rep.refresh_from_db()
    assert (rep.questions_sent, rep.questions_answered) == (1, 1)
    assert rep.median_days is not None and rep.median_days < 1
    assert Notification.objects.filter(recipient=asker, kind="civic.question_answered").exists()
    assert Notification.objects.filter(recipient=neighbour, kind="civic.question_answered").exists()
    public = client.get(q.get_absolute_url())
    assert b"Next Tuesday." in public.content


def test_a_bad_or_forged_link_answers_nothing(client):
    recipient = RecipientFactory(question__status=ModerationState.PUBLISHED)
    assert client.get(reverse("civic:answer", args=["nonsense"])).status_code == 404
    forged = answer_token(recipient)[:-3] + "abc"
    assert client.post(reverse("civic:answer", args=[forged]), {"answer": "x"}).status_code == 404
    recipient.refresh_from_db()
    assert recipient.answered_at is None
    pending = RecipientFactory()
    assert client.get(reverse("civic:answer", args=[answer_token(pending)])).status_code == 404


def test_an_empty_answer_is_refused_and_keeps_the_form(client):
    recipient = RecipientFactory(question__status=ModerationState.PUBLISHED)
    page = client.post(reverse("civic:answer", args=[answer_token(recipient)]), {"answer": "  "})
    assert page.status_code == 400


def test_reminders_after_7_and_14_days_once_each(django_capture_on_commit_callbacks):
    recipient = RecipientFactory(question__status=ModerationState.PUBLISHED, sent_at=timezone.now() - timedelta(days=8))
    assert services.send_reminders() == 1
    assert services.send_reminders() == 0
    QuestionRecipient.objects.filter(pk=recipient.pk).update(sent_at=timezone.now() - timedelta(days=15))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_reminders() == 1
    assert services.send_reminders() == 0
    assert any("14 days" in m.body for m in mail.outbox)
    answered = RecipientFactory(question__status=ModerationState.PUBLISHED, sent_at=timezone.now() - timedelta(days=20),
                                answered_at=timezone.now())  # fmt: skip
    assert answered.reminded_7_at is None and services.send_reminders() == 0


def test_responsiveness_counts_only_the_last_12_months():
    rep = RepresentativeFactory()
    now = timezone.now()
    for days_ago, took in ((30, 2), (60, 6), (100, None), (400, 1)):
        sent = now - timedelta(days=days_ago)
        RecipientFactory(representative=rep, question__status=ModerationState.PUBLISHED, sent_at=sent,
                         answered_at=sent + timedelta(days=took) if took is not None else None)  # fmt: skip
    services.recompute_responsiveness(rep, now=now)
    rep = Representative.objects.get(pk=rep.pk)
    assert (rep.questions_sent, rep.questions_answered, rep.median_days) == (3, 2, 4.0)


def test_a_question_needs_a_representative():
    with pytest.raises(ValidationError):
        services.question_create(by=UserFactory(), representatives=[], title="x", text="y")


def test_the_question_pages(client):
    user = UserFactory()
    rep = RepresentativeFactory()
    client.force_login(user)
    page = client.get(reverse("civic:question_new"), {"rep": rep.pk})
    assert page.status_code == 200 and rep.name.encode() in page.content
    made = client.post(reverse("civic:question_new") + f"?rep={rep.pk}",
                       {"rep": rep.pk, "representatives": [rep.pk], "title": "Bins?", "text": "When?"})  # fmt: skip
    assert made.status_code == 302
    assert client.get(reverse("civic:questions")).status_code == 200
    assert client.get(reverse("civic:representative_detail", args=[rep.pk])).status_code == 200
    assert client.get(reverse("civic:representatives")).status_code == 200
