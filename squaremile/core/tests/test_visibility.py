"""One rule per visibility level (core/visibility.py), the same for one record and for a queryset.

Levels: public (everyone), members (signed in), organisers (of the record's space), nobody (private:
the owner and those the record's "see everything" action admits, e.g. moderators)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import Case, CharField, Value, When

from squaremile.accounts import selectors as account_selectors
from squaremile.accounts.models import Profile, Role
from squaremile.accounts.tests.factories import UserFactory
from squaremile.core import spaces
from squaremile.core.models import SpaceVisibility, Visibility
from squaremile.core.visibility import MEMBERS, NOBODY, ORGANISERS, PUBLIC, may_see, visible_q
from squaremile.directory import selectors as directory_selectors
from squaremile.directory.tests.factories import OrganisationFactory
from squaremile.network.models import Survey
from squaremile.network.tests.factories import SurveyFactory

pytestmark = pytest.mark.django_db

VIEWERS = ["anonymous", "member", "owner", "moderator", "admin", "inactive"]

# fmt: off
# who sees a profile part (action "profile.see_hidden": the person themself and moderators)
PROFILE_EXPECTED = {
    #           anonymous member owner moderator admin inactive
    PUBLIC:    ("Y",      "Y",   "Y",  "Y",      "Y",  "Y"),
    MEMBERS:   ("-",      "Y",   "Y",  "Y",      "Y",  "-"),
    NOBODY:    ("-",      "-",   "Y",  "Y",      "Y",  "-"),
}
# fmt: on


def test_the_levels_are_the_visibility_choices():
    assert {PUBLIC, MEMBERS, NOBODY} == set(Visibility.values)
    assert {PUBLIC, MEMBERS, ORGANISERS, NOBODY} == set(SpaceVisibility.values)


def _viewer(kind: str, owner):
    if kind == "anonymous":
        return AnonymousUser()
    if kind == "owner":
        return owner
    if kind == "inactive":
        return UserFactory(role=Role.ADMIN, is_active=False)
    return UserFactory(role={"member": Role.MEMBER, "moderator": Role.MODERATOR, "admin": Role.ADMIN}[kind])


@pytest.mark.parametrize("kind", VIEWERS)
def test_who_sees_a_profile_and_an_organisations_contact(kind):
    owner = UserFactory()
    viewer = _viewer(kind, owner)
    profile = Profile.objects.get_or_create(user=owner)[0]
    org = OrganisationFactory(owner=owner)
    for level, row in PROFILE_EXPECTED.items():
        want = row[VIEWERS.index(kind)] == "Y"
        assert may_see(viewer, level, obj=profile, action="profile.see_hidden") is want, (level, kind)
        assert account_selectors.visible(viewer, profile, level) is want, (level, kind)
        org.contact_visibility = level
        assert directory_selectors.can_see_contact(viewer, org) is want, (level, kind)


def test_the_person_page_follows_the_rule(client):
    owner = UserFactory()
    profile = Profile.objects.get_or_create(user=owner)[0]
    profile.display_name = "Private Pat"
    profile.profile_visibility = Visibility.NOBODY
    profile.save()
    assert account_selectors.person_view(UserFactory(), owner.pk) is None
    assert account_selectors.person_view(UserFactory(role=Role.MODERATOR), owner.pk) is not None
    assert account_selectors.person_view(owner, owner.pk)["is_self"] is True


@pytest.mark.parametrize("kind", VIEWERS)
def test_the_queryset_form_agrees_with_the_one_record_form(kind):
    """visible_q (SQL) and may_see (Python) give the same answer for every profile and level."""
    owners = [UserFactory() for _ in range(3)]
    viewer = _viewer(kind, owners[0])
    levels = [PUBLIC, MEMBERS, NOBODY]
    for i, owner in enumerate(owners):
        profile = Profile.objects.get_or_create(user=owner)[0]
        profile.profile_visibility = levels[i % 3]
        profile.save()
    extra = Profile.objects.get_or_create(user=UserFactory())[0]
    extra.profile_visibility = NOBODY
    extra.save()
    profiles = Profile.objects.all()
    in_sql = set(
        profiles.filter(
            visible_q(viewer, action="profile.see_hidden", visibility_field="profile_visibility", owner_field="user")
        ).values_list("pk", flat=True)
    )
    in_python = {p.pk for p in profiles if may_see(viewer, p.profile_visibility, obj=p, action="profile.see_hidden")}
    assert in_sql == in_python


# ---- the organisers of a space ----------------------------------------------------------------------
SPACE_VIEWERS = ["anonymous", "member", "owner", "co-organiser", "facilitator", "moderator", "admin"]

# fmt: off
# records whose space is a survey, seen with the survey's "view_responses" rule
SPACE_EXPECTED = {
    #            anonymous member owner co-organiser facilitator moderator admin
    PUBLIC:     ("Y",      "Y",   "Y",  "Y",         "Y",        "Y",      "Y"),
    MEMBERS:    ("-",      "Y",   "Y",  "Y",         "Y",        "Y",      "Y"),
    ORGANISERS: ("-",      "-",   "Y",  "Y",         "Y",        "-",      "Y"),
    NOBODY:     ("-",      "-",   "Y",  "Y",         "-",        "-",      "Y"),
}
# fmt: on


def _space_viewer(kind: str, survey):
    if kind in ("co-organiser", "facilitator"):
        person = UserFactory()
        role = "organiser" if kind == "co-organiser" else "facilitator"
        spaces.grant(space=survey, user=person, role=role, by=survey.owner)
        return person
    if kind == "owner":
        return survey.owner
    return _viewer(kind, survey.owner)


@pytest.mark.parametrize("kind", SPACE_VIEWERS)
def test_the_organisers_level_of_a_space(kind):
    surveys = [SurveyFactory() for _ in range(4)]
    levels = [PUBLIC, MEMBERS, ORGANISERS, NOBODY]
    survey = surveys[0]
    viewer = _space_viewer(kind, survey)
    for level, row in SPACE_EXPECTED.items():
        want = row[SPACE_VIEWERS.index(kind)] == "Y"
        assert may_see(viewer, level, obj=survey, action="survey.view_responses") is want, (level, kind)
    # the queryset form agrees, with each survey standing for a record at one level (annotated)
    for first in range(4):
        annotated = Survey.objects.annotate(
            level=Case(
                *[When(pk=s.pk, then=Value(levels[(first + i) % 4])) for i, s in enumerate(surveys)],
                output_field=CharField(),
            )
        )
        q = visible_q(
            viewer, action="survey.view_responses", visibility_field="level", space_field="pk", space_model=Survey
        )
        in_sql = set(annotated.filter(q).values_list("pk", flat=True))
        in_python = {s.pk for s in annotated if may_see(viewer, s.level, obj=s, action="survey.view_responses")}
        assert in_sql == in_python, (kind, first)


def test_a_model_gets_visible_to_from_the_queryset_mixin(monkeypatch):
    """`objects = VisibleQuerySet.as_manager()` plus a few class attributes give `visible_to(user)`."""
    from squaremile.core.visibility import VisibleQuerySet

    monkeypatch.setattr(Profile, "visibility_action", "profile.see_hidden", raising=False)
    monkeypatch.setattr(Profile, "visibility_field", "profile_visibility", raising=False)
    monkeypatch.setattr(Profile, "visibility_owner_field", "user", raising=False)
    owner, other = UserFactory(), UserFactory()
    for person, level in ((owner, NOBODY), (other, MEMBERS)):
        profile = Profile.objects.get_or_create(user=person)[0]
        profile.profile_visibility = level
        profile.save()
    qs = VisibleQuerySet(model=Profile)
    qs = qs.filter(user__in=[owner, other])
    assert set(qs.visible_to(AnonymousUser()).values_list("user_id", flat=True)) == set()
    assert set(qs.visible_to(owner).values_list("user_id", flat=True)) == {owner.pk, other.pk}
    assert set(qs.visible_to(UserFactory()).values_list("user_id", flat=True)) == {other.pk}
    assert set(qs.visible_to(UserFactory(role=Role.MODERATOR)).values_list("user_id", flat=True)) == {
        owner.pk,
        other.pk,
    }
