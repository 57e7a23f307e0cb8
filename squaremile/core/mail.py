"""What every e-mail the platform sends shares, and the development e-mail backend.

Rules for every mail (issue 14): the subject is the site's name and fixed words (``subject()``),
never anything a visitor typed; the greeting is "Hello,"; text a person typed is quoted only where
the mail needs it, marked as what they typed, through ``typed()`` (template filter ``|typed``), which
keeps it to one short line and breaks its links so that no mail client makes them clickable.

Development e-mail: printed on the console and kept as files under var/mail, which the development
mailbox page (/dev/mail/) lists to local visitors and staff. Never used when EMAIL_URL is set."""

import re
import sys
import unicodedata
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.filebased import EmailBackend as FileBackend

TYPED_MAX = 120
_SCHEME = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*):/+")
_DOMAIN_DOT = re.compile(r"(?i)(?<=[a-z0-9-])\.(?=[a-z0-9-]*[a-z][a-z0-9-]*\b)")


def subject(words: str) -> str:
    """A mail's subject: "[Site name] fixed words"."""
    return f"[{settings.SITE_NAME}] {words}"


def typed(value, limit: int = TYPED_MAX) -> str:
    """Text a person typed, made safe to quote in a mail: control and format characters (bidi
    overrides among them) dropped, all white space one space, at most ``limit`` characters, and
    every link or domain broken ("https[:]//evil[.]example") so that no mail client links it."""
    text = "".join(
        " " if ch.isspace() else ch
        for ch in str(value or "")
        if unicodedata.category(ch) not in ("Cc", "Cf") or ch.isspace()
    )
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    text = _SCHEME.sub(lambda m: f"{m[1]}[:]//", text)
    return _DOMAIN_DOT.sub("[.]", text)


class DevelopmentEmailBackend(FileBackend):
    def __init__(self, *args, **kwargs):
        Path(settings.MAIL_DIR).mkdir(parents=True, exist_ok=True)
        kwargs["file_path"] = str(settings.MAIL_DIR)
        super().__init__(*args, **kwargs)

    def write_message(self, message):
        super().write_message(message)
        sys.stdout.write(message.message().as_string() + "\n" + "-" * 79 + "\n")
        sys.stdout.flush()
