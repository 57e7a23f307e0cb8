"""Reads of the import pipeline."""

from squaremile.core.models import Job


def recent_imports(user, importer, limit: int = 10):
    """The person's latest jobs of this importer, newest first."""
    return Job.objects.filter(owner=user, kind=importer.key).only(
        "pk", "status", "message", "input_filename", "created_at", "params"
    )[:limit]
