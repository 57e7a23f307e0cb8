"""A table's and a game's results: how many cards each pile holds, coverage as a percentage, by
skill family; several tables together (a card counts for the best pile any table put it on)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, F

from squaremile.methods.models import Card, DeckCard, Game, GameTable, Pile, Placement

PILE_ORDER = {Pile.CAN: 0, Pile.FRIENDS: 1, Pile.NOBODY: 2}


def pct(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


@dataclass
class Tally:
    can: int = 0
    friends: int = 0
    nobody: int = 0
    deck: int = 0  # cards in the deck

    @property
    def sorted(self) -> int:
        return self.can + self.friends + self.nobody

    @property
    def together(self) -> int:
        return self.can + self.friends

    @property
    def can_pct(self) -> int:
        return pct(self.can, self.sorted)

    @property
    def friends_pct(self) -> int:
        return pct(self.friends, self.sorted)

    @property
    def nobody_pct(self) -> int:
        return max(0, 100 - self.can_pct - self.friends_pct) if self.sorted else 0

    @property
    def together_pct(self) -> int:
        return pct(self.together, self.sorted)

    def add(self, pile: str) -> None:
        setattr(self, pile, getattr(self, pile) + 1)


@dataclass
class FamilyRow:
    name: str
    tally: Tally


@dataclass
class Result:
    title: str
    tally: Tally
    families: list[FamilyRow] = field(default_factory=list)
    nobody_cards: list[Card] = field(default_factory=list)
    can_cards: list[Card] = field(default_factory=list)
    tables: list = field(default_factory=list)  # (table, Result) for a game


def _deck_cards(deck_id: int) -> list[Card]:
    """The deck's cards, each saying what the deck says (`DeckCard.text`, else the card's words)."""
    cards = list(
        Card.objects.filter(deck_entries__deck_id=deck_id)
        .annotate(deck_text=F("deck_entries__text"))
        .select_related("family")
        .order_by("family__position", "family__name", "text")
    )
    for card in cards:
        card.text = card.deck_text or card.text
    return cards


def _result(title: str, cards: list[Card], best: dict[int, str]) -> Result:
    tally = Tally(deck=len(cards))
    families: dict[str, Tally] = {}
    nobody, can = [], []
    for card in cards:
        pile = best.get(card.pk)
        row = families.setdefault(card.family.name, Tally())
        row.deck += 1
        if pile is None:
            continue
        tally.add(pile)
        row.add(pile)
        if pile == Pile.NOBODY:
            nobody.append(card)
        elif pile == Pile.CAN:
            can.append(card)
    return Result(
        title=title,
        tally=tally,
        families=[FamilyRow(name, t) for name, t in families.items()],
        nobody_cards=nobody,
        can_cards=can,
    )


def table_results(table: GameTable, *, cards: list[Card] | None = None) -> Result:
    cards = cards if cards is not None else _deck_cards(table.game.deck_id)
    best = dict(Placement.objects.filter(table=table).values_list("card_id", "pile"))
    return _result(table.name, cards, best)


def game_results(game: Game) -> Result:
    """Every table of the game, and all of them together."""
    cards = _deck_cards(game.deck_id)
    tables = list(game.tables.all())
    per_table: dict[int, dict[int, str]] = {t.pk: {} for t in tables}
    best: dict[int, str] = {}
    for table_id, card_id, pile in Placement.objects.filter(table__game=game).values_list(
        "table_id", "card_id", "pile"
    ):
        per_table[table_id][card_id] = pile
        if card_id not in best or PILE_ORDER[pile] < PILE_ORDER[best[card_id]]:
            best[card_id] = pile
    n = len(tables)
    combined = _result(f"The {n} tables together" if n != 1 else "The table", cards, best)
    combined.tables = [(t, _result(t.name, cards, per_table[t.pk])) for t in tables]
    return combined


@dataclass
class Played:
    """One game of a group, for its results over time."""

    game: Game
    tally: Tally
    change: int | None = None  # points of "together" since the group's previous game


def over_time(games: list[Game]) -> list[Played]:
    """A group's games, oldest first, each with its tables together (a card counts for the best pile
    any table put it on): two queries, however many games."""
    games = sorted(games, key=lambda g: (g.played_on, g.pk))
    if not games:
        return []
    best: dict[int, dict[int, str]] = {g.pk: {} for g in games}
    for game_id, card_id, pile in Placement.objects.filter(table__game__in=games).values_list(
        "table__game_id", "card_id", "pile"
    ):
        have = best[game_id].get(card_id)
        if have is None or PILE_ORDER[pile] < PILE_ORDER[have]:
            best[game_id][card_id] = pile
    sizes = dict(
        DeckCard.objects.filter(deck_id__in={g.deck_id for g in games})
        .values("deck_id")
        .annotate(n=Count("id"))
        .values_list("deck_id", "n")
    )
    out: list[Played] = []
    for game in games:
        tally = Tally(deck=sizes.get(game.deck_id, 0))
        for pile in best[game.pk].values():
            tally.add(pile)
        previous = next((p for p in reversed(out) if p.tally.sorted), None)
        change = tally.together_pct - previous.tally.together_pct if previous and tally.sorted else None
        out.append(Played(game=game, tally=tally, change=change))
    return out
