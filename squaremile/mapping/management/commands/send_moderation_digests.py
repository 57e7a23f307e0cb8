"""Send the daily digest of map entries waiting for moderation. Meant for cron, for example

    15 7 * * *  cd /srv/squaremile && .venv/bin/python manage.py send_moderation_digests

Each moderator who chose the digest gets at most one email per 20 hours, and only when something waits."""

from django.core.management.base import BaseCommand

from squaremile.mapping.notifications import send_digests


class Command(BaseCommand):
    help = "Email the daily digest of map entries waiting for moderation to moderators who chose it."

    def handle(self, *args, **options):
        sent = send_digests()
        self.stdout.write(f"Sent {sent} digest{'' if sent == 1 else 's'}.")
