"""The issue's "Done when", in real browsers: four people on four phones play a 100-card skills
game at one table and see their coverage; a second table plays on paper and its tally is typed in;
the event's combined result shows; the "nobody we know can" cards become wanted skills with one
confirmation. An organiser finds a method through the helper, prints it, and records "we used this"."""

import datetime
import re
import time

import pytest
from playwright.sync_api import expect

from squaremile.accounts.models import Role
from squaremile.methods.demo import install_methods
from squaremile.methods.game.cards import STANDARD_DECK, standard_decks
from squaremile.methods.models import Game, Method, Pile, Placement, SkillGap, UsageReport
from tests.browser.support import PHONE, a11y_report, assert_fits_the_screen, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PILE_LABELS = {"can": "We can", "friends": "Our friends can", "nobody": "Nobody we know can"}


def pile_for(n: int) -> str:
    """Card n's pile: six in ten "we can", three "friends", one "nobody"."""
    return "can" if n % 10 < 6 else "friends" if n % 10 < 9 else "nobody"


@pytest.fixture
def setting(taxonomy):
    from squaremile.places.tests.factories import AreaFactory

    area = AreaFactory(name="Hebden Ward", slug="hebden-ward")
    organiser = make_user(email="olu@example.org", role=Role.ORGANISER)
    install_methods(by=organiser)
    standard_decks()
    return {"area": area, "organiser": organiser}


def test_four_phones_and_a_paper_table_play_and_the_gaps_become_wants(new_context, login, setting):
    organiser_page = new_context().new_page()
    login(organiser_page, setting["organiser"])

    # The organiser opens a game with a table on phones and a table on paper.
    organiser_page.goto("/game/new/")
    organiser_page.get_by_label("Name of the game").fill("Skills night")
    organiser_page.get_by_label("Deck").select_option(label=STANDARD_DECK)
    organiser_page.get_by_label("Area (optional)").select_option(label="Hebden Ward")
    organiser_page.get_by_label("Tables playing on phones").fill("1")
    organiser_page.get_by_label("Tables playing on paper").fill("1")
    organiser_page.get_by_role("button", name="Open the game").click()
    expect(organiser_page.get_by_role("heading", name="Skills night")).to_be_visible()
    game = Game.objects.get(name="Skills night")
    phones_table, paper_table = list(game.tables.order_by("id"))
    code = phones_table.code
    expect(organiser_page.get_by_text(code)).to_be_visible()
    expect(organiser_page.get_by_role("img", name="QR code to join Table 1")).to_be_visible()

    # Four people join on their phones: two type the code, two open the QR code's address.
    phones = []
    for i, name in enumerate(["Amira", "Ben", "Chloe", "Dev"]):
        page = new_context(viewport=PHONE).new_page()
        if i % 2 == 0:
            page.goto("/game/")
            page.get_by_label("Table code").fill(code.lower())
            page.get_by_label("Your first name").fill(name)
            page.get_by_role("button", name="Join the table").click()
        else:
            page.goto(f"/game/j/{code}/")
            page.get_by_label("Your first name").fill(name)
            page.get_by_role("button", name="Join").click()
        expect(page.locator("[data-progress]")).to_have_text("Card 1 of 100")
        phones.append(page)
    expect(phones[0].locator("[data-players]")).to_contain_text("Dev", timeout=3000)
    assert_fits_the_screen(phones[0])

    # They take turns: each card is sorted on one phone and shows on the others within 2 s.
    seen_delays = []
    for n in range(100):
        page = phones[n % 4]
        expect(page.locator("[data-progress]")).to_have_text(f"Card {n + 1} of 100", timeout=3000)
        text = page.locator("[data-card-text]").inner_text()
        if n == 5:  # one card swiped to the right instead of tapped ("we can")
            box = page.locator("[data-card]").bounding_box()
            y = box["y"] + box["height"] / 2
            page.mouse.move(box["x"] + 40, y)
            page.mouse.down()
            page.mouse.move(box["x"] + 200, y, steps=5)
            page.mouse.up()
        else:
            page.get_by_role("button", name=PILE_LABELS[pile_for(n)]).click()
        if n % 20 == 0:
            # The card shows on another phone without a reload. The 2 s target is measured by
            # bench/game_bench.py on a quiet machine; here a loaded CI runner (several browsers and
            # test workers on two cores) is given room, and the delays are printed.
            other = phones[(n + 1) % 4]
            started = time.monotonic()
            expect(other.locator(f'[data-pile-box="{pile_for(n)}"] [data-pile-recent]')).to_contain_text(
                text, timeout=8000
            )
            seen_delays.append(time.monotonic() - started)
    print("card seen on another phone after (s):", [round(d, 2) for d in seen_delays])
    expect(phones[0].locator("[data-done]")).to_be_visible(timeout=3000)
    assert Placement.objects.filter(table=phones_table).count() == 100

    # Coverage at the end, on every phone.
    phones[0].get_by_role("button", name="We’ve finished: show our results").click()
    expect(phones[0].get_by_text("90%", exact=True)).to_be_visible()
    expect(phones[0].get_by_text("Give yourselves a round of applause!")).to_be_visible()
    expect(phones[2]).to_have_url(re.compile(r"/results/$"), timeout=4000)
    expect(phones[2].get_by_text("We can: 60 cards (60%)")).to_be_visible()

    # The paper table's tally is typed in.
    organiser_page.goto(f"/game/t/{paper_table.code}/tally/")
    rows = organiser_page.locator(".tally-table tbody tr")
    expect(rows).to_have_count(100)
    for n in range(100):
        pile = "friends" if n < 50 else ("can" if n < 97 else "nobody")
        rows.nth(n).locator(f'input[value="{pile}"]').check()
    organiser_page.get_by_role("button", name="Save the tally").click()
    expect(organiser_page.get_by_text("Tally for Paper table 1 saved.")).to_be_visible()

    # The event's combined result: a card counts when any table can do it or knows someone who can.
    organiser_page.goto(f"/game/{game.pk}/results/")
    expect(organiser_page.get_by_role("heading", name="The 2 tables together: 99%")).to_be_visible()
    expect(organiser_page.get_by_role("row", name=re.compile(r"Table 1 .* 90%"))).to_be_visible()

    # "Nobody we know can" becomes wanted skills, with one confirmation.
    gaps = organiser_page.locator(".gaps .tag")
    expect(gaps).to_have_count(1)
    organiser_page.get_by_label("The players agreed").check()
    organiser_page.get_by_role("button", name="Post these as wants").click()
    expect(
        organiser_page.get_by_text(
            "Posted 1 want on Wants and offers for the skills nobody we know has on Hebden Ward."
        )
    ).to_be_visible()
    gap = SkillGap.objects.select_related("want").get(game=game, area=setting["area"])
    assert (
        gap.want.side == "want"
        and list(gap.want.skills.values_list("pk", flat=True)) == [gap.skill_id]
        and gap.want.owner == setting["organiser"]
    )
    organiser_page.goto(setting["area"].get_absolute_url())
    expect(organiser_page.get_by_role("heading", name=re.compile("Skills nobody we know has"))).to_be_visible()
    report = a11y_report(phones[1], "table results on a phone")
    assert not report, report


def test_an_organiser_finds_a_method_with_the_helper_prints_it_and_says_we_used_it(new_context, login, setting):
    page = new_context(viewport=PHONE).new_page()
    login(page, setting["organiser"])
    page.goto("/methods/")
    page.get_by_role("link", name="What should we do? Ask the helper").click()
    page.get_by_label("How many people?").fill("20")
    page.get_by_label("How many minutes do you have?").fill("60")
    page.get_by_label("Face to face").check()
    page.get_by_label("What do you want to do?").fill("find out what skills we have")
    page.get_by_role("button", name="Suggest methods").click()
    first = page.locator(".suggestion").first
    expect(first.get_by_role("link")).to_have_text("The skills game")
    expect(first).to_contain_text("It helps you find out our skills.")
    expect(first).to_contain_text("Works for 20 people")
    first.get_by_role("link", name="The skills game").click()
    expect(page.get_by_role("heading", name="The skills game", level=1)).to_be_visible()
    expect(page.get_by_text("Sort the cards")).to_be_visible()

    page.get_by_role("link", name="Print it").click()
    expect(page.get_by_role("heading", name="The skills game")).to_be_visible()
    expect(page.get_by_text("CC BY-SA 4.0")).to_be_visible()
    pdf = page.request.get(page.url + "?format=pdf")
    assert pdf.status == 200 and pdf.body()[:5] == b"%PDF-"
    page.go_back()

    page.get_by_role("link", name="We used this").click()
    page.get_by_label("Where?").fill("The community centre")
    page.get_by_label("How many people took part?").fill("20")
    page.get_by_label("What worked?").fill("Everyone spoke; the room clapped at 93%.")
    page.get_by_role("button", name="Save our report").click()
    expect(page.get_by_role("heading", name="Groups who used it (1)")).to_be_visible()
    expect(page.get_by_text("the room clapped at 93%")).to_be_visible()
    method = Method.objects.get(name="The skills game")
    assert method.use_count == 1 and UsageReport.objects.filter(method=method).count() == 1


def test_the_shared_screen_sorts_with_the_keyboard(new_context, login, setting):
    """One shared screen (a projector): no joining, keys 1, 2 and 3 sort the card on the table."""
    from squaremile.methods.game import services as game_services
    from squaremile.methods.models import Deck

    deck = Deck.objects.get(name=STANDARD_DECK)
    game = game_services.game_create(
        by=setting["organiser"],
        name="Screen game",
        deck=deck,
        played_on=datetime.date.today(),
        tables=[("Screen 1", "screen")],
    )
    table = game.tables.get()
    page = new_context().new_page()
    page.goto(f"/game/t/{table.code}/")
    expect(page.locator("[data-progress]")).to_have_text("Card 1 of 100")
    page.keyboard.press("1")
    expect(page.locator("[data-progress]")).to_have_text("Card 2 of 100")
    page.keyboard.press("3")
    expect(page.locator("[data-progress]")).to_have_text("Card 3 of 100")
    expect(page.locator('[data-pile-box="nobody"] [data-pile-count]')).to_have_text("1")
    assert list(Placement.objects.filter(table=table).order_by("id").values_list("pile", flat=True)) == [
        Pile.CAN,
        Pile.NOBODY,
    ]
    # Put back a card: it returns to the table.
    page.locator('[data-pile-box="nobody"]').get_by_role("button", name=re.compile("Put back")).click()
    expect(page.locator("[data-progress]")).to_have_text("Card 2 of 100")


def test_an_organiser_rephrases_cards_in_a_deck_copy_and_a_group_sees_its_results_over_time(
    new_context, login, setting
):
    """A deck copy says a card its own way (the phones show it); a group that plays twice sees its
    coverage over time."""
    from squaremile.methods.game import services as game_services
    from squaremile.methods.game.cards import SHORT_DECK
    from squaremile.methods.game.selectors import deck_card_ids
    from squaremile.methods.models import Card, Deck

    short = Deck.objects.get(name=SHORT_DECK)
    first = Card.objects.filter(deck_entries__deck=short).order_by("family__position", "family__name", "text").first()
    page = new_context(viewport=PHONE).new_page()
    login(page, setting["organiser"])
    page.goto("/game/decks/")
    page.get_by_role("link", name=f"Copy and change {SHORT_DECK}").click()
    page.locator("#id_name").fill("Millbrook deck")
    words = page.get_by_label(f"Words on the card for the skill {first.skill.name}")
    expect(words).to_have_value(first.text)
    words.fill("Mend a leaking pipe")
    assert_fits_the_screen(page)
    page.get_by_role("button", name="Save the deck").click()
    expect(page.get_by_text("Saved “Millbrook deck” (40 cards).")).to_be_visible()
    deck = Deck.objects.get(name="Millbrook deck")
    assert deck_card_ids(deck.pk)[0] == first.pk

    # An earlier game of the same group, played on paper.
    earlier = game_services.game_create(
        by=setting["organiser"], name="First skills night", deck=deck, played_on=datetime.date(2026, 1, 10),
        tables=[("Paper table", "paper")], group="Millbrook Tenants",
    )  # fmt: skip
    ids = deck_card_ids(deck.pk)
    game_services.tally_save(
        by=setting["organiser"], table=earlier.tables.get(), piles={cid: pile_for(n + 5) for n, cid in enumerate(ids)}
    )

    # Tonight's game, for the same group, with the rephrased deck.
    page.goto("/game/new/")
    page.get_by_label("Name of the game").fill("Tenants' skills night")
    page.get_by_label("Deck").select_option(label="Millbrook deck")
    page.get_by_label("Who is playing? (optional)").fill("Millbrook  tenants")
    page.get_by_label("Tables playing on phones").fill("1")
    page.get_by_role("button", name="Open the game").click()
    game = Game.objects.get(name="Tenants' skills night")
    code = game.tables.get().code
    phone = new_context(viewport=PHONE).new_page()
    phone.goto(f"/game/j/{code}/")
    phone.get_by_label("Your first name").fill("Amira")
    phone.get_by_role("button", name="Join").click()
    expect(phone.locator("[data-card-text]")).to_have_text("Mend a leaking pipe")
    for n in range(40):
        expect(phone.locator("[data-progress]")).to_have_text(f"Card {n + 1} of 40", timeout=3000)
        phone.get_by_role("button", name=PILE_LABELS[pile_for(n)]).click()
    expect(phone.locator("[data-done]")).to_be_visible(timeout=3000)

    # The game's results lead to the group's results over time.
    page.goto(f"/game/{game.pk}/results/")
    page.get_by_role("link", name="its results over time").click()
    expect(page.get_by_role("heading", name="Millbrook Tenants: results over time")).to_be_visible()
    rows = page.locator("table.compare-table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Tenants' skills night")
    expect(rows.nth(1)).to_contain_text("First skills night")
    expect(page.get_by_role("img", name=re.compile("Together: 10 Jan 2026"))).to_be_visible()
    assert_fits_the_screen(page)
    report = a11y_report(page, "group results over time")
    assert not report, report
