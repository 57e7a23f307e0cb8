"""The directory's writes are recorded in the audit log."""

import pytest

from squaremile.accounts.tests.factories import UserFactory
from squaremile.audit.selectors import history_for

pytestmark = pytest.mark.django_db


def test_directory_edits_and_deletes_are_recorded():
    from squaremile.directory.services import organisation_create, organisation_delete, organisation_update

    owner = UserFactory()
    org = organisation_create(by=owner, data={"name": "Food Bank", "description": "Food."})
    organisation_update(organisation=org, by=owner, data={"name": "Town Food Bank"})
    pk = org.pk
    organisation_delete(organisation=org, by=owner)
    events = list(history_for(None, model=type(org), pk=pk))
    assert [e.action for e in events] == ["organisation.deleted", "organisation.changed", "organisation.created"]
    assert events[1].changes["name"] == ["Food Bank", "Town Food Bank"] and events[0].target_label == "Town Food Bank"
