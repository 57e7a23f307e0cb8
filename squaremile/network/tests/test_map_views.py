"""The map pages: who may open what (a permission matrix before and after publishing), what the pages
and their JSON hold, the analysis status fragment, skills, compare, and query counts."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from squaremile.accounts.models import Role
from squaremile.accounts.tests.factories import UserFactory
from squaremile.network.computing import runner, tasks
from squaremile.network.models import Analysis, AnalysisStatus, Consent, ResponseSkill, Round
from squaremile.network.tests.factories import ResponseFactory, SurveyFactory, TieFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    owner = UserFactory(role=Role.ORGANISER)
    survey = SurveyFactory(owner=owner, title="Calder network", anonymity_threshold=2)
    round = survey.rounds.get(number=1)
    named = ResponseFactory(round=round, display_name="Asha Named", consent=Consent.NAMED, stream="community",
                            email="asha@example.org", needs_text="I need a van")  # fmt: skip
    anon = [
        ResponseFactory(round=round, display_name=f"Anon {i}", consent=Consent.ANONYMOUS, stream="public")
        for i in range(2)
    ]
    hidden = ResponseFactory(round=round, display_name="Hidden Harriet", consent=Consent.HIDDEN)
    for other in [*anon, hidden]:
        TieFactory(round=round, source=named.node, target=other.node)
    TieFactory(round=round, source=anon[0].node, target=anon[1].node)
    runner.run_analysis(round)
    users = {
        "owner": owner,
        "other_organiser": UserFactory(role=Role.ORGANISER),
        "member": UserFactory(role=Role.MEMBER),
        "anonymous": None,
        "admin": UserFactory(role=Role.ADMIN),
    }
    return {"survey": survey, "round": round, "users": users, "named": named, "hidden": hidden, "anon": anon}


def client_for(user):
    client = Client()
    if user is not None:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


ORGANISER_ONLY = {"owner": 200, "other_organiser": 403, "member": 403, "anonymous": 302, "admin": 200}
PUBLIC_ONCE_PUBLISHED = {"owner": 200, "other_organiser": 404, "member": 404, "anonymous": 404, "admin": 200}
EVERYONE = {"owner": 200, "other_organiser": 200, "member": 200, "anonymous": 200, "admin": 200}

PAGES = [
    # (name, url args suffix, before publishing, after publishing)
    ("map", "", ORGANISER_ONLY, ORGANISER_ONLY),
    ("map_data", "", ORGANISER_ONLY, ORGANISER_ONLY),
    ("suggestions", "", ORGANISER_ONLY, ORGANISER_ONLY),
    ("compare", "", ORGANISER_ONLY, ORGANISER_ONLY),
    ("import_ties", "", ORGANISER_ONLY, ORGANISER_ONLY),
    ("published", "", PUBLIC_ONCE_PUBLISHED, EVERYONE),
    ("published_data", "", PUBLIC_ONCE_PUBLISHED, EVERYONE),
    ("embed", "", PUBLIC_ONCE_PUBLISHED, EVERYONE),
    ("skills", "", PUBLIC_ONCE_PUBLISHED, EVERYONE),
    ("export", "", PUBLIC_ONCE_PUBLISHED, EVERYONE),
    ("analysis_status", "", PUBLIC_ONCE_PUBLISHED, EVERYONE),
]
FILES = [
    ("nodes.csv?view=organiser", ORGANISER_ONLY, ORGANISER_ONLY),
    ("network.gexf?view=organiser", ORGANISER_ONLY, ORGANISER_ONLY),
    ("map.svg?view=organiser", ORGANISER_ONLY, ORGANISER_ONLY),
    ("ties.csv?view=published", PUBLIC_ONCE_PUBLISHED, EVERYONE),
    ("network.graphml?view=published", PUBLIC_ONCE_PUBLISHED, EVERYONE),
    ("map.svg?view=published", PUBLIC_ONCE_PUBLISHED, EVERYONE),
]


def test_permission_matrix_before_and_after_publishing(world):
    survey = world["survey"]
    failures = []
    for published in (False, True):
        survey.is_published = published
        survey.save()
        for who, user in world["users"].items():
            client = client_for(user)
            for name, _, before, after in PAGES:
                expected = (after if published else before)[who]
                got = client.get(reverse(f"network:{name}", args=[survey.slug])).status_code
                if got != expected:
                    failures.append(f"{name} published={published} {who}: {got} != {expected}")
            for file, before, after in FILES:
                expected = (after if published else before)[who]
                url = reverse("network:export_file", args=[survey.slug, file.split("?")[0]]) + "?" + file.split("?")[1]
                got = client.get(url).status_code
                if got != expected:
                    failures.append(f"{file} published={published} {who}: {got} != {expected}")
    assert not failures, "\n".join(failures)


def test_unknown_survey_round_or_export_is_a_404(world):
    client = client_for(world["users"]["owner"])
    slug = world["survey"].slug
    assert client.get(reverse("network:map", args=["nope"])).status_code == 404
    assert client.get(reverse("network:map", args=[slug]) + "?round=7").status_code == 404
    assert client.get(reverse("network:map", args=[slug]) + "?round=x").status_code == 404
    assert client.get(reverse("network:export_file", args=[slug, "secrets.txt"])).status_code == 404
    assert client.get(reverse("network:export_file", args=[slug, "nodes.csv"]) + "?view=bogus").status_code == 404


def test_embed_frame_header_follows_the_survey_setting(world):
    survey = world["survey"]
    survey.is_published = True
    survey.save()
    client = Client()
    response = client.get(reverse("network:embed", args=[survey.slug]))
    assert response.status_code == 200 and "X-Frame-Options" not in response.headers
    assert client.get(reverse("network:published", args=[survey.slug])).headers["X-Frame-Options"] == "DENY"
    survey.allow_embed = False
    survey.save()
    assert client.get(reverse("network:embed", args=[survey.slug])).status_code == 404
    preview = client_for(world["users"]["owner"]).get(reverse("network:embed", args=[survey.slug]))
    assert preview.status_code == 200 and preview.headers["X-Frame-Options"] == "DENY"


def test_published_json_holds_only_what_consent_allows(world):
    survey = world["survey"]
    survey.is_published = True
    survey.save()
    text = Client().get(reverse("network:published_data", args=[survey.slug])).content.decode()
    data = json.loads(text)
    assert "Asha Named" in text
    assert "Hidden Harriet" not in text and "Anon 0" not in text and "Anon 1" not in text
    assert "asha@example.org" not in text and "I need a van" not in text and "betweenness" not in text
    kinds = sorted(n["kind"] for n in data["nodes"])
    assert kinds == ["anonymous", "anonymous", "person"]
    ids = {str(r.node_id) for r in (world["named"], world["hidden"], *world["anon"])}
    assert not any(n["id"] in ids or n["id"].lstrip("n") in ids for n in data["nodes"])
    assert len(data["edges"]) == 3  # the hidden respondent's tie is gone
    assert data["summary"]["nodes"] == 4  # ...but they count in the figures


def test_organiser_map_and_json_hold_everything(world):
    client = client_for(world["users"]["owner"])
    survey = world["survey"]
    page = client.get(reverse("network:map", args=[survey.slug]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Figures up to date" in html and "4 people and organisations" in html
    data = client.get(reverse("network:map_data", args=[survey.slug])).json()
    assert sorted(n["label"] for n in data["nodes"]) == ["Anon 0", "Anon 1", "Asha Named", "Hidden Harriet"]
    assert all("betweenness" in n and "x" in n for n in data["nodes"])
    assert data["analysis"]["up_to_date"] is True


def test_published_preview_says_so_and_links_the_embed(world):
    client = client_for(world["users"]["owner"])
    html = client.get(reverse("network:published", args=[world["survey"].slug])).content.decode()
    assert "Preview: not published yet" in html
    assert (
        "&lt;iframe src=&quot;http://testserver/network/" in html
        or '&lt;iframe src="http://testserver/network/' in html
    )


def test_status_fragment_and_recompute(world, django_capture_on_commit_callbacks):
    survey, round = world["survey"], world["round"]
    client = client_for(world["users"]["owner"])
    url = reverse("network:analysis_status", args=[survey.slug])
    assert "Figures up to date" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=False):
        tasks.data_changed(round)  # the recompute waits for the commit: the figures are out of date
    html = client.get(url).content.decode()
    assert "Out of date" in html and 'hx-trigger="every 3s"' in html and "Recompute now" in html
    html = client.post(url, {"round": 1}, HTTP_HX_REQUEST="true").content.decode()
    assert "Figures up to date" in html
    response = client.post(url, {"round": 1})
    assert response.status_code == 302
    assert Analysis.objects.get(round=round).status == AnalysisStatus.FRESH
    # anyone else may read the status of a published map, never recompute it
    survey.is_published = True
    survey.save()
    assert Client().get(url).status_code == 200
    assert "Recompute" not in Client().get(url).content.decode()
    assert client_for(world["users"]["member"]).post(url, {"round": 1}).status_code == 403


def test_skills_view_counts_and_names_only_for_organisers(world):
    from squaremile.directory.models import Skill

    skill = Skill.objects.order_by("name").first()
    ResponseSkill.objects.create(response=world["named"], skill=skill, level="strong")
    ResponseSkill.objects.create(response=world["hidden"], skill=skill, level="some")
    from squaremile.places.tests.factories import AreaFactory

    survey = world["survey"]
    survey.area = AreaFactory(name="Mytholmroyd Ward")
    survey.save()
    html = client_for(world["users"]["owner"]).get(reverse("network:skills", args=[survey.slug])).content.decode()
    assert skill.name in html and "Asha Named" in html and "Hidden Harriet" in html
    assert "Mytholmroyd Ward (2)" in html
    from squaremile.network.views.maps import skills_context

    context = skills_context(survey, world["round"], organiser=True)
    row = next(r for _, rows in context["families"] for r in rows if r["slug"] == skill.slug)
    assert (row["strong"], row["some"], row["who"]) == (1, 1, ["Asha Named", "Hidden Harriet"])
    assert context["people"] == 4 and skill.name not in context["missing"]
    public = skills_context(survey, world["round"], organiser=False)
    row = next(r for _, rows in public["families"] for r in rows if r["slug"] == skill.slug)
    assert (row["strong"], row["some"]) == (1, 1) and "who" not in row and "where" not in row
    assert "Nobody in the network said they can do or offer these" in html
    survey.is_published = True
    survey.save()
    public = Client().get(reverse("network:skills", args=[survey.slug])).content.decode()
    assert skill.name in public and "Asha Named" not in public and "Hidden Harriet" not in public
    assert "Mytholmroyd" not in public  # places can single people out: counts only
    assert "Only counts are shown here" in public


def test_compare_rounds(world):
    survey, first = world["survey"], world["round"]
    second = Round.objects.create(survey=survey, number=2)
    newcomer = ResponseFactory(round=second, display_name="New Nia", consent=Consent.NAMED)
    ResponseFactory(round=second, node=world["named"].node, display_name="Asha Named")
    TieFactory(round=second, source=world["named"].node, target=newcomer.node)
    client = client_for(world["users"]["owner"])
    html = client.get(reverse("network:compare", args=[survey.slug]) + "?a=1&b=2").content.decode()
    assert "New Nia" in html
    assert "+1</strong> new ties" in html and "+1</strong> new people" in html
    assert "Hidden Harriet" in html  # gone in round 2; organisers see names
    one = SurveyFactory(owner=world["users"]["owner"])
    assert "has one round so far" in client.get(reverse("network:compare", args=[one.slug])).content.decode()
    assert first.number == 1


def test_map_pages_query_counts_do_not_grow_with_the_network(world, django_assert_max_num_queries):
    survey, round = world["survey"], world["round"]
    client = client_for(world["users"]["owner"])
    url = reverse("network:map_data", args=[survey.slug]) + "?round=1"
    from django.core.cache import cache

    cache.clear()
    with django_assert_max_num_queries(20) as small:
        client.get(url)
    more = [ResponseFactory(round=round, consent=Consent.NAMED) for _ in range(30)]
    for r in more:
        TieFactory(round=round, source=r.node, target=world["named"].node)
    cache.clear()
    with django_assert_max_num_queries(20) as large:
        client.get(url)
    assert len(large.captured_queries) == len(small.captured_queries)
    with django_assert_max_num_queries(25):
        client.get(reverse("network:suggestions", args=[survey.slug]))


def test_a_survey_nobody_answered_yet_has_working_pages():
    survey = SurveyFactory(is_published=True)
    client = client_for(survey.owner)
    for page in ("map", "published", "embed", "suggestions", "skills", "compare", "export", "analysis_status"):
        assert client.get(reverse(f"network:{page}", args=[survey.slug])).status_code == 200, page
    assert (
        "The figures have not been worked out yet"
        in client.get(reverse("network:map", args=[survey.slug])).content.decode()
    )
    runner.run_analysis(survey.rounds.get())
    assert "Nobody is on the map yet" in client.get(reverse("network:map", args=[survey.slug])).content.decode()
    assert client.get(reverse("network:published_data", args=[survey.slug])).json()["nodes"] == []
    for name in ("nodes.csv", "ties.csv", "network.gexf", "network.graphml", "map.svg"):
        for view in ("organiser", "published"):
            url = reverse("network:export_file", args=[survey.slug, name]) + f"?view={view}"
            assert client.get(url).status_code == 200, (name, view)
