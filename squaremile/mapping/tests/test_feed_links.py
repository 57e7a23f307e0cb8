"""The map and list pages advertise the map's RSS and Atom feeds for their filters in the page head."""

import re

import pytest
from django.urls import reverse

from squaremile.mapping.tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db


def _head(response) -> str:
    html = response.content.decode()
    return html[: html.index("</head>")]


def _alternates(response) -> dict[str, str]:
    """type -> href of each <link rel="alternate"> in the head."""
    links = {}
    for tag in re.findall(r'<link rel="alternate"[^>]*>', _head(response)):
        kind = re.search(r'type="([^"]+)"', tag).group(1)
        links[kind] = re.search(r'href="([^"]+)"', tag).group(1).replace("&amp;", "&")
    return links


@pytest.mark.parametrize("page", ["mapping:map", "mapping:entry_list"])
def test_pages_link_the_feeds_for_their_filters(client, page):
    CategoryFactory(slug="hall", name="Halls")
    response = client.get(
        reverse(page), {"category": "hall", "q": "choir", "bbox": "-2,52,-1,53", "zoom": "14", "lat": "52.5"}
    )
    assert response.status_code == 200
    links = _alternates(response)
    rss, atom = links["application/rss+xml"], links["application/atom+xml"]
    assert rss.startswith(reverse("mapping:feed_rss") + "?")
    assert atom.startswith(reverse("mapping:feed_atom") + "?")
    for href in (rss, atom):
        assert "category=hall" in href and "q=choir" in href
        assert "bbox" not in href and "zoom" not in href and "lat" not in href
        assert client.get(href).status_code == 200  # the feed accepts the filters it is given


@pytest.mark.parametrize("page", ["mapping:map", "mapping:entry_list"])
def test_pages_without_filters_link_the_whole_feed(client, page):
    links = _alternates(client.get(reverse(page)))
    assert links == {
        "application/rss+xml": reverse("mapping:feed_rss"),
        "application/atom+xml": reverse("mapping:feed_atom"),
    }
