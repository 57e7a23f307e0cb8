"""Network surveys as records others can link to and show as cards (core/records.py): a published
network map is public; an unpublished survey is seen by its organisers only."""

from squaremile.core.records import RecordKind, register_kind
from squaremile.network.access import is_organiser
from squaremile.network.models import Survey


def _visible(user, survey: Survey) -> bool:
    return survey.is_published or is_organiser(user, survey)


def _url(survey: Survey) -> str:
    from django.urls import reverse

    return reverse("network:published", args=[survey.slug]) if survey.is_published else survey.get_absolute_url()


def register() -> None:
    register_kind(
        RecordKind(
            model=Survey,
            label="Network map",
            visible=_visible,
            title=lambda survey: survey.title,
            url=_url,
            url_names={"network:published": "slug", "network:survey_detail": "slug"},
            url_field="slug",
        )
    )
