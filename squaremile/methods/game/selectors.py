"""Reads of the skills game: a table by its code, what a table's phones show (the state, built
only when the version moved on), the organiser's games and the decks."""

from __future__ import annotations

from django.db import connection
from django.db.models import F

from squaremile.core.permissions import can
from squaremile.methods.models import Card, Deck, DeckCard, Game, GameTable, Pile, Placement, Player

RECENT = 6  # cards shown on each pile


def normalise_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())[:8]


def table_by_code(code: str) -> GameTable | None:
    return GameTable.objects.select_related("game", "game__deck").filter(code=normalise_code(code)).first()


def table_version(code: str) -> int | None:
    """The one cheap read a polling phone costs while nothing changes: one indexed row, written as
    plain SQL (building the ORM query cost more than running it)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT version FROM methods_gametable WHERE code = %s", [normalise_code(code)])
        row = cursor.fetchone()
    return row[0] if row else None


def deck_card_ids(deck_id: int) -> list[int]:
    return list(DeckCard.objects.filter(deck_id=deck_id).order_by("position", "id").values_list("card_id", flat=True))


def table_state(table: GameTable, *, version: int | None = None) -> dict:
    """Everything a table's screen shows: the card on the table, the piles (counts and the last
    few cards), who is playing, and whether it is finished. Plain data (JSON for the phones)."""
    deck = list(
        DeckCard.objects.filter(deck_id=table.game.deck_id).order_by("position", "id").values_list("card_id", "text")
    )
    order = [cid for cid, _ in deck]
    words = {cid: text for cid, text in deck if text}  # the deck's own phrasing of a card
    placed = list(Placement.objects.filter(table=table).order_by("-placed_at", "-id").values_list("card_id", "pile"))
    done = {cid for cid, _ in placed}
    remaining = [cid for cid in order if cid not in done]
    current_id = remaining[0] if remaining else None
    recent_ids = {cid for cid, _ in placed[: RECENT * 3 * 2]}
    wanted = recent_ids | ({current_id} if current_id else set())
    cards = {c.pk: c for c in Card.objects.filter(pk__in=wanted).select_related("family")}
    piles = {p: {"key": p, "label": label, "count": 0, "recent": []} for p, label in Pile.choices}
    for cid, pile in placed:
        entry = piles[pile]
        entry["count"] += 1
        if len(entry["recent"]) < RECENT and cid in cards:
            entry["recent"].append({"id": cid, "text": words.get(cid) or cards[cid].text})
    current = cards.get(current_id)
    return {
        "version": version if version is not None else table.version,
        "table": table.name,
        "code": table.code,
        "finished": table.finished_at is not None,
        "deck_size": len(order),
        "sorted": len(done),
        "remaining": len(remaining),
        "number": len(done) + 1 if current else len(done),
        "card": {
            "id": current.pk,
            "text": words.get(current.pk) or current.text,
            "hint": current.hint,
            "family": current.family.name,
        }
        if current
        else None,
        "piles": list(piles.values()),
        "players": list(Player.objects.filter(table=table).values_list("name", flat=True)),
    }


def games_of(user):
    if not getattr(user, "pk", None):
        return Game.objects.none()
    return Game.objects.filter(owner=user).select_related("deck").prefetch_related("tables")


def game_for(user, pk: int) -> Game | None:
    game = Game.objects.select_related("deck", "area", "owner").filter(pk=pk).first()
    if game is None or not can(user, "game.change", game):
        return None
    return game


def decks():
    return Deck.objects.order_by("name", "id")


def deck_cards(deck: Deck) -> list[Card]:
    """The deck's cards in its order, each saying what the deck says (`text`; the card's own words
    stay in `card_text`)."""
    cards = list(
        Card.objects.filter(deck_entries__deck=deck)
        .annotate(deck_text=F("deck_entries__text"))
        .select_related("family")
        .order_by("deck_entries__position")
    )
    for card in cards:
        card.card_text = card.text
        card.text = card.deck_text or card.text
    return cards


def player_from_session(session, table: GameTable) -> Player | None:
    token = (session.get("game_players") or {}).get(str(table.pk))
    if not token:
        return None
    return Player.objects.filter(table=table, token=token).first()


def may_see_game_results(user, session, game: Game) -> bool:
    """The organiser, and anyone who joined or opened one of its tables."""
    if can(user, "game.change", game):
        return True
    tables = set(GameTable.objects.filter(game=game).values_list("pk", flat=True))
    joined = {int(k) for k in (session.get("game_players") or {}) if str(k).isdigit()}
    opened = set(session.get("game_tables") or [])
    return bool(tables & (joined | opened))


GROUP_GAMES = 60  # the latest games of a group shown over time


def group_games(user, session, key: str) -> list[Game]:
    """The games of one group (`Game.group_key`) this person may see the results of: the ones they
    organise (or any, for an administrator), and the ones whose tables they joined or opened."""
    if not key:
        return []
    games = list(
        Game.objects.filter(group_key=key).select_related("deck", "owner").order_by("-played_on", "-id")[:GROUP_GAMES]
    )
    joined = {int(k) for k in (session.get("game_players") or {}) if str(k).isdigit()}
    opened = set(session.get("game_tables") or []) | joined
    at_tables = set(
        GameTable.objects.filter(game__in=games, pk__in=opened).values_list("game_id", flat=True) if opened else []
    )
    return [g for g in games if g.pk in at_tables or can(user, "game.change", g)]
