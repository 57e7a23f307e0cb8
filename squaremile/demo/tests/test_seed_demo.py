import importlib
import json
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command
from shapely.geometry import Point, shape

from squaremile.accounts.models import Profile, Role, User
from squaremile.core.models import SearchDocument
from squaremile.core.search import search
from squaremile.core.text import plain_text
from squaremile.demo import words
from squaremile.demo.generator import DEMO_ACCOUNTS, DEMO_PASSWORD, Size, fast_plain, parse_size
from squaremile.directory.models import Organisation, Project, ResourceKind, Skill, SkillFamily, Stream
from squaremile.directory.services import _organisation_extra
from squaremile.places.models import Area, AreaKind
from squaremile.places.selectors import area_for_point

taxonomy_migration = importlib.import_module("squaremile.directory.migrations.0002_taxonomy")

STREAM_TYPES = {
    Stream.COMMUNITY: {
        "community_group", "charity", "social_enterprise", "cooperative", "faith_group", "tenants_residents",
        "network", "informal_group",
    },
    Stream.INDIVIDUAL: {"informal_group", "other"},
    Stream.PUBLIC: {"council", "health", "school", "public_service"},
    Stream.BUSINESS: {"business", "social_enterprise", "cooperative"},
}  # fmt: skip


def seed_demo(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def snapshot():
    orgs = list(Organisation.objects.order_by("slug").values_list("name", "slug", "lat", "lng", "area__name"))
    projects = list(Project.objects.order_by("slug").values_list("name", "status", "start_date", "end_date"))
    return orgs, projects


# --- Taxonomy ---------------------------------------------------------------------------------


def test_taxonomy_file_is_well_formed():
    data = taxonomy_migration.read_taxonomy()
    skills = [s for fam in data["families"] for s in fam["skills"]]
    assert len(data["families"]) >= 10
    assert len(skills) >= 90
    assert len(data["resources"]) >= 12
    for items in (data["families"], skills, data["resources"]):
        assert len({i["name"] for i in items}) == len(items)
        assert len({i["slug"] for i in items}) == len(items)
        assert all(i["description"].strip() for i in items)


def test_every_skill_and_resource_the_generator_names_exists():
    data = taxonomy_migration.read_taxonomy()
    skills = {s["slug"] for fam in data["families"] for s in fam["skills"]}
    resources = {r["slug"] for r in data["resources"]}
    for arc in words.ORG_ARCHETYPES:
        assert set(arc[5]) <= skills, arc[2]
        assert set(arc[6]) <= resources, arc[2]
    for _names, _sentences, project_skills in words.PROJECT_ARCHETYPES:
        assert set(project_skills) <= skills


@pytest.mark.django_db
def test_migration_loaded_the_taxonomy_and_loading_again_changes_nothing():
    assert Skill.objects.count() >= 90
    assert ResourceKind.objects.count() >= 12
    assert SkillFamily.objects.count() >= 10
    before = (SkillFamily.objects.count(), Skill.objects.count(), ResourceKind.objects.count())
    taxonomy_migration.load_taxonomy(SkillFamily, Skill, ResourceKind)
    assert (SkillFamily.objects.count(), Skill.objects.count(), ResourceKind.objects.count()) == before
    first = taxonomy_migration.read_taxonomy()["families"][0]
    assert SkillFamily.objects.order_by("position").first().slug == first["slug"]


# --- Sizes ------------------------------------------------------------------------------------


def test_sizes():
    assert parse_size("small") == Size(300, 80, 60)
    assert parse_size("medium") == Size(3000, 800, 300)
    large = parse_size("large")
    assert large.organisations + large.projects >= 100_000
    assert parse_size("40") == Size(40, 10, 8)
    assert parse_size(50_000).people == 2000
    with pytest.raises(ValueError):
        parse_size("huge")


@pytest.mark.django_db
def test_bad_size_is_a_command_error():
    with pytest.raises(CommandError):
        seed_demo("--size", "enormous")


# --- Seeding ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_seed_creates_the_expected_records():
    out = seed_demo("--size", "40", "--seed", "1")
    assert Organisation.objects.count() == 40
    assert Project.objects.count() == 10
    assert Profile.objects.count() == 8 + len(DEMO_ACCOUNTS)
    assert User.objects.count() == 8 + len(DEMO_ACCOUNTS)
    assert SearchDocument.objects.filter(kind="organisation").count() == 40
    assert SearchDocument.objects.filter(kind="project").count() == 10
    assert Area.objects.filter(kind=AreaKind.REGION).count() == 1
    assert Area.objects.filter(kind=AreaKind.TOWN).count() == 1
    assert 8 <= Area.objects.filter(kind=AreaKind.WARD).count() <= 12
    assert Area.objects.filter(kind=AreaKind.VILLAGE).count() >= 3
    assert "demo@example.org" in out and DEMO_PASSWORD in out
    for org in Organisation.objects.all():
        assert org.org_type in STREAM_TYPES[org.stream], (org.name, org.stream, org.org_type)
        assert org.description
        assert not org.website or ".example.org" in org.website
    for project in Project.objects.prefetch_related("organisations"):
        assert 1 <= len(project.organisations.all()) <= 2
        if project.start_date and project.end_date:
            assert project.end_date >= project.start_date
    assert EmailAddress.objects.filter(verified=True, primary=True).count() == User.objects.count()


@pytest.mark.django_db
def test_seeded_records_pass_model_validation():
    seed_demo("--size", "40", "--seed", "3")
    for obj in [*Organisation.objects.all(), *Project.objects.all(), *Area.objects.all()]:
        obj.full_clean()
    for profile in Profile.objects.all():
        profile.full_clean()


@pytest.mark.django_db
def test_same_seed_same_data_and_another_seed_differs():
    seed_demo("--size", "40", "--seed", "1")
    first = snapshot()
    seed_demo("--size", "40", "--seed", "1", "--reset")
    assert snapshot() == first
    assert Organisation.objects.count() == 40
    seed_demo("--size", "40", "--seed", "2", "--reset")
    assert snapshot() != first


@pytest.mark.django_db
def test_without_reset_an_existing_directory_is_left_alone():
    seed_demo("--size", "40", "--seed", "1")
    before = snapshot()
    out = seed_demo("--size", "40", "--seed", "9")
    assert "already" in out
    assert snapshot() == before


@pytest.mark.django_db
def test_areas_nest_and_do_not_overlap():
    seed_demo("--size", "40", "--seed", "1")
    areas = list(Area.objects.all())
    shapes = {a.pk: shape(a.boundary) for a in areas}
    for area in areas:
        assert shapes[area.pk].is_valid
        if area.parent_id:
            assert shapes[area.pk].within(shapes[area.parent_id]), area.name
            assert area.area_sq_deg < area.parent.area_sq_deg
    for area in areas:
        siblings = [a for a in areas if a.parent_id == area.parent_id and a.pk > area.pk]
        for other in siblings:
            assert not shapes[area.pk].relate_pattern(shapes[other.pk], "T********"), (area.name, other.name)


@pytest.mark.django_db
def test_every_located_record_is_in_the_most_specific_area_holding_it():
    seed_demo("--size", "40", "--seed", "1")
    records = [*Organisation.objects.select_related("area"), *Project.objects.select_related("area")]
    located = [r for r in records if r.has_location]
    assert len(located) >= 30
    for record in located:
        assert record.area is not None, record.name
        assert shape(record.area.boundary).covers(Point(record.lng, record.lat)), record.name
        assert area_for_point(lat=record.lat, lng=record.lng) == record.area, record.name
    for record in records:
        if not record.has_location:
            assert record.area is None
    for profile in Profile.objects.exclude(lat=None).select_related("home_area"):
        assert area_for_point(lat=profile.lat, lng=profile.lng) == profile.home_area


@pytest.mark.django_db
def test_search_finds_seeded_organisations_and_projects_by_name():
    seed_demo("--size", "40", "--seed", "1")
    for org in Organisation.objects.order_by("id")[:5]:
        hits = search(org.name, kinds=["organisation"], limit=100).hits
        assert org.pk in [h.object_id for h in hits], org.name
    project = Project.objects.order_by("id").first()
    assert project.pk in [h.object_id for h in search(project.name, kinds=["project"], limit=100).hits]


@pytest.mark.django_db
def test_search_documents_are_what_the_services_would_write():
    seed_demo("--size", "small", "--seed", "5")
    assert Organisation.objects.count() == 300
    # the directory's documents (the feature apps' demo data adds its own kinds)
    docs = {(d.kind, d.object_id): d for d in SearchDocument.objects.filter(kind__in=["organisation", "project"])}
    assert len(docs) == 380
    # conversations: public groups' threads only, never a private group's
    from squaremile.conversations.models import Thread

    public = set(Thread.objects.exclude(group__access="private").values_list("pk", flat=True))
    assert set(SearchDocument.objects.filter(kind="thread").values_list("object_id", flat=True)) == public
    for org in Organisation.objects.prefetch_related("skills", "resources"):
        doc = docs["organisation", org.pk]
        body = " ".join(filter(None, [plain_text(org.description), _organisation_extra(org)]))
        assert (doc.title, doc.body, doc.url, doc.area_id) == (org.name, body, org.get_absolute_url(), org.area_id)
    for project in Project.objects.all():
        doc = docs["project", project.pk]
        body = " ".join(filter(None, [plain_text(project.description), project.get_status_display()]))
        assert (doc.title, doc.body, doc.url, doc.area_id) == (
            project.name,
            body,
            project.get_absolute_url(),
            project.area_id,
        )


def test_fast_plain_matches_plain_text_on_the_markdown_the_templates_use():
    samples = [
        "Plain sentence. Another one.",
        "We meet **every Tuesday, 10am to 12 noon** at St Anne's Church Hall.",
        "*No need to book*: just come along. Find out more on [our website](https://x.example.org/).",
        "First paragraph.\n\nSecond paragraph with *emphasis* & an ampersand.",
    ]
    for text in samples:
        assert fast_plain(text) == plain_text(text)


@pytest.mark.django_db
def test_demo_logins():
    seed_demo("--size", "40", "--seed", "1")
    for email, role, _display, superuser in DEMO_ACCOUNTS:
        user = User.objects.get(email=email)
        assert user.check_password(DEMO_PASSWORD)
        assert user.role == role
        assert user.is_superuser == superuser
        assert user.is_staff == (role == Role.ADMIN)
        assert EmailAddress.objects.filter(user=user, email=email, verified=True, primary=True).exists()
        assert user.profile.display_name
    people = User.objects.exclude(email__in=[a[0] for a in DEMO_ACCOUNTS])
    assert all(u.check_password(DEMO_PASSWORD) for u in people[:3])


@pytest.mark.django_db
def test_reset_keeps_superusers_and_replaces_the_rest():
    seed_demo("--size", "40", "--seed", "1")
    admin_pk = User.objects.get(email="admin@example.org").pk
    member_pk = User.objects.get(email="demo@example.org").pk
    seed_demo("--size", "20", "--seed", "1", "--reset")
    assert User.objects.get(email="admin@example.org").pk == admin_pk
    assert User.objects.get(email="demo@example.org").pk != member_pk
    assert Organisation.objects.count() == 20
    assert SearchDocument.objects.filter(kind__in=["organisation", "project"]).count() == 20 + 5
    assert Area.objects.filter(external_id__startswith="demo:").count() == Area.objects.count()
    assert json.loads(json.dumps(Area.objects.first().boundary))["type"] == "Polygon"


@pytest.mark.django_db
def test_a_missing_taxonomy_is_loaded_first():
    Skill.objects.all().delete()
    ResourceKind.objects.all().delete()
    seed_demo("--size", "10", "--seed", "1")
    assert Skill.objects.count() >= 90
    assert Organisation.objects.filter(skills__isnull=False).exists()


@pytest.mark.django_db
def test_size_zero_makes_only_the_places_and_the_demo_logins():
    seed_demo("--size", "0", "--seed", "1")
    assert Organisation.objects.count() == Project.objects.count() == 0
    assert User.objects.count() == len(DEMO_ACCOUNTS)
    areas = Area.objects.count()
    assert areas > 10
    assert "already" in seed_demo("--size", "0", "--seed", "1")
    assert Area.objects.count() == areas


@pytest.mark.django_db
def test_the_demo_shows_no_two_records_with_the_same_name():
    """A visitor browsing the demo should not meet the same map entry, organisation or project twice."""
    from django.db.models import Count

    from squaremile.mapping.models import Entry

    seed_demo("--size", "small", "--seed", "1")
    for queryset, field in [
        (Entry.objects.all(), "title"),
        (Organisation.objects.all(), "name"),
        (Project.objects.all(), "name"),
    ]:
        twice = list(queryset.values(field).annotate(n=Count("pk")).filter(n__gt=1).values_list(field, "n")[:5])
        assert not twice, twice
