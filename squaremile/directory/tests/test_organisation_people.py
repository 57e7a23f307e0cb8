"""An organisation's people: organisers (edit it, choose its people) and members (speak for it), on
its People page (the shared core/space_people.py), and the organisations a person may speak for in
stories and the exchange."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from squaremile.accounts.models import Role
from squaremile.accounts.tests.factories import UserFactory
from squaremile.audit.models import AuditEvent
from squaremile.core import spaces
from squaremile.core.permissions import can
from squaremile.directory import selectors, services
from squaremile.directory.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def _people_url(org):
    return reverse("directory:organisation_people", args=[org.slug])


def _member_of(org, role="member"):
    person = UserFactory()
    spaces.grant(space=org, user=person, role=role, by=org.owner)
    return person


# ---- the selector -------------------------------------------------------------------------------
def test_organisations_spoken_for_are_the_owned_and_those_one_belongs_to_by_name():
    person, other = UserFactory(), UserFactory()
    owned = OrganisationFactory(owner=person, name="Canal Friends")
    as_member = OrganisationFactory(owner=other, name="Allotment Society")
    as_organiser = OrganisationFactory(owner=other, name="Bee Keepers")
    others = OrganisationFactory(owner=other, name="Someone Else's Club")
    spaces.grant(space=as_member, user=person, role="member", by=other)
    spaces.grant(space=as_organiser, user=person, role="organiser", by=other)
    spaces.grant(space=as_organiser, user=person, role="member", by=other)  # both roles: listed once

    assert list(selectors.organisations_spoken_for(person)) == [as_member, as_organiser, owned]
    assert list(selectors.organisations_spoken_for(other)) == [as_member, as_organiser, others]
    assert not selectors.organisations_spoken_for(AnonymousUser()).exists()


def test_a_facilitator_role_does_not_make_one_speak_for_it():
    org = OrganisationFactory(owner=UserFactory())
    person = UserFactory()
    spaces.grant(space=org, user=person, role="facilitator", by=org.owner)
    assert not selectors.organisations_spoken_for(person).exists()


# ---- what each role may do --------------------------------------------------------------------------
def test_members_speak_for_it_organisers_also_edit_it_and_choose_its_people():
    org = OrganisationFactory(owner=UserFactory())
    member, organiser, outsider = _member_of(org), _member_of(org, "organiser"), UserFactory()
    actions = ("organisation.speak_for", "organisation.change", "organisation.roles")
    assert [can(member, a, org) for a in actions] == [True, False, False]
    assert [can(organiser, a, org) for a in actions] == [True, True, True]
    assert not can(organiser, "organisation.delete", org)
    assert not any(
        can(outsider, a, org) for a in ("organisation.speak_for", "organisation.change", "organisation.roles")
    )
    with pytest.raises(PermissionDenied):
        spaces.grant(space=org, user=outsider, role="member", by=member)


def test_a_member_and_an_outsider_are_refused_the_people_page(client):
    org = OrganisationFactory(owner=UserFactory())
    member = _member_of(org)
    for person in (member, UserFactory()):
        client.force_login(person)
        assert client.get(_people_url(org)).status_code == 403
        refused = client.post(_people_url(org), {"email": person.email, "role": "organiser"})
        assert refused.status_code == 403
        assert client.post(_people_url(org), {"revoke": str(member.pk), "role": "member"}).status_code == 403
    assert {h.role for h in spaces.holders(org)} == {"member"}
    client.logout()
    assert client.get(_people_url(org)).status_code == 302


def test_the_organisation_page_links_to_people_only_for_those_who_may_manage_them(client):
    org = OrganisationFactory(owner=UserFactory())
    member = _member_of(org)
    people_link = f'href="{_people_url(org)}"'
    client.force_login(org.owner)
    assert people_link in client.get(org.get_absolute_url()).content.decode()
    client.force_login(UserFactory(role=Role.MODERATOR))
    assert people_link in client.get(org.get_absolute_url()).content.decode()
    client.force_login(member)
    page = client.get(org.get_absolute_url()).content.decode()
    assert people_link not in page and "Leave " in page


# ---- the page, end to end ---------------------------------------------------------------------------
def test_the_owner_adds_changes_and_removes_people_by_e_mail(client):
    owner = UserFactory()
    org = OrganisationFactory(owner=owner, name="Canal Friends")
    helper = UserFactory(email="Hana@Example.org")
    client.force_login(owner)
    assert client.get(_people_url(org)).status_code == 200

    unknown = client.post(_people_url(org), {"email": "nobody@example.org", "role": "organiser"})
    assert unknown.status_code == 400
    page = unknown.content.decode()
    assert "Nobody has an account with this address yet" in page
    assert 'value="nobody@example.org"' in page  # what was typed is kept, and the role chosen
    assert 'value="organiser" required id="id_role_1" checked' in page
    assert client.post(_people_url(org), {"email": owner.email, "role": "member"}).status_code == 400

    added = client.post(_people_url(org), {"email": "hana@example.org", "role": "member"}, follow=True)
    assert f"{helper} is now a member of Canal Friends" in added.content.decode()
    assert [(h.user, h.role) for h in spaces.holders(org)] == [(helper, "member")]
    assert org in selectors.organisations_spoken_for(helper)

    client.post(_people_url(org), {"email": "hana@example.org", "role": "organiser"})  # one role at a time
    assert [(h.user, h.role) for h in spaces.holders(org)] == [(helper, "organiser")]
    assert f"{helper} — Organiser" in client.get(_people_url(org)).content.decode()

    client.post(_people_url(org), {"revoke": str(helper.pk), "role": "organiser"})
    assert not spaces.holders(org).exists()
    assert org not in selectors.organisations_spoken_for(helper)
    events = AuditEvent.objects.filter(object_id=org.pk, action__startswith="organisation.person").order_by("id")
    assert [(e.action, e.note) for e in events] == [
        ("organisation.person_added", f"{helper} (member)"),
        ("organisation.person_added", f"{helper} (organiser)"),
        ("organisation.person_removed", f"{helper} (organiser)"),
    ]


def test_an_organiser_manages_its_people_and_edits_it(client):
    org = OrganisationFactory(owner=UserFactory())
    organiser, newcomer = _member_of(org, "organiser"), UserFactory()
    client.force_login(organiser)
    assert client.get(reverse("directory:organisation_edit", args=[org.slug])).status_code == 200
    assert client.post(_people_url(org), {"email": newcomer.email, "role": "member"}).status_code == 302
    assert org in selectors.organisations_spoken_for(newcomer)


def test_a_member_leaves(client):
    org = OrganisationFactory(owner=UserFactory())
    member, stays = _member_of(org), _member_of(org)
    client.force_login(member)
    response = client.post(reverse("directory:organisation_leave", args=[org.slug]))
    assert response.status_code == 302 and response["Location"] == org.get_absolute_url()
    assert [h.user for h in spaces.holders(org)] == [stays]
    assert AuditEvent.objects.filter(action="organisation.person_left", actor=member, object_id=org.pk).exists()
    assert client.get(reverse("directory:organisation_leave", args=[org.slug])).status_code == 405


def test_deleting_an_organisation_drops_its_peoples_roles():
    org = OrganisationFactory(owner=UserFactory())
    member = _member_of(org)
    services.organisation_delete(organisation=org, by=org.owner)
    assert not member.space_roles.exists()


# ---- speaking for it in stories and the exchange -------------------------------------------------
def test_the_story_form_offers_an_organisation_one_is_a_member_of(client):
    from squaremile.stories.models import Story

    org = OrganisationFactory(owner=UserFactory(), name="Canal Friends")
    member = _member_of(org)
    client.force_login(member)
    form = client.get(reverse("stories:create")).content.decode()
    assert "On behalf of" in form and f'<option value="{org.pk}">Canal Friends</option>' in form
    client.post(
        reverse("stories:create"), {"title": "Clearing the towpath", "organisation": org.pk, "action": "publish"}
    )
    story = Story.objects.get(title="Clearing the towpath")
    assert story.organisation == org
    edit = client.get(reverse("stories:edit", args=[story.pk])).content.decode()
    assert f'<option value="{org.pk}" selected>Canal Friends</option>' in edit

    client.force_login(UserFactory())
    assert "Canal Friends" not in client.get(reverse("stories:create")).content.decode()
    client.post(reverse("stories:create"), {"title": "Not mine", "organisation": org.pk, "action": "publish"})
    assert Story.objects.get(title="Not mine").organisation is None  # no choice offered: none taken


def test_the_exchange_form_offers_an_organisation_one_is_a_member_of():
    from squaremile.exchange import services as exchange_services
    from squaremile.exchange.tests.test_flow import lift

    org = OrganisationFactory(owner=UserFactory(), name="Canal Friends")
    member = _member_of(org)
    from django.test import Client

    client = Client()
    client.force_login(member)
    form = client.get(reverse("exchange:create")).content.decode()
    assert "Posted by" in form and "Canal Friends" in form
    item = exchange_services.item_create(by=member, fields=lift(organisation=org))
    assert item.organisation == org
    with pytest.raises(PermissionDenied):
        exchange_services.item_create(by=UserFactory(), fields=lift(organisation=org))


def test_a_persons_data_download_names_the_organisations_they_belong_to(client):
    import json

    person = UserFactory()
    OrganisationFactory(slug="my-own", owner=person)
    theirs = OrganisationFactory(slug="theirs", owner=UserFactory())
    other = OrganisationFactory(slug="not-mine", owner=UserFactory())
    spaces.grant(space=theirs, user=person, role="member", by=theirs.owner)
    spaces.grant(space=other, user=UserFactory(), role="organiser", by=other.owner)
    client.force_login(person)
    data = json.loads(client.get("/people/me/data.json").content)
    assert data["organisations_added"] == ["my-own"]
    assert data["organisation_roles"] == [{"organisation": "theirs", "role": "member"}]
