"""Development email: printed on the console and kept as files under var/mail, which the
development mailbox page (/dev/mail/) lists. Never used when EMAIL_URL is set."""

import sys
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.filebased import EmailBackend as FileBackend


class DevelopmentEmailBackend(FileBackend):
    def __init__(self, *args, **kwargs):
        Path(settings.MAIL_DIR).mkdir(parents=True, exist_ok=True)
        kwargs["file_path"] = str(settings.MAIL_DIR)
        super().__init__(*args, **kwargs)

    def write_message(self, message):
        super().write_message(message)
        sys.stdout.write(message.message().as_string() + "\n" + "-" * 79 + "\n")
        sys.stdout.flush()
