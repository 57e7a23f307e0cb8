"""People who can…: found by skill, resource, willingness and place, each part shown only to those
its owner chose (issue 13, point 6)."""

import pytest
from django.urls import reverse

from squaremile.accounts.models import Profile, Role
from squaremile.accounts.tests.factories import UserFactory
from squaremile.core.models import Visibility
from squaremile.directory import selectors
from squaremile.directory.models import ResourceKind, Skill, SkillFamily
from squaremile.places.models import Place, PlaceKind

pytestmark = pytest.mark.django_db

HOME = (53.742, -2.012)


@pytest.fixture
def first_aid():
    # the taxonomy's own "First aid" (the data migration loads it), else one made here
    family, _ = SkillFamily.objects.get_or_create(slug="care-test", defaults={"name": "Care (test)"})
    return Skill.objects.get_or_create(slug="first-aid", defaults={"family": family, "name": "First aid"})[0]


def person(name, *, skills=(), lat=None, lng=None, profile=Visibility.MEMBERS, place=Visibility.MEMBERS,
           skills_to=Visibility.MEMBERS, willing=Profile.Willingness.SOME):  # fmt: skip
    user = UserFactory(email=f"{name.lower()}@example.org")
    p = user.profile if hasattr(user, "profile") else Profile.objects.create(user=user)
    p.display_name, p.lat, p.lng, p.willingness = name, lat, lng, willing
    p.profile_visibility, p.place_visibility, p.skills_visibility = profile, place, skills_to
    p.save()
    p.skills.set(skills)
    return p


def names(found):
    return [p.display_name for p in found[0]]


def test_each_part_is_shown_only_to_those_its_owner_chose(first_aid):
    person("Ada", skills=[first_aid], lat=53.7425, lng=-2.0125)
    person("Bea", skills=[first_aid], lat=53.7430, lng=-2.0130, profile=Visibility.PUBLIC, place=Visibility.PUBLIC,
           skills_to=Visibility.PUBLIC)  # fmt: skip
    person("Cal", skills=[first_aid], lat=53.7420, lng=-2.0120, skills_to=Visibility.NOBODY)  # skills hidden
    person("Dee", skills=[first_aid], lat=53.7421, lng=-2.0121, place=Visibility.NOBODY)  # place hidden
    person("Eve", skills=[first_aid], lat=51.5, lng=-0.1)  # far away
    member, visitor = UserFactory(), None
    from django.contrib.auth.models import AnonymousUser

    visitor = AnonymousUser()
    assert names(selectors.people_who_can(member, skill=first_aid)) == ["Ada", "Bea", "Dee", "Eve"]
    assert names(selectors.people_who_can(visitor, skill=first_aid)) == ["Bea"]
    near = selectors.people_who_can(member, skill=first_aid, near=(*HOME, 1609))
    assert names(near) == ["Ada", "Bea"]  # Dee hides where she lives: never found "near"; Eve is far
    assert all(p.distance_m < 1609 for p in near[0])
    moderator = UserFactory(role=Role.MODERATOR)
    assert "Cal" in names(selectors.people_who_can(moderator, skill=first_aid))  # moderators see every part


def test_the_page_finds_people_by_a_place_name_and_keeps_what_was_typed(client, first_aid):
    Place.objects.create(name="HX7 8AD", kind=PlaceKind.POSTCODE, lat=HOME[0], lng=HOME[1], context="Hebden Bridge")
    person("Ada", skills=[first_aid], lat=53.7425, lng=-2.0125)
    client.force_login(UserFactory())
    page = client.get(reverse("directory:people"), {"skill": "first-aid", "place": "hx7 8ad", "radius": "1609"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "1 person within 1.0 miles" in html and "Ada" in html and "miles away" in html
    bad = client.get(reverse("directory:people"), {"skill": "first-aid", "place": "Nowhere at all"})
    assert bad.status_code == 400 and "We could not find that place" in bad.content.decode()
    assert 'value="Nowhere at all"' in bad.content.decode()
    unknown = client.get(reverse("directory:people"), {"skill": "<script>"})
    assert unknown.status_code == 400 and "<script>" not in unknown.content.decode()


def test_resource_and_willingness_narrow_the_list(first_aid):
    van = ResourceKind.objects.create(name="Van (test)", slug="van-test")
    keen = person("Keen", willing=Profile.Willingness.A_LOT)
    keen.resources.set([van])
    person("Shy", willing=Profile.Willingness.A_LITTLE).resources.set([van])
    viewer = UserFactory()
    assert names(selectors.people_who_can(viewer, resource=van)) == ["Keen", "Shy"]
    assert names(selectors.people_who_can(viewer, resource=van, willing_at_least=Profile.Willingness.SOME)) == ["Keen"]


def test_the_site_search_finds_people_only_for_those_they_show_their_name_to(client):
    person("Rosa Public", profile=Visibility.PUBLIC)
    person("Rosa Members")
    person("Rosa Hidden", profile=Visibility.NOBODY)
    html = client.get(reverse("pages:search"), {"q": "rosa"}).content.decode()
    assert "Rosa Public" in html and "Rosa Members" not in html and "Rosa Hidden" not in html
    client.force_login(UserFactory())
    html = client.get(reverse("pages:search"), {"q": "rosa"}).content.decode()
    assert "Rosa Public" in html and "Rosa Members" in html and "Rosa Hidden" not in html


def test_the_list_is_a_handful_of_queries_whatever_its_length(client, first_aid, django_assert_num_queries):
    client.force_login(UserFactory())
    counts = []
    for batch in range(2):
        for i in range(15):
            person(f"P{batch}{i:02}", skills=[first_aid], lat=53.742 + i * 1e-4, lng=-2.012)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("directory:people"), {"skill": "first-aid"})
        assert page.status_code == 200 and f"{15 * (batch + 1)} people" in page.content.decode()
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 12, counts
