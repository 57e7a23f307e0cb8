"""A survey's organisers: its owner and the co-organisers they add (roles in a space, core/spaces.py).

A co-organiser may do what the survey's organisers do (`survey.change`, `survey.view_responses`),
but not delete the survey or choose its organisers (`survey.delete`, `survey.roles`: the owner and
administrators)."""

from __future__ import annotations

from squaremile.audit import services as audit
from squaremile.core import space_people, spaces
from squaremile.core.models import SpaceRoleKind
from squaremile.network.models import Survey


def co_organisers(survey: Survey) -> list:
    """The people who co-organise the survey, in the order they were added."""
    return [held.user for held in spaces.holders(survey, SpaceRoleKind.ORGANISER).select_related("user__profile")]


def co_organiser_add(*, survey: Survey, email: str, by):
    """Make the person with this e-mail address a co-organiser; returns them (the shared "add by
    e-mail" of core/space_people.py, which checks `survey.roles`)."""
    return space_people.add_by_email(
        space=survey, email=email, role=SpaceRoleKind.ORGANISER, by=by,
        owner_note="This is the survey's owner: they already run it.", record=_recorder(survey),
    )  # fmt: skip


def co_organiser_remove(*, survey: Survey, user_id: int, by) -> bool:
    removed = space_people.remove(
        space=survey, user_id=user_id, role=SpaceRoleKind.ORGANISER, by=by, record=_recorder(survey)
    )
    return removed is not None


def _recorder(survey: Survey):
    return audit.people_recorder(survey, kind="survey")
