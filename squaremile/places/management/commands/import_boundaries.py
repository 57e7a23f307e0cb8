import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from squaremile.places.models import Area, AreaKind
from squaremile.places.services import import_boundaries


class SystemUser:
    """The operator running a management command acts with an administrator's rights (a superuser is
    an administrator in `core.permissions`, whatever their role)."""

    is_authenticated = True
    is_active = True
    is_superuser = True
    pk = None


class Command(BaseCommand):
    help = (
        "Create or update areas from a GeoJSON FeatureCollection of Polygon/MultiPolygon boundaries. "
        "All or nothing: every bad feature is reported and nothing is applied."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="GeoJSON file")
        parser.add_argument("--kind", default=AreaKind.NEIGHBOURHOOD, choices=AreaKind.values)
        parser.add_argument("--name-property", default="name", help="feature property holding the area's name")
        parser.add_argument("--parent", help="slug of the area these sit inside")
        parser.add_argument("--dry-run", action="store_true", help="check and report, change nothing")

    def handle(self, *args, path, kind, name_property, parent, dry_run, **options):
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise CommandError(f"No such file: {path}") from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise CommandError(f"{path} is not valid GeoJSON: {exc}") from None
        parent_area = None
        if parent:
            parent_area = Area.objects.filter(slug=parent).first()
            if parent_area is None:
                raise CommandError(f"No area with slug '{parent}'.")
        by = get_user_model().objects.filter(is_superuser=True, is_active=True).first() or SystemUser()
        try:
            result = import_boundaries(
                data=data, by=by, kind=kind, name_property=name_property, parent=parent_area, dry_run=dry_run
            )
        except ValidationError as exc:
            raise CommandError("Nothing was imported:\n  " + "\n  ".join(exc.messages)) from None
        verb = "Would create" if dry_run else "Created"
        self.stdout.write(self.style.SUCCESS(f"{verb} {result['created']} and updated {result['updated']} areas."))
