"""The directory's organisations and projects reach an area's page and "near me" through the registration
that `places` offers (places never imports the directory)."""

import pytest

from squaremile.directory.tests.factories import OrganisationFactory, ProjectFactory
from squaremile.places import listings
from squaremile.places.tests.factories import AreaFactory

pytestmark = pytest.mark.django_db


def test_the_area_page_has_a_tab_per_listing(client):
    area = AreaFactory(name="Kettleby")
    OrganisationFactory(name="Kettleby Food Bank", area=area)
    ProjectFactory(name="Riverside Orchard", area=area)
    # the directory's two come first; the apps above add theirs after (wants and offers...)
    assert [listing.key for listing in listings.listings()][:2] == ["organisations", "projects"]

    first = client.get(area.get_absolute_url())
    assert first.status_code == 200
    html = first.content.decode()
    assert 'href="?show=organisations" aria-current="page"' in html and 'href="?show=projects"' in html
    assert "Kettleby Food Bank" in html and "Riverside Orchard" not in html

    projects = client.get(area.get_absolute_url(), {"show": "projects"})
    assert projects.status_code == 200
    assert "Riverside Orchard" in projects.content.decode()
    assert "Kettleby Food Bank" not in projects.content.decode()


def test_near_me_has_a_section_per_listing(client):
    OrganisationFactory(name="Corner Café Collective", lat=53.8, lng=-1.55)
    ProjectFactory(name="Tool Library", lat=53.801, lng=-1.551)
    response = client.get("/areas/near/", {"lat": "53.8", "lng": "-1.55", "radius": "1609"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "1 organisation within" in html and "Corner Café Collective" in html
    assert "1 project within" in html and "Tool Library" in html


def test_an_area_page_without_any_listing_still_works(client, monkeypatch):
    monkeypatch.setattr(listings, "_listings", {})
    area = AreaFactory(name="Quiet Hollow")
    response = client.get(area.get_absolute_url(), {"show": "organisations"})
    assert response.status_code == 200
    assert "Quiet Hollow" in response.content.decode() and 'class="tabs"' not in response.content.decode()
