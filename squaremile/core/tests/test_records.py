"""Any record as a reference, a card and the boxes the apps above show on its page (core/records.py)."""

import pytest
from django.contrib.auth.models import AnonymousUser

from squaremile.accounts.tests.factories import UserFactory
from squaremile.core import records
from squaremile.core.records import Panel, PanelItems
from squaremile.directory.tests.factories import OrganisationFactory
from squaremile.mapping.models import EntryStatus
from squaremile.mapping.tests.factories import EntryFactory

pytestmark = pytest.mark.django_db


def test_a_reference_names_a_record_and_gives_it_back_to_who_may_see_it():
    published = EntryFactory(status=EntryStatus.PUBLISHED)
    owner = UserFactory()
    pending = EntryFactory(status=EntryStatus.PENDING, owner=owner)
    anyone = AnonymousUser()
    assert records.ref_of(published) == f"mapping.entry:{published.pk}"
    assert records.resolve(records.ref_of(published), user=anyone) == published
    assert records.resolve(records.ref_of(pending), user=anyone) is None
    assert records.resolve(records.ref_of(pending), user=owner) == pending
    for bad in [
        "",
        "mapping.entry",
        "mapping.entry:x",
        "nothing.here:1",
        "mapping.entry:99999999",
        "mapping.entry:1" + "0" * 30,
    ]:
        assert records.resolve(bad, user=anyone) is None


def test_a_link_to_a_record_page_resolves_to_the_record():
    org = OrganisationFactory()
    entry = EntryFactory(status=EntryStatus.PUBLISHED)
    anyone = AnonymousUser()
    assert records.resolve_url(org.get_absolute_url(), user=anyone) == org
    assert records.resolve_url("https://example.org" + entry.get_absolute_url() + "?x=1", user=anyone) == entry
    for bad in ["/no/such/page/", "javascript:alert(1)", "", "/organisations/"]:
        assert records.resolve_url(bad, user=anyone) is None


def test_a_card_shows_the_record_and_escapes_its_text(client):
    org = OrganisationFactory(name="<script>alert(1)</script> Allotments")
    card = records.card(org)
    assert card.kind == "Organisation" and card.url == org.get_absolute_url()
    from django.template import Context, Template

    html = Template("{% load squaremile %}{% record_card org %}").render(Context({"org": org}))
    assert "<script>" not in html and "&lt;script&gt;" in html and org.get_absolute_url() in html


def test_a_registered_panel_shows_on_the_page_of_the_records_it_applies_to(client):
    org = OrganisationFactory()
    other = OrganisationFactory()
    entry = EntryFactory(status=EntryStatus.PUBLISHED)
    panel = Panel(
        key="test-related",
        title="Things about this",
        applies_to=("directory.organisation",),
        items=lambda obj, user: PanelItems(items=[entry], total=1) if obj == org else None,
    )
    records.register_panel(panel)
    try:
        page = client.get(org.get_absolute_url()).content.decode()
        assert "Things about this" in page and entry.title in page
        assert "Things about this" not in client.get(other.get_absolute_url()).content.decode()
        assert "Things about this" not in client.get(entry.get_absolute_url()).content.decode()
    finally:
        records._panels.pop("test-related")
