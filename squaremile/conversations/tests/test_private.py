import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from squaremile.conversations import selectors, services
from squaremile.conversations.models import Conversation, Message
from squaremile.conversations.tests.factories import PersonFactory, group

pytestmark = pytest.mark.django_db


def test_start_reuses_the_conversation_between_the_same_people_about_the_same_record():
    asker, offerer = PersonFactory(), PersonFactory()
    about = group(owner=asker)
    first = services.private_conversation_start(by=asker, with_users=[offerer], about=about, first_message="Hello")
    again = services.private_conversation_start(by=offerer, with_users=[asker], about=about, first_message="Hi!")
    assert first.pk == again.pk
    assert first.about == f"conversations.group:{about.pk}"
    other = services.private_conversation_start(by=asker, with_users=[offerer])
    assert other.pk != first.pk
    assert Message.objects.filter(conversation=first).count() == 2


def test_block_stops_both_ways():
    a, b = PersonFactory(), PersonFactory()
    conversation = services.private_conversation_start(by=a, with_users=[b], first_message="Hello")
    services.block(by=b, person=a)
    assert selectors.is_blocked(a, b) and selectors.is_blocked(b, a)
    with pytest.raises(PermissionDenied):
        services.message_send(conversation=conversation, by=a, body="Again")
    with pytest.raises(PermissionDenied):
        services.private_conversation_start(by=b, with_users=[a], about=conversation, first_message="x")
    services.unblock(by=b, person=a)
    assert not selectors.is_blocked(a, b)


def test_pages_start_and_show_only_to_participants(client):
    a, b, c = PersonFactory(), PersonFactory(), PersonFactory()
    client.force_login(a)
    url = reverse("conversations:private_start") + f"?with={b.pk}"
    assert client.get(url).status_code == 200
    response = client.post(url, {"subject": "Ladder", "body": "Can I borrow your ladder?"})
    conversation = Conversation.objects.get()
    assert response.status_code == 302 and response["Location"] == conversation.get_absolute_url()
    page = client.get(conversation.get_absolute_url())
    assert b"Can I borrow your ladder?" in page.content
    client.force_login(c)
    assert client.get(conversation.get_absolute_url()).status_code == 404
    assert client.get(reverse("conversations:private_list")).content.count(b"Ladder") == 0


def test_report_a_message_goes_to_the_moderation_queue():
    from squaremile.moderation import services as moderation
    from squaremile.moderation.models import Report

    a, b = PersonFactory(), PersonFactory()
    conversation = services.private_conversation_start(by=a, with_users=[b], first_message="Rude words")
    message = conversation.messages.get()
    moderation.report(user=b, target=message, reason="abuse" if "abuse" in _reasons() else _reasons()[0])
    assert Report.objects.filter(object_id=message.pk).exists()


def _reasons():
    from squaremile.moderation.models import ReportReason

    return list(ReportReason.values)
