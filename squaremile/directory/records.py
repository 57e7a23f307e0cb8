"""Organisations and projects as records others can link to and show as cards (core/records.py)."""

from squaremile.core.records import RecordKind, register_kind
from squaremile.core.text import plain_text
from squaremile.directory.models import Organisation, Project


def register() -> None:
    register_kind(
        RecordKind(
            model=Organisation,
            label="Organisation",
            visible=lambda user, org: True,
            title=lambda org: org.name,
            summary=lambda org: plain_text(org.description or "", 160),
            url_names={"directory:organisation_detail": "slug"},
            url_field="slug",
        )
    )
    register_kind(
        RecordKind(
            model=Project,
            label="Project",
            visible=lambda user, project: True,
            title=lambda project: project.name,
            summary=lambda project: plain_text(project.description or "", 160),
            meta=lambda project: project.get_status_display(),
            url_names={"directory:project_detail": "slug"},
            url_field="slug",
        )
    )
