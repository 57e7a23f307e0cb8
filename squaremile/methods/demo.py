"""Demo data of the method library and the skills game: Square Mile's starter methods
(`content.py`), two collections, "we used this" reports from demo people, the standard decks, and
one played game (a table of four on phones and a paper table, its gaps recorded on an area)."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from squaremile.audit import services as audit
from squaremile.methods import content, services
from squaremile.methods.game import cards as game_cards
from squaremile.methods.models import (
    Collection,
    CollectionItem,
    Game,
    GameTable,
    Method,
    MethodStep,
    Pile,
    Placement,
    Player,
    TableMode,
    UsageReport,
    purposes_text,
)
from squaremile.moderation.models import ModerationState as S
from squaremile.places.models import Area

PLACES = ["the community centre", "St Mark's hall", "the library", "the park café", "the school hall", "online"]
WORKED = [
    "Everyone spoke, even the quiet ones.",
    "People stayed afterwards to carry on talking.",
    "Short timings kept the energy up.",
    "Mixing tables meant new people met.",
]
DIDNT = ["We ran over time.", "The room was too noisy for small groups.", "Too few people came from the estate.", ""]


def install_methods(*, by=None) -> list[Method]:
    """The starter methods and collections (skipped when a method of that name exists)."""
    have = set(Method.objects.values_list("slug", flat=True))
    now = timezone.now()
    made = []
    for (
        name,
        summary,
        purposes,
        lo,
        hi,
        minutes,
        setting,
        difficulty,
        materials,
        steps,
        tips,
        origin,
    ) in content.METHODS:
        slug = slugify(name)
        if slug in have:
            continue
        method = Method.objects.create(
            slug=slug, name=name, summary=summary, purposes=purposes_text(purposes), min_people=lo, max_people=hi,
            minutes=minutes, setting=setting, difficulty=difficulty, materials=materials, tips=tips, origin=origin,
            status=S.PUBLISHED, published_at=now, owner=by, external_id=slug,
            description=f"{summary}\n\nA Square Mile starter method: adapt it to your group.",
        )  # fmt: skip
        MethodStep.objects.bulk_create(
            [MethodStep(method=method, position=i, title=t, minutes=m, text=x) for i, (t, m, x) in enumerate(steps)]
        )
        audit.record(actor=by, action="method.created", target=method, note="Square Mile starter library")
        services.reindex(method)
        made.append(method)
    by_name = {m.name: m for m in Method.objects.all()}
    for title, description, names in content.COLLECTIONS:
        collection, created = Collection.objects.get_or_create(
            slug=slugify(title), defaults={"title": title, "description": description, "owner": by}
        )
        if created:
            CollectionItem.objects.bulk_create(
                [
                    CollectionItem(collection=collection, method=by_name[n], position=i)
                    for i, n in enumerate(names)
                    if n in by_name
                ]
            )
    return made


@transaction.atomic
def seed(*, rng, size, stdout=None) -> dict:
    User = get_user_model()
    organiser = User.objects.filter(email="organiser@example.org").first()
    people = list(User.objects.filter(is_active=True).order_by("id")[:200])
    install_methods(by=organiser)
    methods = list(Method.objects.filter(status=S.PUBLISHED).order_by("id"))
    reports = []
    today = timezone.localdate()
    for _ in range(max(20, size.organisations // 2)):
        m = rng.choice(methods)
        reports.append(UsageReport(
            method=m, owner=rng.choice(people) if people else None,
            used_on=today - datetime.timedelta(days=rng.randint(1, 700)), place=rng.choice(PLACES),
            people=rng.randint(max(m.min_people, 2), min(m.max_people, 60)),
            worked=rng.choice(WORKED), did_not_work=rng.choice(DIDNT),
        ))  # fmt: skip
    UsageReport.objects.bulk_create(reports)
    counts: dict[int, int] = {}
    for r in reports:
        counts[r.method_id] = counts.get(r.method_id, 0) + 1
    for m in methods:
        if m.pk in counts:
            Method.objects.filter(pk=m.pk).update(use_count=counts[m.pk])

    deck, _short = game_cards.standard_decks()
    area = Area.objects.order_by("id").first()
    game = Game.objects.create(
        name="Skills night at the community centre",
        deck=deck,
        owner=organiser,
        area=area,
        played_on=today - datetime.timedelta(days=10),
    )
    cards = list(deck.cards.order_by("deck_entries__position"))
    for name, mode, odds in (
        ("Table 1", TableMode.PHONES, (0.55, 0.35)),
        ("Paper table", TableMode.PAPER, (0.45, 0.4)),
    ):
        table = GameTable.objects.create(game=game, name=name, mode=mode, finished_at=timezone.now())
        players = []
        if mode == TableMode.PHONES:
            players = [Player.objects.create(table=table, name=n) for n in ("Amira", "Ben", "Chloe", "Dev")]
        placements = []
        for card in cards:
            roll = rng.random()
            pile = Pile.CAN if roll < odds[0] else Pile.FRIENDS if roll < odds[0] + odds[1] else Pile.NOBODY
            placements.append(
                Placement(table=table, card=card, pile=pile, player=rng.choice(players) if players else None)
            )
        Placement.objects.bulk_create(placements)
    gaps = []
    if organiser is not None:  # the players agreed: the gaps become wants on the exchange
        from squaremile.methods.game import services as game_services

        gaps = game_services.gaps_record(by=organiser, game=game)
    return {"methods": len(methods), "method_reports": len(reports), "game_cards": len(cards), "skill_gaps": len(gaps)}
