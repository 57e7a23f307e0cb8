"""Organisers' pages: create, edit, delete, dashboard, answers, names, invitations, paper, rounds; and
who may open them."""

import pytest
from django.urls import reverse

from squaremile.accounts.models import Role
from squaremile.accounts.tests.factories import UserFactory
from squaremile.directory.models import ResourceKind, SkillFamily
from squaremile.network.models import Consent, MergeSuggestion, Node, Response, Survey, Tie
from squaremile.network.surveys import services
from squaremile.network.tests.factories import NodeFactory, ResponseFactory, SurveyFactory, TieFactory

pytestmark = pytest.mark.django_db

ORGANISER_PAGES = [
    "survey_detail", "survey_edit", "survey_delete", "response_list", "names", "invitations", "poster", "paper",
    "paper_enter", "paper_import", "round_create", "paper_template",
]  # fmt: skip


@pytest.fixture
def owner():
    return UserFactory(role=Role.ORGANISER)


@pytest.fixture
def survey(owner):
    survey = SurveyFactory(owner=owner)
    response = ResponseFactory(round=survey.rounds.get(), display_name="Secret Sam", role="Confidential role")
    TieFactory(round=survey.rounds.get(), source=response.node)
    return survey


@pytest.mark.parametrize("name", ORGANISER_PAGES)
@pytest.mark.parametrize(
    ("who", "expected"),
    [("owner", 200), ("admin", 200), ("other_organiser", 403), ("member", 403), ("anonymous", 302)],
)
def test_permission_matrix(client, survey, owner, name, who, expected):
    users = {
        "owner": owner,
        "admin": UserFactory(role=Role.ADMIN),
        "other_organiser": UserFactory(role=Role.ORGANISER),
        "member": UserFactory(),
        "anonymous": None,
    }
    if users[who]:
        client.force_login(users[who])
    page = client.get(reverse(f"network:{name}", args=[survey.slug]))
    if who == "anonymous" and name in ("poster", "paper", "paper_template"):
        expected = 403  # no login redirect for printable pages: simply not allowed
    assert page.status_code == expected
    if expected != 200:
        assert b"Secret Sam" not in page.content and b"Confidential role" not in page.content


@pytest.mark.parametrize("who", ["other_organiser", "member", "anonymous"])
def test_nobody_else_can_post_changes(client, survey, who):
    user = {"other_organiser": UserFactory(role=Role.ORGANISER), "member": UserFactory(), "anonymous": None}[who]
    if user:
        client.force_login(user)
    response = Response.objects.get()
    node = NodeFactory(survey=survey)
    posts = [
        ("survey_edit", [survey.slug], {"title": "Taken"}),
        ("survey_delete", [survey.slug], {}),
        ("response_delete", [survey.slug, response.pk], {}),
        ("names_merge", [survey.slug], {"keep": response.node_id, "merge": node.pk}),
        ("round_create", [survey.slug], {}),
        ("invitations", [survey.slug], {"people": "x@example.org"}),
    ]
    for name, args, data in posts:
        answer = client.post(reverse(f"network:{name}", args=args), data)
        if user is None:  # asked to log in first
            assert answer.status_code == 302 and answer["Location"].startswith(reverse("account_login")), name
        else:  # told who may do it
            assert answer.status_code == 403, name
    survey.refresh_from_db()
    assert survey.title != "Taken" and Response.objects.count() == 1 and survey.rounds.count() == 1
    assert not Node.objects.filter(merged_into__isnull=False).exists()


def test_create_survey_in_the_form(client, owner):
    client.force_login(owner)
    page = client.get(reverse("network:survey_create"))
    assert page.status_code == 200 and "anonymity" in page.content.decode().lower()
    family = SkillFamily.objects.first()
    data = {
        "title": "Kettleby network 2027", "introduction": "Hello", "consent_text": "", "audience": "link",
        "anonymity_threshold": "4", "skill_families": [family.pk],
        "resource_kinds": [ResourceKind.objects.first().pk], "allow_embed": "on",
        "wording_works_with": "Who do you do things with?", "wording_strength": "How often?",
        "q-TOTAL_FORMS": "2", "q-INITIAL_FORMS": "0", "q-MIN_NUM_FORMS": "0", "q-MAX_NUM_FORMS": "40",
        "q-0-label": "Your ward", "q-0-kind": "text", "q-0-ORDER": "2",
        "q-1-label": "Colour", "q-1-kind": "choice", "q-1-choices": "Red\nBlue", "q-1-ORDER": "1",
    }  # fmt: skip
    page = client.post(reverse("network:survey_create"), data)
    assert page.status_code == 302, page.content.decode()[:2000]
    survey = Survey.objects.get()
    assert survey.owner == owner and survey.anonymity_threshold == 4
    assert survey.wording == {"works_with": "Who do you do things with?", "strength": "How often?"}
    assert [q.label for q in survey.questions.all()] == ["Colour", "Your ward"]
    assert list(survey.skill_families.all()) == [family]
    assert survey.rounds.count() == 1 and "at least 4 people" in survey.consent_text
    form = client.get(reverse("network:respond", args=[survey.slug])).content.decode()
    assert "Who do you do things with?" in form and "Colour" in form


def test_create_errors_keep_what_was_typed(client, owner):
    client.force_login(owner)
    data = {"title": "", "introduction": "Kept text", "audience": "link", "anonymity_threshold": "1",
            "q-TOTAL_FORMS": "1", "q-INITIAL_FORMS": "0", "q-0-label": "Pick", "q-0-kind": "choice"}  # fmt: skip
    page = client.post(reverse("network:survey_create"), data)
    html = page.content.decode()
    assert page.status_code == 400 and "Kept text" in html and "at least two options" in html
    assert "greater than or equal to 2" in html
    assert not Survey.objects.exists()
    assert client.get(reverse("network:survey_create")).status_code == 200
    client.force_login(UserFactory())
    assert client.get(reverse("network:survey_create")).status_code == 403


def test_edit_and_delete(client, survey, owner):
    client.force_login(owner)
    page = client.get(reverse("network:survey_edit", args=[survey.slug]))
    assert page.status_code == 200
    data = {"title": "Renamed", "introduction": "", "consent_text": "Our promise", "audience": "members",
            "anonymity_threshold": "6", "q-TOTAL_FORMS": "0", "q-INITIAL_FORMS": "0"}  # fmt: skip
    assert client.post(reverse("network:survey_edit", args=[survey.slug]), data).status_code == 302
    survey.refresh_from_db()
    assert survey.title == "Renamed" and survey.audience == "members" and survey.anonymity_threshold == 6
    page = client.get(reverse("network:survey_delete", args=[survey.slug]))
    assert "1 respondent" in page.content.decode()
    assert client.post(reverse("network:survey_delete", args=[survey.slug])).status_code == 302
    assert not Survey.objects.exists()


def test_dashboard_counts_and_links(client, survey, owner):
    round_ = survey.rounds.get()
    ResponseFactory(round=round_, consent=Consent.ANONYMOUS)
    ResponseFactory(round=round_, consent=Consent.HIDDEN)
    client.force_login(owner)
    html = client.get(reverse("network:survey_detail", args=[survey.slug])).content.decode()
    assert "<strong>3</strong> answers" in html and "<strong>1</strong> without their name" in html
    assert "<strong>1</strong> tie" in html and "<svg" in html
    assert reverse("network:respond", args=[survey.slug]) in html
    for name in ("poster", "paper", "invitations", "response_list", "names", "round_create"):
        assert reverse(f"network:{name}", args=[survey.slug]) in html


def test_survey_list(client, survey, owner):
    published = SurveyFactory(is_published=True, title="Open map")
    assert "Open map" in client.get(reverse("network:survey_list")).content.decode()
    assert survey.title not in client.get(reverse("network:survey_list")).content.decode()
    client.force_login(owner)
    html = client.get(reverse("network:survey_list")).content.decode()
    assert survey.title in html and published.title in html
    assert f'href="{reverse("network:survey_detail", args=[survey.slug])}"' in html
    assert f'href="{reverse("network:survey_detail", args=[published.slug])}"' not in html


def test_survey_list_queries(client, owner, django_assert_num_queries):
    client.force_login(owner)
    for _ in range(3):
        SurveyFactory(owner=owner)
    client.get(reverse("network:survey_list"))
    with django_assert_num_queries(6):  # session, user, count, page, the bell's unread count (role check in memory)
        few = client.get(reverse("network:survey_list"))
    assert few.status_code == 200
    assert all(s.title in few.content.decode() for s in Survey.objects.all())
    for _ in range(10):
        SurveyFactory(owner=owner)
    with django_assert_num_queries(6):
        many = client.get(reverse("network:survey_list"))
    assert many.status_code == 200 and Survey.objects.latest("pk").title in many.content.decode()


def test_responses_list_queries_and_privacy(client, survey, owner, django_assert_num_queries):
    client.force_login(owner)
    url = reverse("network:response_list", args=[survey.slug])
    client.get(url)
    with django_assert_num_queries(9) as first:  # with the bell's unread count
        html = client.get(url).content.decode()
    assert "Secret Sam" in html
    for _ in range(10):
        ResponseFactory(round=survey.rounds.get())
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(url)
    assert "Secret Sam" in client.get(url, {"q": "secret"}).content.decode()
    assert "Secret Sam" not in client.get(url, {"q": "nobody"}).content.decode()
    detail = client.get(reverse("network:response_detail", args=[survey.slug, Response.objects.first().pk]))
    assert detail.status_code == 200
    # an answer of another survey is not reachable through this one
    other = ResponseFactory()
    assert client.get(reverse("network:response_detail", args=[survey.slug, other.pk])).status_code == 404


def test_names_review_merge_and_dismiss(client, survey, owner):
    round_ = survey.rounds.get()
    alice = ResponseFactory(round=round_, display_name="Alice").node
    a = NodeFactory(survey=survey, label="Kettleby Food Bank")
    b = NodeFactory(survey=survey, label="Kettleby Fod Bank")
    TieFactory(round=round_, source=alice, target=a)
    TieFactory(round=round_, source=alice, target=b, typed_name="Kettleby Fod Bank")
    suggestion = MergeSuggestion.objects.create(survey=survey, a=a, b=b, score=91)
    c, d = NodeFactory(survey=survey, label="Sam Smith"), NodeFactory(survey=survey, label="Sam Smyth")
    other = MergeSuggestion.objects.create(survey=survey, a=c, b=d, score=88)
    client.force_login(owner)
    html = client.get(reverse("network:names", args=[survey.slug])).content.decode()
    assert "Kettleby Fod Bank" in html, html.split("<main")[1][:3000]
    assert "Named by Alice" in html and "Same — merge" in html
    page = client.post(
        reverse("network:names_merge", args=[survey.slug]), {"keep": a.pk, "merge": b.pk, "label": "Kettleby Food Bank"}
    )
    assert page.status_code == 302
    b.refresh_from_db()
    suggestion.refresh_from_db()
    assert b.merged_into == a and suggestion.status == "merged" and suggestion.decided_by == owner
    assert Tie.objects.filter(target=a).count() == 1 and not Tie.objects.filter(target=b).exists()
    client.post(reverse("network:names_dismiss", args=[survey.slug, other.pk]))
    other.refresh_from_db()
    assert other.status == "dismissed"
    # search and merge by hand
    html = client.get(reverse("network:names", args=[survey.slug]), {"q": "sam"}).content.decode()
    assert "Sam Smith" in html and "Sam Smyth" in html
    client.post(reverse("network:names_merge", args=[survey.slug]), {"keep": c.pk, "merge": d.pk, "q": "sam"})
    d.refresh_from_db()
    assert d.merged_into == c
    # a node of another survey cannot be merged in
    stranger = NodeFactory()
    assert client.post(reverse("network:names_merge", args=[survey.slug]),
                       {"keep": c.pk, "merge": stranger.pk}).status_code == 404  # fmt: skip


def test_invitations_page(client, survey, owner, mailoutbox, django_capture_on_commit_callbacks):
    client.force_login(owner)
    url = reverse("network:invitations", args=[survey.slug])
    page = client.post(url, {"people": "not-an-email\nok@example.org"})
    assert page.status_code == 400 and "Line 1" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(url, {"people": "ok@example.org, Olive\nsecond@example.org"})
    assert page.status_code == 302 and len(mailoutbox) == 2
    assert "/i/" in mailoutbox[0].body
    html = client.get(url).content.decode()
    assert "ok@example.org" in html and "Not yet" in html
    invitation = survey.invitations.get(email="ok@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("network:invitation_resend", args=[survey.slug, invitation.pk]))
    assert len(mailoutbox) == 3


def test_paper_entry_by_the_organiser(client, survey, owner):
    client.force_login(owner)
    url = reverse("network:paper_enter", args=[survey.slug])
    assert "Consent as ticked on paper" in client.get(url).content.decode()
    page = client.post(url, {"display_name": "Pat Paper", "consent": "anonymous", "tie-0-name": "Secret Sam",
                             "tie-0-strength": "3"})  # fmt: skip
    assert page.status_code == 302
    paper = Response.objects.get(display_name="Pat Paper")
    assert paper.source == "paper" and paper.consent == "anonymous"
    assert Tie.objects.get(response=paper).target == Response.objects.get(display_name="Secret Sam").node
    correct = reverse("network:response_correct", args=[survey.slug, paper.pk])
    assert 'value="Pat Paper"' in client.get(correct).content.decode()
    client.post(correct, {"display_name": "Pat Paper", "consent": "hidden"})
    paper.refresh_from_db()
    assert paper.consent == "hidden" and not Tie.objects.filter(response=paper).exists()
    client.post(reverse("network:response_delete", args=[survey.slug, paper.pk]))
    assert not Response.objects.filter(pk=paper.pk).exists()


def test_poster_and_paper_pages(client, survey, owner):
    services.survey_update(survey=survey, by=owner, data={}, questions=[{"label": "Pick", "kind": "choice",
                                                                           "choices": "A\nB"}])  # fmt: skip
    client.force_login(owner)
    poster = client.get(reverse("network:poster", args=[survey.slug])).content.decode()
    assert "<svg" in poster and reverse("network:respond", args=[survey.slug]) in poster
    paper = client.get(reverse("network:paper", args=[survey.slug])).content.decode()
    assert "Show me with my name" in paper and "First aid" in paper and "Pick" in paper and 'class="box"' in paper


def test_new_round(client, survey, owner):
    client.force_login(owner)
    url = reverse("network:round_create", args=[survey.slug])
    page = client.post(url, {"opens_at": "2030-01-02T10:00", "closes_at": "2030-01-01T10:00"})
    assert page.status_code == 400 and survey.rounds.count() == 1
    assert client.post(url, {"label": "Spring"}).status_code == 302
    assert list(survey.rounds.values_list("number", "label")) == [(1, ""), (2, "Spring")]
    html = client.get(reverse("network:response_list", args=[survey.slug])).content.decode()
    assert "No answers yet" in html
    html = client.get(reverse("network:response_list", args=[survey.slug]), {"round": 1}).content.decode()
    assert "Secret Sam" in html
