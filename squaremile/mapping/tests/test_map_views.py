import json
import re

import pytest
from django.urls import reverse

from squaremile.accounts.models import Role, User
from squaremile.accounts.services import profile_for
from squaremile.mapping.cells import clusters
from squaremile.mapping.models import Category, Entry, EntryStatus
from squaremile.mapping.tests.factories import CategoryFactory, CategoryQuestionFactory, EntryFactory
from squaremile.places.models import Area

pytestmark = pytest.mark.django_db


@pytest.fixture
def cats():
    return {
        "hall": CategoryFactory(slug="hall", name="Halls"),
        "cut": CategoryFactory(slug="cut", name="Cuts", is_threat=True),
    }


def _config(response):
    match = re.search(r'<script id="cm-config" type="application/json">(.*?)</script>', response.content.decode(), re.S)
    return json.loads(match.group(1))


def test_map_page_renders_filters_config_and_links(client, cats):
    response = client.get(
        reverse("mapping:map"), {"category": "hall", "q": "choir", "lat": "52.1", "lng": "-1.2", "zoom": "14"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="hall" checked' in html and 'value="choir"' in html
    config = _config(response)
    assert config["view"] == {"lat": 52.1, "lng": -1.2, "zoom": 14, "from_url": True}
    assert config["clustersUrl"] == "/api/v1/map/clusters"
    assert {c["slug"] for c in config["categories"]} >= {"hall", "cut"}
    assert next(c for c in config["categories"] if c["slug"] == "cut")["threat"] is True
    assert config["home"] is None and "My square mile" not in html
    assert reverse("mapping:entry_list") in html  # the list alternative
    assert 'id="mi-warning"' in html  # the icon symbols


def test_map_page_ignores_a_nonsense_view_and_reports_bad_filters(client, cats):
    response = client.get(reverse("mapping:map"), {"lat": "999", "lng": "x", "zoom": "zz"})
    assert response.status_code == 200 and _config(response)["view"]["from_url"] is False
    bad = client.get(reverse("mapping:map"), {"from": "someday", "category": "nope"})
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "Some filters need fixing" in html and 'value="someday"' in html and "Unknown category" in html


def test_my_square_mile_button(client, cats):
    user = User.objects.create_user(email="me@example.org", password="x")
    client.force_login(user)
    assert "Set my square mile" in client.get(reverse("mapping:map")).content.decode()
    profile = profile_for(user)
    profile.lat, profile.lng, profile.radius_m = 52.6, -1.1, 3000
    profile.save()
    response = client.get(reverse("mapping:map"))
    assert 'id="cm-home"' in response.content.decode()
    assert _config(response)["home"] == {"set": True, "lat": 52.6, "lng": -1.1, "radius_m": 3000}


def test_list_shows_published_entries_filtered_and_paginated(client, cats, django_assert_num_queries):
    for i in range(25):
        EntryFactory(category=cats["hall"], title=f"Hall {i}")
    EntryFactory(category=cats["cut"], title="Library hours cut", verified=True)
    EntryFactory(category=cats["hall"], title="Hidden pending", status=EntryStatus.PENDING)
    EntryFactory(category=cats["hall"], title="Hidden rejected", status=EntryStatus.REJECTED)
    url = reverse("mapping:entry_list")
    html = client.get(url).content.decode()
    assert "26 entries" in html and "Hidden" not in html and "Page 1 of 2" in html
    assert "Library hours cut" in client.get(url, {"threats": "only"}).content.decode()
    only_cuts = client.get(url, {"category": "cut"}).content.decode()
    assert "1 entry" in only_cuts and "Hall 3" not in only_cuts
    assert "1 entry" in client.get(url, {"verified": "1"}).content.decode()
    assert "Hall 1" in client.get(url, {"q": "hall 1"}).content.decode()
    assert "Nothing on the map matches" in client.get(url, {"q": "zebra"}).content.decode()
    page2 = client.get(url, {"page": 2}).content.decode()
    assert "Page 2 of 2" in page2
    fragment = client.get(url, {"fragment": 1, "bbox": "-2,52,0,53"}).content.decode()
    assert "<html" not in fragment and "in this part of the map" in fragment
    # categories, (areas for the form), the count, the page (category and area joined) - whatever the page size
    with django_assert_num_queries(3):
        client.get(url, {"fragment": 1})
    with django_assert_num_queries(4):
        client.get(url)


def test_list_keeps_bad_input_and_says_what_is_wrong(client, cats):
    response = client.get(reverse("mapping:entry_list"), {"to": "31/12/2025", "bbox": "1,2,3", "q": "<b>x</b>"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Give a date as YYYY-MM-DD" in html and 'value="31/12/2025"' in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html


def test_list_by_area_includes_sub_areas(client, cats):
    town = Area.objects.create(name="Town", slug="town")
    ward = Area.objects.create(name="Ward", slug="ward", parent=town)
    EntryFactory(category=cats["hall"], title="In the ward", area=ward)
    EntryFactory(category=cats["hall"], title="Elsewhere")
    html = client.get(reverse("mapping:entry_list"), {"area": "town"}).content.decode()
    assert "In the ward" in html and "Elsewhere" not in html


def test_detail_page_published_for_everyone(client, cats):
    question = CategoryQuestionFactory(
        category=cats["cut"], label="What is being cut?", kind="choice", choices="Funding\nStaff"
    )
    entry = EntryFactory(
        category=cats["cut"],
        title="Youth club funding ends",
        description="<script>alert('x')</script> Ends in **March**.",
        answers={str(question.pk): "Funding"},
        verified=True,
        announced_on="2025-01-10",
        takes_effect_on="2025-03-31",
    )
    response = client.get(entry.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Youth club funding ends" in html and "<strong>March</strong>" in html
    assert "<script>alert" not in html
    assert "What is being cut?" in html and "Funding" in html
    assert "Takes effect" in html and "31 March 2025" in html and "Announced" in html
    assert "✓ Verified" in html and f"http://testserver/map/entries/{entry.pk}/" in html
    assert "data-minimap" in html


def test_detail_page_hides_pending_entries_from_others(client, cats):
    owner = User.objects.create_user(email="o@example.org", password="x")
    other = User.objects.create_user(email="x@example.org", password="x")
    moderator = User.objects.create_user(email="m@example.org", password="x", role=Role.MODERATOR)
    entry = EntryFactory(category=cats["hall"], status=EntryStatus.PENDING, owner=owner)
    url = entry.get_absolute_url()
    assert client.get(url).status_code == 404
    client.force_login(other)
    assert client.get(url).status_code == 404
    client.force_login(owner)
    assert "Only you and the moderators" in client.get(url).content.decode()
    client.force_login(moderator)
    assert client.get(url).status_code == 200
    assert client.get("/map/entries/99999999/").status_code == 404


def test_merged_entry_sends_visitors_to_the_one_it_was_merged_into(client, cats):
    target = EntryFactory(category=cats["hall"])
    merged = EntryFactory(category=cats["hall"], status=EntryStatus.MERGED, merged_into=target)
    response = client.get(merged.get_absolute_url())
    assert response.status_code == 302 and response.url == target.get_absolute_url()
    moderator = User.objects.create_user(email="m@example.org", password="x", role=Role.MODERATOR)
    client.force_login(moderator)  # moderators still see the merged entry itself
    assert client.get(merged.get_absolute_url()).status_code == 200


def test_rebuild_map_cells_command(cats):
    from django.core.management import call_command

    EntryFactory(category=cats["hall"])
    Entry.objects.update(cx20=0, cy20=0)  # as if written without the columns
    call_command("rebuild_map_cells", "--fix-columns", verbosity=0)
    entry = Entry.objects.get()
    assert (entry.cx20, entry.cy20) == tuple(clusters.cell_columns(entry.lat, entry.lng).values())
    assert clusters.view(_filters(bbox="-2,52,0,53", zoom="9"))["total"] == 1


def _filters(**params):
    from squaremile.mapping.entries.filters import parse_filters

    return parse_filters(params)


def test_see_it_on_the_map_links_to_the_entry_and_the_map_opens_it(client, cats):
    entry = EntryFactory(category=cats["hall"], title="Village hall", lat=52.2, lng=-1.3)
    html = client.get(entry.get_absolute_url()).content.decode()
    # Not the header's plain link to the map (base.html's own `map_url` once shadowed the entry's).
    link = re.search(r'<a href="([^"]+)">See it on the community map</a>', html).group(1)
    assert link == f"/map/?lat=52.20000&amp;lng=-1.30000&amp;zoom=17&amp;entry={entry.pk}"
    config = _config(client.get(link.replace("&amp;", "&")))
    assert config["entry"] == entry.pk and config["view"]["zoom"] == 17
    assert config["entryUrl"] == "/api/v1/map/entries/0" and config["entriesUrl"] == "/api/v1/map/entries"
    for junk in ("x", "-1", "0", "99999999999", "١٢"):
        assert _config(client.get(reverse("mapping:map"), {"entry": junk}))["entry"] is None


@pytest.mark.parametrize(
    ("query", "threat"),
    [({"threats": "only"}, True), ({"threats": "exclude"}, False), ({"category": "hall"}, None)],
)
def test_one_threats_control_the_categories_say_what_is_shown(client, cats, query, threat):
    """There is no second "threats" switch in the form; links that still say threats=… tick the
    categories they select."""
    active = Category.objects.filter(is_active=True)
    ticked = {"hall"} if threat is None else set(active.filter(is_threat=threat).values_list("slug", flat=True))
    assert ("cut" in ticked) is bool(threat)
    for url in (reverse("mapping:map"), reverse("mapping:entry_list")):
        html = client.get(url, query).content.decode()
        assert 'name="threats"' not in html
        assert set(re.findall(r'name="category" value="([^"]+)" checked', html)) == ticked
