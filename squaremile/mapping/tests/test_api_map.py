import pytest

from squaremile.accounts.models import Role, User
from squaremile.accounts.services import api_token_create
from squaremile.mapping.cells import clusters
from squaremile.mapping.models import Category, Entry, EntryStatus
from squaremile.mapping.tests.factories import CategoryFactory, CategoryQuestionFactory, EntryFactory

pytestmark = pytest.mark.django_db
BOX = "bbox=-2,52,0,53&zoom=9"


def _bulk(n, category, **kw):
    rows = []
    for i in range(n):
        lat, lng = 52.5 + (i % 50) * 0.002, -1.2 + (i // 50) * 0.002
        rows.append(
            Entry(
                title=f"Thing {i}",
                category=category,
                lat=lat,
                lng=lng,
                status=EntryStatus.PUBLISHED,
                **kw,
                **clusters.cell_columns(lat, lng),
            )  # fmt: skip
        )
    Entry.objects.bulk_create(rows)
    clusters.rebuild()


def _token(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=user, by=user, name='t')[1]}"}


def test_clusters_shape_and_counts(client):
    cat = CategoryFactory(slug="hall")
    _bulk(400, cat)
    body = client.get(f"/api/v1/map/clusters?{BOX}").json()
    assert set(body) == {"clusters", "markers", "total", "in_view", "level", "bounds"}
    assert body["total"] == 400 and body["markers"] == []
    assert sum(c["count"] for c in body["clusters"]) == 400
    assert set(body["clusters"][0]) == {"lat", "lng", "count", "categories"}
    assert body["clusters"][0]["categories"] == {"hall": body["clusters"][0]["count"]}
    few = client.get(f"/api/v1/map/clusters?{BOX}&q=Thing 1").json()
    assert few["clusters"] == [] and len(few["markers"]) == few["total"] > 0
    assert set(few["markers"][0]) == {
        "id", "lat", "lng", "title", "category", "category_name", "colour", "icon", "threat", "verified", "url",
    }  # fmt: skip


@pytest.mark.parametrize(
    "query,field",
    [
        ("zoom=5", "bbox"),
        ("bbox=-2,52,0,53", "zoom"),
        ("bbox=0,53,1,52&zoom=5", "bbox"),
        ("bbox=-2,52,0,53&zoom=30", "zoom"),
        ("bbox=-2,52,0,53&zoom=5&category=nope", "category"),
        ("bbox=-2,52,0,53&zoom=5&from=31-12-2025", "from"),
        ("bbox=-2,52,0,53&zoom=5&area=atlantis", "area"),
    ],
)
def test_clusters_bad_input_is_a_400_naming_the_field(client, query, field):
    response = client.get(f"/api/v1/map/clusters?{query}")
    assert response.status_code == 400
    body = response.json()
    assert body["message"] and field in body["errors"] and body["errors"][field][0]


def test_clusters_query_count_does_not_grow(client, django_assert_num_queries):
    cat = CategoryFactory(slug="hall")
    _bulk(350, cat)
    # categories, the cells; with a filter that needs the entries: categories, the grouped entries.
    with django_assert_num_queries(2):
        assert client.get(f"/api/v1/map/clusters?{BOX}").status_code == 200
    with django_assert_num_queries(3):  # categories, the grouped entries, the markers
        assert client.get(f"/api/v1/map/clusters?{BOX}&q=Thing 3").status_code == 200


def test_geojson_entries_paginated_and_published_only(client, django_assert_num_queries):
    cat = CategoryFactory(slug="hall", colour="#123456")
    _bulk(30, cat)
    EntryFactory(category=cat, status=EntryStatus.PENDING, title="Secret")
    body = client.get(f"/api/v1/map/entries?{BOX}&limit=20").json()
    assert body["type"] == "FeatureCollection" and len(body["features"]) == 20
    assert body["count"] == 30 and body["next_offset"] == 20
    f = body["features"][0]
    assert f["type"] == "Feature" and f["geometry"]["type"] == "Point" and len(f["geometry"]["coordinates"]) == 2
    assert f["properties"]["colour"] == "#123456" and f["properties"]["url"].startswith("/map/entries/")
    rest = client.get(f"/api/v1/map/entries?{BOX}&limit=20&offset=20").json()
    assert len(rest["features"]) == 10 and rest["next_offset"] is None and rest["count"] == 30
    assert "Secret" not in str(body) + str(rest)
    with django_assert_num_queries(3):  # categories, the page (with category and area joined), the count
        client.get("/api/v1/map/entries?limit=5")
    assert client.get("/api/v1/map/entries?limit=501").status_code == 400
    assert client.get("/api/v1/map/entries?offset=-1").status_code == 400
    assert client.get("/api/v1/map/entries?verified=perhaps").status_code == 400


def test_entry_detail_published_only_unless_owner_or_moderator(client):
    owner = User.objects.create_user(email="o@example.org", password="x")
    other = User.objects.create_user(email="x@example.org", password="x")
    moderator = User.objects.create_user(email="m@example.org", password="x", role=Role.MODERATOR)
    cat = CategoryFactory()
    question = CategoryQuestionFactory(category=cat, label="Open to the public?", kind="yesno")
    shown = EntryFactory(
        category=cat, description="<script>alert(1)</script> **Bold**", answers={str(question.pk): True}
    )
    pending = EntryFactory(category=cat, status=EntryStatus.PENDING, owner=owner)
    body = client.get(f"/api/v1/map/entries/{shown.pk}").json()
    assert body["title"] == shown.title and body["answers"] == [{"question": "Open to the public?", "answer": "Yes"}]
    assert "<script>" not in body["description_html"] and "<strong>Bold</strong>" in body["description_html"]
    assert client.get(f"/api/v1/map/entries/{pending.pk}").status_code == 404
    assert client.get(f"/api/v1/map/entries/{pending.pk}", **_token(other)).status_code == 404
    assert client.get(f"/api/v1/map/entries/{pending.pk}", **_token(owner)).json()["status"] == "pending"
    assert client.get(f"/api/v1/map/entries/{pending.pk}", **_token(moderator)).status_code == 200
    missing = client.get("/api/v1/map/entries/999999")
    assert missing.status_code == 404 and missing.json()["message"]
    not_a_number = client.get("/api/v1/map/entries/x")
    assert not_a_number.status_code == 400 and not_a_number.json()["message"]


def test_categories_with_questions(client, django_assert_num_queries):
    with django_assert_num_queries(2):
        body = client.get("/api/v1/map/categories").json()
    assert len(body) == Category.objects.filter(is_active=True).count() >= 8
    threat = next(c for c in body if c["slug"] == "threat-or-cut")
    assert threat["is_threat"] and threat["icon"] == "warning"
    cut = threat["questions"][0]
    assert cut["label"] == "What is being cut?" and cut["required"] and "Funding" in cut["choices"]


def test_the_seeded_categories_are_distinct():
    seeded = Category.objects.filter(slug__in=[
        "existing-work", "innovation", "new-organisation", "community-anchor-organisation", "hyperlocal-website",
        "community-of-interest", "community-asset-or-space", "threat-or-cut",
    ])  # fmt: skip
    assert seeded.count() == 8
    assert len({c.colour for c in seeded}) == 8 and len({c.icon for c in seeded}) == 8
    assert [c.slug for c in seeded if c.is_threat] == ["threat-or-cut"]

    def luminance(hex_colour):
        channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    for c in seeded:  # white text and icons on the category colour: WCAG AA
        assert (1.05) / (luminance(c.colour) + 0.05) >= 4.5, c.slug


def test_map_endpoints_are_in_the_schema(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/map/clusters",
        "/api/v1/map/entries",
        "/api/v1/map/entries/{entry_id}",
        "/api/v1/map/categories",
    ):
        assert "get" in paths[path]
    params = {p["name"] for p in paths["/api/v1/map/clusters"]["get"]["parameters"]}
    assert {"bbox", "zoom", "category", "area", "from", "to", "verified", "q", "threats"} <= params


def test_entry_detail_lists_its_photos_with_thumbnails(client, django_assert_max_num_queries):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from squaremile.mapping.entries import services

    owner = User.objects.create_user(email="p@example.org", password="x", role=Role.MODERATOR)
    out = io.BytesIO()
    Image.new("RGB", (800, 600), "green").save(out, "PNG")
    entry = services.entry_create(
        by=owner, title="Orchard", category=CategoryFactory(), lat=53.8, lng=-1.55,
        photos=[SimpleUploadedFile("orchard.png", out.getvalue(), "image/png")], photo_alt="Apple trees",
    )  # fmt: skip
    services.entry_publish(entry=entry, by=owner)
    photo = entry.attachments.get()
    with django_assert_max_num_queries(6):
        response = client.get(f"/api/v1/map/entries/{entry.pk}")
    assert response.status_code == 200
    assert response.json()["photos"] == [
        {"url": photo.file.url, "thumbnail_url": photo.thumbnail.url, "alt": "Apple trees", "width": 800,
         "height": 600}
    ]  # fmt: skip
    assert photo.thumbnail.url != photo.file.url and "-thumb." in photo.thumbnail.url
