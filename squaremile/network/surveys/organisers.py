"""A survey's organisers: its owner and the co-organisers they add (roles in a space, core/spaces.py).

A co-organiser may do what the survey's organisers do (`survey.change`, `survey.view_responses`),
but not delete the survey or choose its organisers (`survey.delete`, `survey.roles`: the owner and
administrators)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from squaremile.core import spaces
from squaremile.core.models import SpaceRoleKind
from squaremile.core.permissions import require
from squaremile.network.models import Survey


def co_organisers(survey: Survey) -> list:
    """The people who co-organise the survey, in the order they were added."""
    return [held.user for held in spaces.holders(survey, SpaceRoleKind.ORGANISER).select_related("user__profile")]


@transaction.atomic
def co_organiser_add(*, survey: Survey, email: str, by):
    """Make the person with this e-mail address a co-organiser; returns them."""
    require(by, "survey.roles", survey)
    person = get_user_model().objects.filter(email__iexact=email.strip(), is_active=True).first()
    if person is None:
        raise ValidationError(
            {"email": ["Nobody has an account with this address yet. Ask them to sign up, then add them here."]}
        )
    if person.pk == survey.owner_id:
        raise ValidationError({"email": ["This is the survey's owner: they already run it."]})
    spaces.grant(space=survey, user=person, role=SpaceRoleKind.ORGANISER, by=by)
    return person


@transaction.atomic
def co_organiser_remove(*, survey: Survey, user_id: int, by) -> bool:
    require(by, "survey.roles", survey)
    person = get_user_model().objects.filter(pk=user_id).first()
    if person is None:
        return False
    return spaces.revoke(space=survey, user=person, role=SpaceRoleKind.ORGANISER, by=by)
