"""RSS and Atom feeds per map filter: valid XML, the right items, published only."""

import datetime as dt

import pytest
from defusedxml import ElementTree
from django.urls import reverse
from django.utils import timezone

from squaremile.mapping.models import EntryStatus
from squaremile.mapping.tests.factories import CategoryFactory, EntryFactory

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"
GEORSS = "{http://www.georss.org/georss}"


@pytest.fixture
def entries():
    halls = CategoryFactory(name="Halls", slug="halls")
    cuts = CategoryFactory(name="Cuts", slug="cuts", is_threat=True)
    now = timezone.now()
    made = [
        EntryFactory(title=f"Hall {n}", category=halls, published_at=now - dt.timedelta(hours=n), lat=53.8, lng=-1.5)
        for n in range(55)
    ]
    cut = EntryFactory(title="Library <closing>", description="**Sad** <script>alert(1)</script>", category=cuts,
                       published_at=now, lat=53.81, lng=-1.56)  # fmt: skip
    pending = EntryFactory(title="Not yet", category=cuts, status=EntryStatus.PENDING, lat=53.8, lng=-1.5)
    return {"halls": made, "cut": cut, "pending": pending}


def test_rss_is_valid_with_the_latest_50(client, entries):
    response = client.get(reverse("mapping:feed_rss"))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/rss+xml")
    root = ElementTree.fromstring(response.content)
    items = root.findall("./channel/item")
    assert len(items) == 50
    titles = [i.find("title").text for i in items]
    assert titles[0] in ("Library <closing>", "Hall 0") and "Not yet" not in titles and "Hall 54" not in titles
    cut = next(i for i in items if i.find("title").text == "Library <closing>")
    assert cut.find("link").text.endswith(entries["cut"].get_absolute_url())
    assert cut.find("category").text == "Cuts"
    assert cut.find(f"{GEORSS}point").text == "53.81 -1.56"
    description = cut.find("description").text
    assert "<strong>Sad</strong>" in description and "<script>" not in description


def test_atom_with_filters(client, entries):
    response = client.get(reverse("mapping:feed_atom") + "?category=cuts")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/atom+xml")
    root = ElementTree.fromstring(response.content)
    assert "Cuts" in root.find(f"{ATOM}title").text
    items = root.findall(f"{ATOM}entry")
    assert [i.find(f"{ATOM}title").text for i in items] == ["Library <closing>"]  # published only


def test_bad_filters_are_a_400(client, entries):
    response = client.get(reverse("mapping:feed_rss") + "?bbox=500,1,2,3&category=nope")
    assert response.status_code == 400
    assert b"category" in response.content and b"bbox" in response.content


def test_feed_queries_are_bounded(client, entries, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        response = client.get(reverse("mapping:feed_rss"))
    assert response.status_code == 200
    assert len(ElementTree.fromstring(response.content).findall("./channel/item")) == 50
