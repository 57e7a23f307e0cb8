"""The game's cards, written by Square Mile from its own skills taxonomy, and the standard decks.

A card says a skill the way people at a table would say it ("Fix a dripping tap"), not the
taxonomy's name for it ("Plumbing"): `PHRASINGS` holds Square Mile's own words for every skill of
the starting taxonomy (content: CC BY-SA 4.0, like the methods); a skill added later starts with
its name until someone rephrases it. An organiser's deck can say any card its own way
(`DeckCard.text`)."""

from __future__ import annotations

from django.db import transaction

from squaremile.directory.models import Skill
from squaremile.methods.models import Card, Deck, DeckCard

PHRASINGS = {
    # Organising & facilitation
    "chairing-meetings": "Chair a meeting so everyone gets a say",
    "facilitating-workshops": "Run a workshop for a room of strangers",
    "community-organising": "Get neighbours together to change something",
    "event-planning": "Plan a street party",
    "recruiting-volunteers": "Find new volunteers for a group",
    "coordinating-volunteers": "Draw up a volunteer rota",
    "taking-minutes": "Take the minutes of a meeting",
    "mediation": "Help two neighbours settle a quarrel",
    "setting-up-a-group": "Start a new group from scratch",
    "partnership-working": "Get two organisations working together",
    # Care & wellbeing
    "befriending": "Visit someone who is lonely every week",
    "first-aid": "Give first aid until the ambulance comes",
    "mental-health-first-aid": "Support someone through a mental health crisis",
    "supporting-older-people": "Help an older neighbour stay independent",
    "childcare": "Look after a neighbour's children for an afternoon",
    "youth-work": "Run an evening for teenagers",
    "dementia-support": "Spend time with someone living with dementia",
    "peer-support": "Listen to someone going through what you went through",
    "leading-gentle-exercise": "Lead a chair-based exercise class",
    "safeguarding": "Know what to do if a child or adult is at risk",
    # Food & growing
    "cooking-for-groups": "Cook a meal for fifty people",
    "food-hygiene": "Keep a community kitchen safe and clean",
    "running-a-food-bank-or-pantry": "Run a food bank or pantry",
    "food-rescue": "Collect unsold food before it is thrown away",
    "community-gardening": "Look after a shared garden",
    "growing-vegetables": "Grow your own vegetables",
    "beekeeping": "Keep bees",
    "composting": "Turn kitchen scraps into compost",
    "baking": "Bake a cake for the fête",
    # Making & repairing
    "bike-repair": "Fix a bike puncture",
    "sewing-and-alterations": "Take up a pair of trousers",
    "knitting-and-crochet": "Knit a scarf",
    "woodwork": "Build a bird box",
    "fixing-small-appliances": "Fix a broken toaster or kettle",
    "upcycling-furniture": "Give an old chair a new life",
    "running-a-repair-cafe": "Run a repair café",
    "upholstery": "Re-cover a sofa or chair",
    # Digital & media
    "building-websites": "Build a website for a group",
    "social-media": "Run a group's social media",
    "photography": "Take good photos at an event",
    "making-videos": "Make a short film on a phone",
    "graphic-design": "Design a poster",
    "writing-newsletters": "Write a newsletter people want to read",
    "helping-people-get-online": "Help someone make their first video call",
    "spreadsheets-and-databases": "Set up a spreadsheet to keep track of members",
    "fixing-computers-and-phones": "Sort out a slow laptop or a broken phone",
    "podcasting-and-local-radio": "Record a podcast or present on local radio",
    # Money & fundraising
    "bid-writing": "Write a grant application",
    "bookkeeping": "Keep a group's books",
    "being-a-treasurer": "Be a group's treasurer",
    "crowdfunding": "Raise money online from a crowd",
    "fundraising-events": "Organise a sponsored walk",
    "budgeting-help": "Help a family make a budget",
    "charity-accounts-and-gift-aid": "Claim Gift Aid and prepare charity accounts",
    "business-planning": "Write a business plan",
    "finding-sponsorship": "Persuade a local business to sponsor something",
    # Advice & advocacy
    "benefits-advice": "Help someone work out which benefits they can claim",
    "debt-advice": "Help someone get on top of their debts",
    "housing-advice": "Help a tenant deal with a landlord",
    "filling-in-forms": "Help someone fill in a long official form",
    "advocacy": "Speak up for someone at an appointment",
    "employment-rights": "Explain someone's rights at work",
    "signposting": "Know where to send someone for help",
    "campaigning": "Run a campaign to save a local service",
    "understanding-planning": "Read a planning application and object to it",
    "charity-law-and-governance": "Write a group's constitution",
    # Teaching & mentoring
    "tutoring-children": "Help a child with their reading",
    "adult-literacy": "Help an adult learn to read",
    "everyday-maths": "Help someone with everyday sums",
    "mentoring-young-people": "Mentor a young person",
    "coaching": "Coach someone towards a goal",
    "delivering-training": "Teach a group a new skill",
    "cv-and-job-search-help": "Help someone write a CV",
    "running-a-homework-club": "Run a homework club",
    # Arts & culture
    "playing-music": "Play an instrument at a party",
    "leading-a-choir": "Lead a community choir",
    "drama-and-theatre": "Put on a play",
    "art-workshops": "Run an art session for children",
    "creative-writing": "Write a poem for a special occasion",
    "local-history": "Find out the history of your street",
    "dance": "Teach a dance",
    "storytelling": "Tell a story that holds a room",
    "curating-exhibitions": "Put on an exhibition",
    # Practical & building
    "painting-and-decorating": "Paint a room",
    "garden-clearance": "Clear an overgrown garden",
    "plumbing": "Fix a dripping tap",
    "electrical-work": "Change a light fitting safely",
    "joinery-and-building": "Put up shelves",
    "minibus-driving": "Drive a minibus",
    "odd-jobs": "Put together flat-pack furniture",
    "health-and-safety": "Do a risk assessment for an event",
    "lifting-and-moving": "Help someone move house",
    "draught-proofing": "Draught-proof a door or window",
    # Languages & translation
    "interpreting": "Interpret at a doctor's appointment",
    "translating-documents": "Translate a letter",
    "teaching-english-esol": "Help someone practise their English",
    "british-sign-language": "Sign in British Sign Language",
    "speaking-urdu": "Speak Urdu",
    "speaking-polish": "Speak Polish",
    "speaking-arabic": "Speak Arabic",
    "speaking-punjabi": "Speak Punjabi",
    "speaking-romanian": "Speak Romanian",
    "easy-read-writing": "Write a leaflet in Easy Read",
    # Environment
    "litter-picking": "Organise a litter pick",
    "tree-planting": "Plant a tree",
    "wildlife-surveys": "Count the birds in a park",
    "habitat-management": "Make a pond for wildlife",
    "recycling-and-reuse": "Set up a swap shop",
    "flood-warden": "Warn the street when a flood is coming",
    "energy-saving-advice": "Help a household cut its energy bills",
    "active-travel": "Lead a group bike ride",
    "footpath-maintenance": "Clear a footpath",
}


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
        Card(skill=s, family_id=s.family_id, text=phrasing(s), hint=s.description[:200])
        for s in Skill.objects.select_related("family").order_by("family__position", "family__name", "name")
        if s.pk not in have
    ]
    Card.objects.bulk_create(new)
    cards = list(Card.objects.select_related("family", "skill").order_by("family__position", "family__name", "text"))
    for position, card in enumerate(cards):
        card.position = position
        if card.skill is not None and card.text == card.skill.name[:120]:
            card.text = phrasing(card.skill)  # a card made before the phrasings were written
    Card.objects.bulk_update(cards, ["position", "text"])
    return cards


def phrasing(skill: Skill) -> str:
    """Square Mile's words for a skill on a card (its name when none are written yet)."""
    return PHRASINGS.get(skill.slug, skill.name)[:120]


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
