"""axe-core on every main page: no serious or critical violations; and no page scrolls sideways
on a phone (WCAG 1.4.10, reflow).

Each test walks several pages in one browser context and reports every failing page at once.
Some walks run at desktop size and some at phone size, so that both layouts are checked.
Nothing is excluded, Leaflet's own map controls included.
"""

import pytest
from playwright.sync_api import expect

from squaremile.accounts.models import Role
from squaremile.directory.models import Skill, Stream
from tests.browser.support import (
    PHONE,
    a11y_report,
    assert_fits_the_screen,
    make_organisation,
    make_project,
    make_user,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def network(taxonomy):
    from squaremile.places.tests.factories import AreaFactory

    region = AreaFactory(name="Calder Valley", slug="calder-valley", kind="region", half=0.2)
    ward = AreaFactory(name="Hebden Ward", slug="hebden-ward", parent=region)
    owner = make_user(email="owner@example.org", role=Role.MEMBER)
    owner.profile.display_name = "Olu Owner"
    owner.profile.bio = "I run the **tool library**."
    owner.profile.profile_visibility = "public"
    owner.profile.skills_visibility = "public"
    owner.profile.save()
    skill = Skill.objects.order_by("name").first()
    owner.profile.skills.add(skill)
    org = make_organisation(
        by=owner,
        name="Hebden Tool Library",
        stream=Stream.COMMUNITY,
        description="We lend **tools** to neighbours.\n\n- drills\n- ladders",
        lat=53.8,
        lng=-1.55,
        address="1 Market Street",
        email="tools@example.org",
        skills=[skill],
    )
    make_organisation(by=owner, name="Valley Council", stream=Stream.PUBLIC, lat=53.801, lng=-1.551)
    project = make_project(by=owner, name="Repair Cafe", lat=53.8, lng=-1.55, organisations=[org])
    return {"region": region, "ward": ward, "owner": owner, "org": org, "project": project, "skill": skill}


def _check(page, label) -> str:
    """What axe finds on the page as it is now, and on a phone whether it scrolls sideways."""
    report = a11y_report(page, label)
    if page.viewport_size == PHONE:
        try:
            assert_fits_the_screen(page)
        except AssertionError as exc:
            report = "\n".join(filter(None, [report, f"{label}: {exc}"]))
    return report


def _walk(page, paths) -> str:
    """Open each (label, path[, expected status]) and return what was found on all of them."""
    reports = []
    for label, path, *status in paths:
        response = page.goto(path)
        assert response.status == (status[0] if status else 200), f"{label}: {path} answered {response.status}"
        reports.append(_check(page, label))
    return "\n\n".join(r for r in reports if r)


def test_public_pages_are_accessible(page, network):
    paths = [
        ("home", "/"),
        ("organisation list", "/organisations/"),
        ("organisation page", network["org"].get_absolute_url()),
        ("project list", "/projects/"),
        ("project page", network["project"].get_absolute_url()),
        ("area list", "/areas/"),
        ("area page", network["ward"].get_absolute_url()),
        ("skill list", "/skills/"),
        ("skill page", network["skill"].get_absolute_url()),
    ]
    report = _walk(page, paths)
    assert not report, "Accessibility violations (serious or critical):\n" + report


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"])
def test_search_near_and_error_pages_are_accessible(page, network):
    paths = [
        ("near me, empty", "/areas/near/"),
        ("near me, with results", "/areas/near/?lat=53.8&lng=-1.55&radius=1609"),
        ("near me, bad input", "/areas/near/?lat=200&lng=", 400),
        ("search, with a typo", "/search/?q=tol+libary"),
        ("search, nothing found", "/search/?q=zzzzqqq"),
        ("not found (404)", "/no-such-page/", 404),
        ("person page", network["owner"].profile.get_absolute_url()),
    ]
    report = _walk(page, paths)
    assert not report, "Accessibility violations (serious or critical):\n" + report


def test_account_pages_are_accessible(page):
    paths = [
        ("sign up", "/accounts/signup/"),
        ("password reset", "/accounts/password/reset/"),
        ("sign in with a code", "/accounts/login/code/"),
        ("log in", "/accounts/login/"),
    ]
    reports = [_walk(page, paths)]
    # A form after a failed submit, with its errors shown.
    page.get_by_label("Email").fill("nobody@example.org")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Log in").click()
    page.locator("#error-summary").wait_for()
    reports.append(a11y_report(page, "log in, failed"))
    report = "\n\n".join(r for r in reports if r)
    assert not report, "Accessibility violations (serious or critical):\n" + report


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"])
def test_member_pages_are_accessible(page, network, login):
    login(page, network["owner"])
    reports = [
        _walk(
            page,
            [
                ("add an organisation", "/organisations/add/"),
                ("add a project", "/projects/add/"),
                ("your profile", "/people/me/"),
            ],
        )
    ]
    # The organisation form after a failed submit, with its error summary.
    page.goto("/organisations/add/")
    page.get_by_label("Latitude").fill("200")
    page.get_by_role("button", name="Save").click()
    page.locator("#error-summary").wait_for()
    reports.append(_check(page, "add an organisation, failed"))
    # The tokens page, showing a new token and the list of tokens.
    page.goto("/people/me/tokens/")
    page.get_by_label("What is this token for?").fill("Our website")
    page.get_by_role("button", name="Make token").click()
    page.locator("#new-token").wait_for()
    reports.append(_check(page, "API tokens, new token"))
    report = "\n\n".join(r for r in reports if r)
    assert not report, "Accessibility violations (serious or critical):\n" + report


def test_public_pages_fit_a_phone_screen(phone_page, network):
    """The pages whose axe walk above runs at desktop size, walked again on a phone."""
    page = phone_page
    paths = [
        "/",
        "/organisations/",
        network["org"].get_absolute_url(),
        "/projects/",
        network["project"].get_absolute_url(),
        "/areas/",
        network["ward"].get_absolute_url(),
        "/skills/",
        network["skill"].get_absolute_url(),
    ]
    problems = []
    for path in paths:
        page.goto(path)
        try:
            assert_fits_the_screen(page)
        except AssertionError as exc:
            problems.append(str(exc))
    assert not problems, "\n".join(problems)


def test_keyboard_users_can_skip_to_the_content(page):
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    # The next Tab goes on from the content, not back to the header.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")


@pytest.fixture
def open_space(network):
    """An open-space event with a grid, a reported session and an action (squaremile.events)."""
    from squaremile.events.models import Report
    from squaremile.events.tests.factories import (
        ActionFactory,
        OpenSpaceFactory,
        RegistrationFactory,
        RoomFactory,
        SessionFactory,
        SlotFactory,
    )

    event = OpenSpaceFactory(title="Valley open space", area=network["ward"], lat=53.8, lng=-1.55,
                             access_info="Step-free entrance.", capacity=40)  # fmt: skip
    slot, room = SlotFactory(event=event), RoomFactory(event=event, name="Main hall")
    session = SessionFactory(event=event, slot=slot, room=room, title="Saving the library")
    SessionFactory(event=event, title="Unplaced topic")
    Report.objects.create(session=session, summary="Keep it **open**.", participant_count=9)
    ActionFactory(event=event, session=session, description="Write to the council")
    RegistrationFactory(event=event, user=network["owner"])
    return {"event": event, "session": session}


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"])
def test_events_pages_are_accessible_on_a_phone(page, network, open_space, login):
    event, session = open_space["event"], open_space["session"]
    reports = [
        _walk(
            page,
            [
                ("events list", "/events/"),
                ("events calendar", f"/events/calendar/?month={event.starts_at:%Y-%m}"),
                ("event page, visitor", event.get_absolute_url()),
                ("agenda", f"/events/{event.slug}/agenda/"),
                ("proceedings", f"/events/{event.slug}/proceedings/"),
                ("actions", f"/events/{event.slug}/actions/"),
            ],
        )
    ]
    login(page, network["owner"])
    reports.append(
        _walk(
            page,
            [
                ("event page, registered", event.get_absolute_url()),
                ("marketplace", f"/events/{event.slug}/marketplace/"),
                ("session", f"/events/{event.slug}/sessions/{session.pk}/"),
                ("report form", f"/events/{event.slug}/sessions/{session.pk}/report/"),
                ("my events", "/events/mine/"),
            ],
        )
    )
    report = "\n\n".join(r for r in reports if r)
    assert not report, "Accessibility violations (serious or critical):\n" + report


def test_events_organiser_pages_are_accessible(page, network, open_space, login):
    event = open_space["event"]
    login(page, event.owner)
    report = _walk(
        page,
        [
            ("new event", "/events/new/"),
            ("edit event", f"/events/{event.slug}/edit/"),
            ("grid", f"/events/{event.slug}/grid/"),
            ("wall", f"/events/{event.slug}/wall/"),
            ("close", f"/events/{event.slug}/close/"),
            ("registrations", f"/events/{event.slug}/registrations/"),
            ("organisers", f"/events/{event.slug}/organisers/"),
            ("questions", f"/events/{event.slug}/questions/"),
            ("import", "/events/import/"),
        ],
    )
    assert not report, "Accessibility violations (serious or critical):\n" + report


def test_events_group_game_and_csv_import_pages_are_accessible(page, network, open_space, login):
    """Issue 19's later pages: a group's events, list and calendar, the skills-game tables form and
    the event page showing the game, the CSV import wizard's first page."""
    from squaremile.conversations.tests.factories import group
    from squaremile.events import services
    from squaremile.methods.game.cards import standard_decks

    event = open_space["event"]
    garden = group(owner=event.owner, name="Valley gardeners")
    event.group = garden
    event.save(update_fields=["group"])
    login(page, event.owner)
    tables_form = ("skills game tables", f"/events/{event.slug}/game/")
    first = _walk(page, [tables_form])
    services.game_tables_open(event=event, by=event.owner, deck=standard_decks()[0], tables={"phones": 2})
    report = _walk(
        page,
        [
            ("event page with the game", event.get_absolute_url()),
            ("group's events", f"/events/?group={garden.slug}"),
            ("group's calendar", f"/events/calendar/?group={garden.slug}&month={event.starts_at:%Y-%m}"),
            ("group page with its events", garden.get_absolute_url()),
            ("events CSV import", "/events/import/csv/"),
        ],
    )
    report = "\n\n".join(r for r in (first, report) if r)
    assert not report, "Accessibility violations (serious or critical):\n" + report


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"])
def test_exchange_pages_are_accessible(page, network, login):
    """Wants and offers (issue 17): the list, an item, the form (blank and with errors), my items,
    alerts, "more with more" and the printable noticeboard."""
    from squaremile.directory.models import ResourceKind
    from squaremile.exchange import services

    owner = network["owner"]
    owner.profile.lat, owner.profile.lng = 53.8, -1.55
    owner.profile.save()
    item = services.item_create(by=owner, fields={
        "side": "want", "kind": "lend", "title": "A ladder for a day", "resource": ResourceKind.objects.first(),
        "where": "point", "lat": 53.8, "lng": -1.55, "radius_m": 1609, "visibility": "public",
        "when_note": "Saturday",
    })  # fmt: skip
    login(page, owner)
    reports = [
        _walk(
            page,
            [
                ("wants and offers", "/exchange/"),
                ("a want", item.get_absolute_url()),
                ("ask or offer", "/exchange/new/"),
                ("my wants and offers", "/exchange/mine/"),
                ("alerts", "/exchange/alerts/"),
                ("more with more, choose", "/exchange/areas/"),
                ("more with more", f"/exchange/areas/{network['ward'].slug}/"),
                ("noticeboard", f"/exchange/areas/{network['ward'].slug}/noticeboard/"),
            ],
        )
    ]
    page.goto("/exchange/new/")
    page.get_by_role("button", name="Post it").click()
    page.locator("#error-summary").wait_for()
    reports.append(_check(page, "ask or offer, failed"))
    report = "\n\n".join(r for r in reports if r)
    assert not report, "Accessibility violations (serious or critical):\n" + report


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"])
def test_exchange_mail_links_and_online_box_are_accessible(page, network):
    """Wants and offers (issue 17): the one-button pages a mail's links open (renew, confirm it is
    done, a link that does not work) — no login — and the list's "online or anywhere" box."""
    from squaremile.directory.models import ResourceKind
    from squaremile.exchange import mails, services

    owner = network["owner"]
    item = services.item_create(by=owner, fields={
        "side": "offer", "kind": "lend", "title": "A ladder to lend", "resources": [ResourceKind.objects.first()],
        "where": "anywhere", "radius_m": 1609, "visibility": "public",
    }, check_rate=False)  # fmt: skip
    renew = mails.action_token(item=item, user=owner, action="renew")
    done = mails.action_token(item=item, user=owner, action="done")
    report = _walk(
        page,
        [
            ("renew from a mail", f"/exchange/{item.pk}/act/{renew}/"),
            ("confirm done from a mail", f"/exchange/{item.pk}/act/{done}/"),
            ("a mail link that does not work", f"/exchange/{item.pk}/act/not-a-token/", 400),
            ("wants and offers near a place, with the online box", "/exchange/?lat=53.8&lng=-1.55&radius=1609"),
        ],
    )
    page.goto(f"/exchange/{item.pk}/act/{renew}/")
    page.get_by_role("button", name="Renew for 30 days").click()
    page.get_by_text("Renewed until").wait_for()
    report = "\n\n".join(r for r in (report, _check(page, "renewed from a mail")) if r)
    assert not report, "Accessibility violations (serious or critical):\n" + report


# civic: every page of the app, at phone size (the report's two steps and the answer page are also
# checked in tests/browser/test_civic_phone.py)
def test_civic_pages_are_accessible(phone_page, login):
    from squaremile.civic.models import Delivery
    from squaremile.civic.notifications import answer_token
    from squaremile.civic.tests.factories import (
        BodyFactory,
        CategoryFactory,
        RecipientFactory,
        ReportFactory,
        RepresentativeFactory,
    )
    from squaremile.moderation.models import ModerationState
    from squaremile.places.tests.factories import AreaFactory

    area = AreaFactory(name="Westfield", slug="westfield", half=0.02)
    lights = CategoryFactory(name="Street lights")
    body = BodyFactory(name="Westfield Parish Council", areas=[area], categories=[lights])
    elsewhere = CategoryFactory(name="Antisocial behaviour")
    BodyFactory(name="Shire Police", areas=[area], categories=[elsewhere], delivery=Delivery.ELSEWHERE,
                elsewhere_url="https://police.example.org/report")  # fmt: skip
    report = ReportFactory(category=lights, body=body, title="Lamp out", description="By **the school**.")
    rep = RepresentativeFactory(name="Cllr Ada Brook", area=area)
    recipient = RecipientFactory(representative=rep, question__status=ModerationState.PUBLISHED, question__area=area)
    page = phone_page
    login(page, make_user(email="resident@example.org"))
    failures = []
    for url in [
        "/civic/", "/civic/?lat=53.8&lng=-1.55", "/civic/report/",
        f"/civic/report/?category={lights.pk}&lat=53.8&lng=-1.55",
        f"/civic/report/?category={elsewhere.pk}&lat=53.8&lng=-1.55",
        "/civic/reports/", report.get_absolute_url(), "/civic/bodies/", body.get_absolute_url(),
        "/civic/representatives/", rep.get_absolute_url(), "/civic/questions/", f"/civic/questions/ask/?rep={rep.pk}",
        recipient.question.get_absolute_url(), f"/civic/answer/{answer_token(recipient)}/", "/civic/answer/bad/",
        area.get_absolute_url(),
    ]:  # fmt: skip
        page.goto(url)
        failures.append(a11y_report(page, url))
        assert_fits_the_screen(page)
    failures = [f for f in failures if f]
    assert not failures, "\n\n".join(failures)


# civic, for people without an account and a body's staff: the report form with name and e-mail, the
# confirmation page, a used and a replaced answer link, the staff page and the invitation page
def test_civic_no_account_and_staff_pages_are_accessible(phone_page, login):
    from squaremile.civic import services as civic_services
    from squaremile.civic.models import Report
    from squaremile.civic.notifications import answer_token
    from squaremile.civic.tests.factories import BodyFactory, CategoryFactory, RecipientFactory
    from squaremile.core import spaces
    from squaremile.moderation.models import ModerationState
    from squaremile.places.tests.factories import AreaFactory

    area = AreaFactory(name="Westfield", slug="westfield", half=0.02)
    lights = CategoryFactory(name="Street lights")
    body = BodyFactory(name="Westfield Parish Council", areas=[area], categories=[lights])
    draft = Report.objects.create(
        title="Lamp out", category=lights, body=body, lat=53.8, lng=-1.55, moderation=ModerationState.DRAFT,
        reporter_name="Jo", reporter_email="jo@example.org",
    )  # fmt: skip
    used = RecipientFactory(question__status=ModerationState.PUBLISHED, answer="Soon.", answered_version=1)
    replaced = RecipientFactory(question__status=ModerationState.PUBLISHED)
    old_link = answer_token(replaced)
    replaced.link_version = 2
    replaced.save(update_fields=["link_version"])
    admin = make_user(email="head@westfield.example.org")
    spaces.grant(space=body, user=admin, role="organiser", by=None, checked_by_caller=True)
    page = phone_page
    failures = []
    for url in [
        f"/civic/report/?category={lights.pk}&lat=53.8&lng=-1.55",
        f"/civic/reports/confirm/{civic_services.confirm_token(draft)}/", "/civic/reports/confirm/bad/",
        f"/civic/answer/{answer_token(used)}/", f"/civic/answer/{old_link}/",
    ]:  # fmt: skip
        page.goto(url)
        failures.append(a11y_report(page, url))
        assert_fits_the_screen(page)
    login(page, admin)
    for url in [f"/civic/bodies/{body.slug}/staff/", "/civic/staff/join/bad/"]:
        page.goto(url)
        failures.append(a11y_report(page, url))
        assert_fits_the_screen(page)
    failures = [f for f in failures if f]
    assert not failures, "\n\n".join(failures)


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"])
def test_conversation_pages_are_accessible(page, network, login):
    from squaremile.conversations import services as conversations

    owner = network["owner"]
    group = conversations.group_create(
        by=owner, data={"name": "Tool library friends", "purpose": "Lending **tools**.", "area": network["ward"]}
    )
    thread = conversations.thread_start(group=group, by=owner, title="Ladder rota", body="Who has the ladder?")
    post = conversations.reply_post(thread=thread, by=owner, body=f"See {network['org'].get_absolute_url()}")
    other = make_user(email="other@example.org")
    private = conversations.private_conversation_start(by=owner, with_users=[other], first_message="Hello")
    anonymous = _walk(page, [("group directory", "/groups/"), ("group page", group.get_absolute_url()),
                             ("thread page", thread.get_absolute_url())])  # fmt: skip
    login(page, owner)
    paths = [
        ("start a group", "/groups/new/"),
        ("group page, facilitator", group.get_absolute_url()),
        ("group members", f"/groups/{group.slug}/members/"),
        ("new thread", f"/groups/{group.slug}/new/"),
        ("thread page, facilitator", thread.get_absolute_url()),
        ("quote reply", f"/groups/t/{thread.pk}/quote/2/"),
        ("edit post", f"/groups/p/{post.pk}/edit/"),
        ("post history", f"/groups/p/{post.pk}/history/"),
        ("private messages", "/messages/"),
        ("private conversation", private.get_absolute_url()),
        ("write privately", f"/messages/new/?with={other.pk}"),
    ]
    report = "\n\n".join(r for r in [anonymous, _walk(page, paths)] if r)
    assert not report, "Accessibility violations (serious or critical):\n" + report


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"])
def test_stories_pages_are_accessible(page, network, login):
    """Stories (issue 15): the list, a story with a photo, replies and links, the form (empty and
    with errors), my stories, feeds and a feed's page, the booklet's form and print view."""
    from django.core.files.base import ContentFile

    from squaremile.attachments.services import attach_all
    from squaremile.stories.models import StoryComment, StoryFeed
    from squaremile.stories.services import story_tell
    from squaremile.stories.tests.factories import StoryFactory, png_bytes

    organiser = make_user(email="storyteller@example.org", role=Role.ORGANISER)
    data = {"title": "We fixed the playground", "body": "It took **three** Saturdays.", "area": network["ward"]}
    story = story_tell(
        by=organiser, data={**data, "tags": "families, repair"}, about=[network["org"], network["project"]]
    )
    attach_all(owner=story, files=[ContentFile(png_bytes(), name="p.png")], alts=["The new swings"], user=organiser)
    StoryComment.objects.create(story=story, owner=network["owner"], body="Thank you!")
    StoryFactory(
        kind="linked",
        owner=None,
        source="Valley News",
        title="Bakery gives away bread",
        link="https://valley.example.org/x",
    )
    feed = StoryFeed.objects.create(
        title="Valley News",
        url="https://valley.example.org/feed",
        status="error",
        status_message="The feed's address redirects in a loop.",
    )
    login(page, organiser)
    reports = [
        _walk(
            page,
            [
                ("stories list", "/stories/"),
                ("stories by tag", "/stories/?tag=families"),
                ("a story", story.get_absolute_url()),
                ("tell a story", "/stories/tell/"),
                ("change a story (its photos, the map point)", f"/stories/{story.pk}/edit/"),
                ("my stories", "/stories/mine/"),
                ("feeds", "/stories/feeds/"),
                ("a refused feed", feed.get_absolute_url()),
                ("booklet form", "/stories/booklet/"),
                ("booklet print view", "/stories/booklet/?title=Our+stories"),
                ("organisation with stories", network["org"].get_absolute_url()),
            ],
        )
    ]
    page.goto("/stories/tell/")
    page.get_by_role("button", name="Publish my story").click()
    page.locator("#error-summary").wait_for()
    reports.append(_check(page, "tell a story, failed"))
    report = "\n\n".join(r for r in reports if r)
    assert not report, "Accessibility violations (serious or critical):\n" + report


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"])
def test_method_library_and_skills_game_pages_are_accessible(page, taxonomy, login):
    """The method library and the skills game (squaremile.methods), on a phone."""
    import datetime

    from squaremile.methods.demo import install_methods
    from squaremile.methods.game import services as game_services
    from squaremile.methods.game.cards import standard_decks

    organiser = make_user(email="olu@example.org", role=Role.ORGANISER)
    install_methods(by=organiser)
    deck, _ = standard_decks()
    game = game_services.game_create(
        by=organiser,
        name="Skills night",
        deck=deck,
        played_on=datetime.date.today(),
        tables=[("Table 1", "phones"), ("Paper", "paper")],
    )
    phones, paper = game.tables.order_by("id")
    from squaremile.methods.game.selectors import deck_card_ids

    first = deck_card_ids(deck.pk)[0]
    game_services.card_sort(table=phones, card_id=first, pile="can")
    login(page, organiser)
    reports = [
        _walk(
            page,
            [
                ("method library", "/methods/"),
                ("method library, filtered", "/methods/?purpose=skills&people=20&minutes=60&setting=face"),
                (
                    "helper, with suggestions",
                    "/methods/helper/?people=20&minutes=60&setting=face&words=find+out+our+skills",
                ),
                ("method page", "/methods/the-skills-game/"),
                ("method print view", "/methods/the-skills-game/print/"),
                ("we used this", "/methods/the-skills-game/used/"),
                ("share a method", "/methods/new/"),
                ("collections", "/methods/collections/"),
                ("collection", "/methods/collections/a-kit-for-community-enablers/"),
                ("game home", "/game/"),
                ("start a game", "/game/new/"),
                ("decks", "/game/decks/"),
                ("paper cards", f"/game/decks/{deck.pk}/paper/"),
                ("organiser's game page", f"/game/{game.pk}/"),
                ("play (organiser's view)", f"/game/t/{phones.code}/"),
                ("table results", f"/game/t/{phones.code}/results/"),
                ("tally", f"/game/t/{paper.code}/tally/"),
                ("game results", f"/game/{game.pk}/results/"),
            ],
        )
    ]
    report = "\n\n".join(r for r in reports if r)
    assert not report, "Accessibility violations (serious or critical):\n" + report


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"])
def test_skills_game_deck_words_and_group_over_time_pages_are_accessible(page, taxonomy, login):
    """The skills game's deck form (each card's own words) and a group's results over time."""
    import datetime

    from squaremile.methods.game import services as game_services
    from squaremile.methods.game.cards import standard_decks
    from squaremile.methods.game.selectors import deck_card_ids

    organiser = make_user(email="olu@example.org", role=Role.ORGANISER)
    _, short = standard_decks()
    games = [
        game_services.game_create(
            by=organiser,
            name=f"Night {day}",
            deck=short,
            played_on=datetime.date(2026, 2, day),
            tables=[("Paper", "paper")],
            group="Millbrook Tenants",
        )  # fmt: skip
        for day in (1, 20)
    ]
    for n, game in enumerate(games):
        piles = {cid: "can" if i % (3 + n) else "nobody" for i, cid in enumerate(deck_card_ids(short.pk))}
        game_services.tally_save(by=organiser, table=game.tables.get(), piles=piles)
    login(page, organiser)
    reports = [
        _walk(
            page,
            [
                ("copy a deck, each card's words", f"/game/decks/new/?from={short.pk}"),
                ("a group's results over time", f"/game/groups/{games[0].group_key}/"),
            ],
        )
    ]
    page.goto(f"/game/decks/new/?from={short.pk}")
    page.locator("#id_name").fill("")
    page.get_by_role("button", name="Save the deck").click()
    page.locator("#error-summary").wait_for()
    reports.append(_check(page, "copy a deck, failed"))
    report = "\n\n".join(r for r in reports if r)
    assert not report, "Accessibility violations (serious or critical):\n" + report
