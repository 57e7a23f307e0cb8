"""The site's own pages: about, privacy, accessibility, contact; the styled 404/500 under DEBUG."""

import pytest
from django.test import Client, override_settings
from django.urls import include, path

from squaremile.pages.models import SitePage

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("slug", ["about", "privacy", "accessibility", "contact"])
def test_each_page_exists_with_the_sites_name_and_contact(client, settings, slug):
    settings.SITE_NAME, settings.CONTACT_EMAIL = "Kettleby Square Mile", "hello@kettleby.example"
    response = client.get(f"/{slug}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "{site}" not in html and "{contact}" not in html
    assert "Kettleby Square Mile" in html or slug == "contact"
    assert f'href="/{slug}/"' in html  # linked from every page's footer


def test_the_privacy_notice_links_the_download_and_delete_actions(client):
    html = client.get("/privacy/").content.decode()
    assert 'href="/people/me/data.json"' in html and 'href="/people/me/delete/"' in html
    assert "confidential to the organisers" in html


def test_an_operator_edits_a_page_and_markup_in_it_stays_inert(client):
    SitePage.objects.filter(slug="about").update(body="We are **Kettleby**. <script>alert(1)</script>")
    html = client.get("/about/").content.decode()
    assert "<strong>Kettleby</strong>" in html and "<script>alert(1)" not in html


def _boom(request):
    raise RuntimeError("a bug")


urlpatterns = [path("boom/", _boom), path("", include("config.urls"))]


@override_settings(DEBUG=True, DEBUG_ERROR_PAGES=False)
def test_under_debug_a_missing_page_is_the_sites_own_404_not_djangos():
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "We could not find that page" in html and "DEBUG = True" not in html


@override_settings(DEBUG=True, DEBUG_ERROR_PAGES=False, ROOT_URLCONF=__name__)
def test_under_debug_a_crash_is_the_sites_own_500():
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html and "Traceback" not in html


def test_the_api_root_answers_json_pointing_to_the_schema_and_the_docs(client):
    response = client.get("/api/v1/")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["schema"].endswith("/api/v1/openapi.json") and body["documentation"].endswith("/developers/api/")
    assert client.get(body["schema"]).status_code == 200
    docs = client.get("/developers/api/")
    assert docs.status_code == 200 and "Authorization: Bearer" in docs.content.decode()
