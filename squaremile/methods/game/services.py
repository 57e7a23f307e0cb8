"""Writes of the skills game: open a game with its tables, join a table, sort a card, type in a
paper tally, finish, and, with the players' consent, feed the results to the rest of Square Mile.

Every change a table's phones must see raises `GameTable.version` in the same transaction (one
UPDATE), so a phone polls `state` with the version it has and gets "nothing new" (304) for free.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from squaremile.accounts import services as accounts
from squaremile.audit import services as audit
from squaremile.core import records
from squaremile.core.permissions import require
from squaremile.exchange import services as exchange
from squaremile.exchange.models import Kind, Side, Where
from squaremile.methods.game import results
from squaremile.methods.models import (
    Card,
    Deck,
    DeckCard,
    Game,
    GameTable,
    Pile,
    Placement,
    Player,
    SkillGap,
    TableMode,
)

MAX_TABLES = 40
MAX_PLAYERS = 12


@transaction.atomic
def game_create(
    *,
    by,
    name: str,
    deck: Deck,
    played_on: datetime.date,
    tables: list[tuple[str, str]],
    area=None,
    event_ref: str = "",
    group: str = "",
) -> Game:
    """`group`: who is playing (optional): a team's name, or a link to the page of an organisation
    or a group on Square Mile; games of the same group are compared over time."""
    require(by, "game.add")
    if not tables:
        raise ValidationError({"tables": "Add at least one table."})
    if len(tables) > MAX_TABLES:
        raise ValidationError({"tables": f"At most {MAX_TABLES} tables in one game."})
    group_name, group_ref, group_key = group_of(by=by, text=group)
    game = Game.objects.create(
        name=name, deck=deck, owner=by, played_on=played_on, area=area, event_ref=event_ref,
        group_name=group_name, group_ref=group_ref, group_key=group_key,
    )  # fmt: skip
    for table_name, mode in tables:
        _table_create(game=game, name=table_name, mode=mode)
    audit.record(actor=by, action="game.created", target=game, note=f"{len(tables)} tables, deck {deck.name}")
    return game


GROUP_KINDS = ("directory.organisation", "conversations.group", "directory.project")


def group_of(*, by, text: str) -> tuple[str, str, str]:
    """(name, record reference, key) of the group a game is played by: a link to an organisation's,
    a project's or a conversations group's page (which `by` may see), or a team's name."""
    text = " ".join((text or "").split())
    if not text:
        return "", "", ""
    if text.startswith(("/", "http://", "https://")):
        obj = records.resolve_url(text, user=by)
        if obj is None or obj._meta.label_lower not in GROUP_KINDS:
            raise ValidationError(
                {"group": "That link is not the page of an organisation, project or group you can see. "
                          "Paste the address of its page, or type the group's name."}
            )  # fmt: skip
        ref = records.ref_of(obj)
        card = records.card(obj)
        return (card.title if card else str(obj))[:140], ref, ref
    key = slugify(text)[:150]
    if not key:
        raise ValidationError({"group": "Give the group a name with some letters or numbers in it."})
    return text[:140], "", f"team:{key}"


def _table_create(*, game: Game, name: str, mode: str) -> GameTable:
    if mode not in TableMode.values:
        raise ValidationError({"mode": "Choose phones, a shared screen or paper."})
    for _ in range(5):  # a code clash is rare: try another
        try:
            with transaction.atomic():
                return GameTable.objects.create(game=game, name=name[:60], mode=mode)
        except IntegrityError:
            continue
    raise ValidationError("Could not find a free table code: try again.")


@transaction.atomic
def table_add(*, by, game: Game, name: str, mode: str) -> GameTable:
    require(by, "game.change", game)
    if game.tables.count() >= MAX_TABLES:
        raise ValidationError({"name": f"At most {MAX_TABLES} tables in one game."})
    return _table_create(game=game, name=name, mode=mode)


@transaction.atomic
def player_join(*, table: GameTable, name: str, user=None) -> Player:
    """Anyone with the table's code joins (no account needed); a signed-in person is remembered so
    that the skills they say they have can go to their profile afterwards."""
    name = name.strip()[:40]
    if not name:
        raise ValidationError({"name": "Say what the table should call you."})
    if table.players.count() >= MAX_PLAYERS:
        raise ValidationError({"name": f"This table is full ({MAX_PLAYERS} players): join another table."})
    player = Player.objects.create(table=table, name=name, user=user if getattr(user, "pk", None) else None)
    _bump(table)
    return player


def _bump(table: GameTable) -> int:
    """Raise the table's version; returns the new one (one statement: UPDATE ... RETURNING, which
    PostgreSQL and SQLite 3.35+ both speak)."""
    with connection.cursor() as cursor:
        cursor.execute("UPDATE methods_gametable SET version = version + 1 WHERE id = %s RETURNING version", [table.pk])
        row = cursor.fetchone()
    return row[0] if row else 0


def _deck_has(table: GameTable, card_id: int) -> bool:
    return DeckCard.objects.filter(deck_id=table.game.deck_id, card_id=card_id).exists()


@transaction.atomic
def card_sort(*, table: GameTable, card_id: int, pile: str, player: Player | None = None) -> int:
    """Put a card on a pile (or move it to another). Returns the table's new version."""
    if pile not in Pile.values:
        raise ValidationError({"pile": "Choose one of the three piles."})
    if table.finished_at is not None:
        raise ValidationError("This table has finished: its piles are kept as they are.")
    if not _deck_has(table, card_id):
        raise ValidationError({"card": "That card is not in this game's deck."})
    # One statement whether the card is new to the piles or moves (two phones at once: the later wins).
    Placement.objects.bulk_create(
        [Placement(table=table, card_id=card_id, pile=pile, player=player, placed_at=timezone.now())],
        update_conflicts=True,
        unique_fields=["table", "card"],
        update_fields=["pile", "player", "placed_at"],
    )
    return _bump(table)


@transaction.atomic
def card_unsort(*, table: GameTable, card_id: int) -> int:
    """Take a card back off its pile (undo): it comes back to the table."""
    if table.finished_at is not None:
        raise ValidationError("This table has finished: its piles are kept as they are.")
    Placement.objects.filter(table=table, card_id=card_id).delete()
    return _bump(table)


@transaction.atomic
def table_finish(*, table: GameTable, by=None) -> GameTable:
    """The table says it is done (any player may: the organiser can reopen)."""
    if table.finished_at is None:
        table.finished_at = timezone.now()
        table.save(update_fields=["finished_at"])
        _bump(table)
    return table


@transaction.atomic
def table_reopen(*, by, table: GameTable) -> GameTable:
    require(by, "game.change", table.game)
    table.finished_at = None
    table.save(update_fields=["finished_at"])
    _bump(table)
    return table


@transaction.atomic
def tally_save(*, by, table: GameTable, piles: dict[int, str]) -> GameTable:
    """A paper table's tally, typed in by an organiser: `piles` is {card id: pile} for the cards
    the tally sheet marks; the table's piles become exactly that, and the table is finished."""
    require(by, "game.change", table.game)
    deck_ids = set(DeckCard.objects.filter(deck_id=table.game.deck_id).values_list("card_id", flat=True))
    bad = [cid for cid, pile in piles.items() if cid not in deck_ids or pile not in Pile.values]
    if bad:
        raise ValidationError({"piles": "Some marks are not cards of this deck or not a pile."})
    Placement.objects.filter(table=table).delete()
    Placement.objects.bulk_create([Placement(table=table, card_id=cid, pile=pile) for cid, pile in piles.items()])
    table.finished_at = timezone.now()
    table.save(update_fields=["finished_at"])
    _bump(table)
    audit.record(actor=by, action="game.tally_entered", target=table.game, note=f"{table.name}: {len(piles)} cards")
    return table


# --- feeding the rest of Square Mile (with consent) ------------------------------------------------


@transaction.atomic
def gaps_record(*, by, game: Game) -> list[SkillGap]:
    """The players agreed: every card nobody at any table (nor their friends) could do becomes a
    want on the exchange, posted by the organiser (people who have the skill are told by the
    exchange's matching), and a recorded gap on the game's area (shown on the area's page)."""
    require(by, "game.change", game)
    combined = results.game_results(game)
    have = set(SkillGap.objects.filter(game=game).values_list("skill_id", flat=True))
    cards = [c for c in combined.nobody_cards if c.skill_id and c.skill_id not in have]
    gaps = []
    for card in cards:
        want = exchange.item_create(by=by, fields=_want_fields(game, card), check_rate=False)
        gaps.append(SkillGap(game=game, skill_id=card.skill_id, area=game.area, want=want))
    SkillGap.objects.bulk_create(gaps)
    game.gaps_recorded_at = timezone.now()
    game.save(update_fields=["gaps_recorded_at"])
    audit.record(actor=by, action="game.gaps_recorded", target=game, note=f"{len(gaps)} skills nobody we know has")
    return gaps


def _want_fields(game: Game, card: Card) -> dict:
    area = game.area
    fields = {
        "side": Side.WANT,
        "kind": Kind.HELP,
        "skill": card.skill,
        "title": f"Someone who can help with: {card.text}"[:140],
        "details": (
            f"At the skills game “{game.name}” ({game.played_on:%d %B %Y}) nobody at any table, nor their friends, "
            "could do this. Can you, or do you know someone who can?"
        )[:3000],
        "ongoing": False,
    }
    if area is not None and area.centroid_lat is not None and area.centroid_lng is not None:
        fields.update(where=Where.POINT, lat=area.centroid_lat, lng=area.centroid_lng, radius_m=1609)
    else:
        fields["where"] = Where.ANYWHERE
    return fields


@transaction.atomic
def player_skills_add(*, by, player: Player, card_ids: list[int]) -> int:
    """A signed-in player ticks the "we can" cards that are theirs: they go on their profile."""
    if not getattr(by, "pk", None) or player.user_id != by.pk:
        raise ValidationError("Only the player themself can add skills to their profile.")
    can_ids = set(
        Placement.objects.filter(table=player.table, pile=Pile.CAN, card_id__in=card_ids).values_list(
            "card_id", flat=True
        )
    )
    skill_ids = list(Card.objects.filter(pk__in=can_ids).exclude(skill=None).values_list("skill_id", flat=True))
    profile = accounts.profile_for(by)
    current = list(profile.skills.values_list("pk", flat=True))
    accounts.profile_update(profile=profile, by=by, data={"skills": sorted(set(current) | set(skill_ids))})
    return len(set(skill_ids) - set(current))


@transaction.atomic
def deck_save(
    *,
    by,
    name: str,
    description: str = "",
    cards: list[Card],
    deck: Deck | None = None,
    texts: dict[int, str] | None = None,
) -> Deck:
    """An organiser's own deck (or their changes to it): the cards in the order given, each in the
    deck's own words where `texts` ({card id: words}) says so."""
    if deck is None:
        require(by, "deck.add")
        deck = Deck(owner=by)
    else:
        require(by, "deck.change", deck)
    if len(cards) < 10:
        raise ValidationError({"cards": "A deck needs at least 10 cards."})
    deck.name, deck.description = name[:120], description[:300]
    deck.save()
    DeckCard.objects.filter(deck=deck).delete()
    texts = texts or {}
    DeckCard.objects.bulk_create(
        [
            DeckCard(deck=deck, card=c, position=i, text=_words(texts.get(c.pk), c))
            for i, c in enumerate(dict.fromkeys(cards))
        ]
    )
    audit.record(actor=by, action="deck.saved", target=deck, note=f"{len(cards)} cards")
    return deck


def _words(text: str | None, card: Card) -> str:
    text = " ".join((text or "").split())[:120]
    return "" if text == card.text else text
