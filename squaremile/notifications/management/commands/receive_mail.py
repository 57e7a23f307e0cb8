"""Read one e-mail (RFC 5322) on standard input and post it if it is a genuine reply.

Postfix (master.cf / aliases) or Exim pipe each message for reply+*@INBOUND_MAIL_DOMAIN to
`manage.py receive_mail`. Exit codes are those of sysexits.h, as the mail system expects:
0 taken (posted, or an auto-reply/bounce ignored), 65 (EX_DATAERR) unreadable, 77 (EX_NOPERM)
refused (forged or expired address, unknown sender, not allowed: the mail system bounces it),
75 (EX_TEMPFAIL) the database is away: the mail system tries again later."""

import sys

from django.core.management.base import BaseCommand
from django.db import DatabaseError

from squaremile.notifications import inbound

EX_OK, EX_DATAERR, EX_TEMPFAIL, EX_NOPERM = 0, 65, 75, 77


class Command(BaseCommand):
    help = "Post one inbound e-mail read from standard input (for Postfix or Exim)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--quiet-refusals",
            action="store_true",
            help="Exit 0 on refusals too (no bounce to the sender; they are still logged).",
        )

    def handle(self, *args, **options):
        raw = sys.stdin.buffer.read(inbound.max_bytes() + 1)
        if not raw.strip():
            self.stderr.write("No message on standard input.")
            sys.exit(EX_DATAERR)
        try:
            outcome = inbound.receive(raw)
        except DatabaseError:
            self.stderr.write("The database did not answer: try again later.")
            sys.exit(EX_TEMPFAIL)
        self.stdout.write(f"{outcome.status}: {outcome.reason}")
        if outcome.status == inbound.REFUSED and not options["quiet_refusals"]:
            self.stderr.write(f"Refused: {outcome.reason}")
            sys.exit(EX_NOPERM)
        sys.exit(EX_OK)
