"""Files that go with mails are stored once, however many mails carry them; the mails' tasks only
name them; a file purged before its mail left does not stop the mail; the purge keeps recent ones."""

import datetime
import json
import os

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command

from squaremile.notifications.email import MAIL_FILES, attachment, render_message, send_email

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4 the proceedings " + bytes(range(256)) * 40


def _files() -> list[str]:
    try:
        return default_storage.listdir(MAIL_FILES)[1]
    except FileNotFoundError:
        return []


def test_one_stored_file_for_many_mails_and_each_mail_carries_it(mailoutbox, django_capture_on_commit_callbacks):
    first = attachment(filename="proceedings.pdf", content=PDF, mimetype="application/pdf")
    again = attachment(filename="proceedings.pdf", content=PDF, mimetype="application/pdf")
    assert first == again and "content" not in first and first["size"] == len(PDF)
    assert len(json.dumps(first)) < 200  # what each mail's task row holds: a name, not the bytes
    assert len(_files()) == 1
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            send_email(to=f"p{n}@example.org", subject="Proceedings", template="notifications/email/notification",
                       context={}, attachments=[first])  # fmt: skip
    assert len(mailoutbox) == 3
    assert all(m.attachments == [("proceedings.pdf", PDF, "application/pdf")] for m in mailoutbox)


def test_a_mail_queued_before_files_were_stored_still_carries_its_inline_file(mailoutbox):
    import base64

    from squaremile.notifications.email import deliver

    message = render_message(to_address="a@example.org", subject="Old", template="notifications/email/notification",
                             context={})  # fmt: skip
    message["attachments"] = [{"filename": "a.pdf", "mimetype": "application/pdf",
                               "content": base64.b64encode(b"%PDF old").decode()}]  # fmt: skip
    deliver(message)
    assert mailoutbox[0].attachments == [("a.pdf", b"%PDF old", "application/pdf")]


def test_a_file_gone_before_the_mail_left_does_not_stop_the_mail(mailoutbox, caplog):
    from squaremile.notifications.email import deliver

    item = attachment(filename="p.pdf", content=b"%PDF gone", mimetype="application/pdf")
    default_storage.delete(item["stored"])
    message = render_message(to_address="a@example.org", subject="S", template="notifications/email/notification",
                             context={})  # fmt: skip
    message["attachments"] = [item]
    deliver(message)
    assert len(mailoutbox) == 1 and mailoutbox[0].attachments == []
    assert "is gone" in caplog.text


def test_the_purge_removes_old_files_only(settings):
    old = attachment(filename="old.pdf", content=b"%PDF old one")
    new = attachment(filename="new.pdf", content=b"%PDF new one")
    ten_days_ago = (datetime.datetime.now() - datetime.timedelta(days=10)).timestamp()
    os.utime(default_storage.path(old["stored"]), (ten_days_ago, ten_days_ago))
    call_command("purge_mail_files", verbosity=0)
    assert not default_storage.exists(old["stored"]) and default_storage.exists(new["stored"])
    call_command("purge_mail_files", "--days", "1", verbosity=0)
    assert default_storage.exists(new["stored"])
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("purge_mail_files", "--days", "0")
