"""The game's cards, written by Square Mile from its own skills taxonomy, and the standard decks."""

from __future__ import annotations

from django.db import transaction

from squaremile.directory.models import Skill
from squaremile.methods.models import Card, Deck, DeckCard

STANDARD_DECK = "Square Mile skills: 100 cards"
SHORT_DECK = "Square Mile skills: short deck (40 cards)"


def _round_robin(skills_by_family: list[list[Skill]], count: int) -> list[Skill]:
    """`count` skills taken in turn from each family, so a short deck still covers every family."""
    chosen, i = [], 0
    while len(chosen) < count and any(i < len(f) for f in skills_by_family):
        for family in skills_by_family:
            if i < len(family) and len(chosen) < count:
                chosen.append(family[i])
        i += 1
    return chosen


@transaction.atomic
def ensure_cards() -> list[Card]:
    """A card for every skill of the taxonomy (once): the skill's name is the card, its description
    the hint read out when the table is unsure."""
    have = set(Card.objects.exclude(skill=None).values_list("skill_id", flat=True))
    new = [
        Card(skill=s, family_id=s.family_id, text=s.name[:120], hint=s.description[:200])
        for s in Skill.objects.select_related("family").order_by("family__position", "family__name", "name")
        if s.pk not in have
    ]
    Card.objects.bulk_create(new)
    cards = list(Card.objects.select_related("family", "skill").order_by("family__position", "family__name", "text"))
    for position, card in enumerate(cards):
        card.position = position
    Card.objects.bulk_update(cards, ["position"])
    return cards


def _families(cards: list[Card]) -> list[list[Card]]:
    by_family: dict[int, list[Card]] = {}
    for card in cards:
        by_family.setdefault(card.family_id, []).append(card)
    return list(by_family.values())


@transaction.atomic
def standard_decks() -> tuple[Deck, Deck]:
    """The 100-card deck and the 40-card short deck (made once)."""
    cards = ensure_cards()
    decks = []
    for name, count, words in (
        (STANDARD_DECK, 100, "A hundred everyday skills from every family of the skills list."),
        (SHORT_DECK, 40, "Forty cards, every family: for a half-hour session."),
    ):
        deck = Deck.objects.filter(name=name, owner=None).first()
        if deck is None:
            deck = Deck.objects.create(name=name, description=words)
            picked = _round_robin(_families(cards), count)
            DeckCard.objects.bulk_create([DeckCard(deck=deck, card=c, position=i) for i, c in enumerate(picked)])
        decks.append(deck)
    return decks[0], decks[1]
