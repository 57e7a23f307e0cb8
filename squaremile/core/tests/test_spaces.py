"""Roles in a space (core.SpaceRole, core/spaces.py): a survey's co-organiser runs it with its owner.

Also the other helpers of core/permissions.py: holders_of(), staff_flag_for(), refusal() for space
rules, and the one template tag `{% can %}`."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from squaremile.accounts import services as account_services
from squaremile.accounts.models import Role
from squaremile.accounts.tests.factories import UserFactory
from squaremile.core import spaces
from squaremile.core.models import SpaceRole
from squaremile.core.permissions import can, holders_of, refusal, staff_flag_for
from squaremile.network.surveys import selectors as network_selectors
from squaremile.network.surveys import services as network_services
from squaremile.network.tests.factories import SurveyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey():
    return SurveyFactory()


def test_a_co_organiser_runs_the_survey_with_its_owner(survey):
    helper = UserFactory(role=Role.MEMBER)
    assert not can(helper, "survey.change", survey)
    spaces.grant(space=survey, user=helper, by=survey.owner)
    assert can(helper, "survey.change", survey)
    assert can(helper, "survey.view_responses", survey)
    # deleting the survey and choosing its organisers stay with its owner and administrators
    assert not can(helper, "survey.delete", survey)
    assert not can(helper, "survey.roles", survey)
    # the services agree: a co-organiser changes the survey
    network_services.survey_update(survey=survey, by=helper, data={"title": "Renamed by a co-organiser"})
    survey.refresh_from_db()
    assert survey.title == "Renamed by a co-organiser"
    # ...and a role in one survey is no role in another
    assert not can(helper, "survey.change", SurveyFactory())


def test_the_co_organiser_opens_the_organiser_pages_and_sees_the_survey_listed(client, survey):
    helper = UserFactory(role=Role.MEMBER)
    client.force_login(helper)
    edit = reverse("network:survey_edit", args=[survey.slug])
    assert client.get(edit).status_code == 403
    spaces.grant(space=survey, user=helper, by=survey.owner)
    response = client.get(edit)
    assert response.status_code == 200
    assert survey.title in response.content.decode()
    responses = client.get(reverse("network:response_list", args=[survey.slug]))
    assert responses.status_code == 200
    assert list(network_selectors.survey_list_for(helper)) == [survey]
    assert list(network_selectors.surveys_run_by(helper)) == [survey]
    assert list(network_selectors.surveys_run_by(UserFactory(role=Role.ORGANISER))) == []


def test_only_the_owner_or_an_administrator_chooses_the_organisers(survey):
    helper, stranger = UserFactory(), UserFactory(role=Role.MODERATOR)
    with pytest.raises(PermissionDenied):
        spaces.grant(space=survey, user=helper, by=stranger)
    with pytest.raises(PermissionDenied):
        spaces.grant(space=survey, user=helper, by=AnonymousUser())
    assert not SpaceRole.objects.exists()
    spaces.grant(space=survey, user=helper, by=UserFactory(role=Role.ADMIN))
    spaces.grant(space=survey, user=helper, by=survey.owner)  # twice: still one role
    assert list(spaces.holders(survey).values_list("user_id", "role")) == [(helper.pk, "organiser")]
    # a co-organiser cannot make more co-organisers
    with pytest.raises(PermissionDenied):
        spaces.grant(space=survey, user=stranger, by=helper)


def test_revoking_takes_the_rights_away_at_once(survey):
    helper = UserFactory()
    spaces.grant(space=survey, user=helper, by=survey.owner)
    assert can(helper, "survey.change", survey)
    assert spaces.revoke(space=survey, user=helper, by=survey.owner) is True
    assert not can(helper, "survey.change", survey)  # the same person object: its remembered roles are dropped
    assert spaces.revoke(space=survey, user=helper, by=survey.owner) is False


def test_roles_go_with_their_space(survey):
    helper = UserFactory()
    spaces.grant(space=survey, user=helper, by=survey.owner)
    network_services.survey_delete(survey=survey, by=survey.owner)
    assert not SpaceRole.objects.exists()


def test_a_closed_account_cannot_be_given_a_role(survey):
    with pytest.raises(ValueError):
        spaces.grant(space=survey, user=UserFactory(is_active=False), by=survey.owner)


def test_spaces_of_lists_what_a_person_runs(survey):
    from squaremile.network.models import Survey

    helper = UserFactory()
    spaces.grant(space=survey, user=helper, by=survey.owner)
    assert list(spaces.spaces_of(helper, Survey)) == [survey]
    assert list(spaces.spaces_of(helper, Survey, role="facilitator")) == []


def test_asking_about_many_surveys_costs_one_query(django_assert_max_num_queries):
    surveys = [SurveyFactory() for _ in range(15)]
    helper = UserFactory()
    spaces.grant(space=surveys[3], user=helper, by=surveys[3].owner)
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.get_for_model(surveys[0])  # the content type is cached for the process
    with django_assert_max_num_queries(1):
        answers = [can(helper, "survey.view_responses", s) for s in surveys]
    assert answers == [s.pk == surveys[3].pk for s in surveys]


def test_holders_of_an_action():
    member, organiser = UserFactory(role=Role.MEMBER), UserFactory(role=Role.ORGANISER)
    moderator, admin = UserFactory(role=Role.MODERATOR), UserFactory(role=Role.ADMIN)
    superuser = UserFactory(role=Role.MEMBER, is_superuser=True)
    UserFactory(role=Role.MODERATOR, is_active=False)
    assert set(holders_of("entry.moderate")) == {moderator, admin, superuser}
    survey = SurveyFactory(owner=organiser)
    helper = UserFactory()
    spaces.grant(space=survey, user=helper, by=organiser)
    assert set(holders_of("survey.change", survey)) == {organiser, helper, admin, superuser}
    assert set(holders_of("survey.delete", survey)) == {organiser, admin, superuser}
    assert member not in holders_of("survey.change", survey)


def test_the_staff_flag_follows_the_role():
    assert staff_flag_for(Role.ADMIN, False) is True
    assert staff_flag_for(Role.MODERATOR, True) is True
    assert staff_flag_for(Role.MODERATOR, False) is False
    person = UserFactory(role=Role.MEMBER)
    account_services.role_set(user=person, role=Role.ADMIN, by=UserFactory(role=Role.ADMIN))
    assert person.is_staff
    account_services.role_set(user=person, role=Role.MODERATOR, by=UserFactory(role=Role.ADMIN))
    assert not person.is_staff


def test_a_refusal_names_the_organisers():
    member = UserFactory.build(role=Role.MEMBER)
    assert refusal(member, "survey.change") == (
        "Only the person who added this, its organisers, or administrators, can do this."
    )


# ---- the one template tag ------------------------------------------------------------------------
def _render(source: str, user) -> str:
    request = RequestFactory().get("/")
    request.user = user
    return Template("{% load squaremile %}" + source).render(Context({"request": request}))


def test_the_can_tag_asks_the_table(survey):
    tag = '{% can "entry.moderate" as may %}{% if may %}yes{% else %}no{% endif %}'
    assert _render(tag, UserFactory(role=Role.MODERATOR)) == "yes"
    assert _render(tag, UserFactory(role=Role.ORGANISER)) == "no"
    assert _render(tag, AnonymousUser()) == "no"
    with_record = '{% can "survey.change" survey as may %}{{ may|yesno:"yes,no" }}'
    request_user = UserFactory()
    request = RequestFactory().get("/")
    request.user = request_user
    template = Template("{% load squaremile %}" + with_record)
    assert template.render(Context({"request": request, "survey": survey})) == "no"
    spaces.grant(space=survey, user=request_user, by=survey.owner)
    assert template.render(Context({"request": request, "survey": survey})) == "yes"


@pytest.mark.parametrize(
    ("role", "superuser", "shown"),
    [
        (Role.MEMBER, False, False),
        (Role.ORGANISER, False, False),
        (Role.MODERATOR, False, True),
        (Role.ADMIN, False, True),
        (Role.MEMBER, True, True),
    ],
)
def test_the_header_shows_moderation_to_those_who_may(client, role, superuser, shown):
    client.force_login(UserFactory(role=role, is_superuser=superuser))
    response = client.get(reverse("accounts:profile_edit"))
    assert response.status_code == 200
    assert (f'href="{reverse("moderation:queue")}"' in response.content.decode()) is shown


def test_administrators_look_roles_up_in_the_admin(client, survey):
    helper = UserFactory(email="helper@example.org")
    spaces.grant(space=survey, user=helper, by=survey.owner)
    client.force_login(UserFactory(role=Role.MODERATOR))
    assert client.get("/admin/core/spacerole/").status_code == 302  # not for moderators: to the admin's login
    client.force_login(UserFactory(role=Role.ADMIN, is_staff=True))
    response = client.get("/admin/core/spacerole/")
    assert response.status_code == 200
    assert "helper@example.org" in response.content.decode() or str(helper) in response.content.decode()
    held = SpaceRole.objects.get()
    assert client.get(f"/admin/core/spacerole/{held.pk}/change/").status_code == 200


def test_a_record_inside_a_space_answers_for_its_space(survey):
    """A record that lives in a space names it with `permission_space()` (a round -> its survey)."""

    class NoteInSurvey:
        owner_id = None

        def permission_space(self):
            return survey

    helper = UserFactory()
    assert not can(helper, "survey.change", NoteInSurvey())
    spaces.grant(space=survey, user=helper, by=survey.owner)
    assert can(helper, "survey.change", NoteInSurvey())
