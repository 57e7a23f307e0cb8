"""Demo wants and offers: a few hundred in the demo locality, many with a realistic counterpart
nearby (so matches, asks and "more with more" have something to show), some promised, some met
in past months, some expired. Called by `manage.py seed_demo` after the map and the network."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from squaremile.core.models import Visibility
from squaremile.exchange.models import FINE_LEVEL, Item, ItemKey, Kind, Side, Status, Where, cell_of, keys_for

# (term slug, skill or resource, kind, wants, offers)
IDEAS = [
    (
        "car-or-van",
        "r",
        Kind.TRANSPORT,
        [
            "Need a lift to the hospital on Tuesday",
            "Lift to the surgery for my flu jab",
            "Someone to drive me to the big shop once a week",
        ],
        ["Can give lifts to appointments", "Spare seat to town on Fridays"],
    ),
    (
        "tools",
        "r",
        Kind.LEND,
        ["Could I borrow a ladder for a day?", "Need a hedge trimmer for the weekend"],
        ["Drill and bits to lend", "Garden tools to lend: spades, forks, shears", "Ladder to lend"],
    ),
    (
        "first-aid",
        "s",
        Kind.HELP,
        ["First aider for our street party", "First aid cover for the junior football"],
        ["Trained first aider, happy to cover events"],
    ),
    (
        "befriending",
        "s",
        Kind.HELP,
        ["A chat and a cuppa now and then for my dad", "Someone to walk with on Sundays"],
        ["Happy to visit for a cup of tea", "Phone friend for anyone on their own"],
    ),
    (
        "growing-vegetables",
        "s",
        Kind.HELP,
        ["Help getting my allotment going", "Advice on growing tomatoes"],
        ["Spare seedlings and growing tips", "Can help dig and plant on Saturdays"],
    ),
    ("bike-repair", "s", Kind.HELP, ["My bike has a puncture and squeaky brakes"], ["Basic bike fixes in my garage"]),
    (
        "helping-people-get-online",
        "s",
        Kind.HELP,
        ["Help setting up video calls with my grandchildren", "Showing me how to order prescriptions online"],
        ["Patient help with phones and tablets"],
    ),
    (
        "meeting-room",
        "r",
        Kind.SPACE,
        ["Room for a knit-and-natter group, Tuesdays"],
        ["Back room free on weekday mornings"],
    ),
    ("childcare", "s", Kind.HELP, ["Someone to pick up my son from school on Thursdays"], []),
    ("tutoring-children", "s", Kind.HELP, ["Maths help for a Year 9 pupil"], ["GCSE English tutoring, free"]),
    ("cooking-for-groups", "s", Kind.HELP, ["Cooks for the community lunch"], ["Can cook for 30 at the hall"]),
    ("sewing-and-alterations", "s", Kind.HELP, ["Taking up school trousers"], ["Small mends and alterations"]),
    ("lifting-and-moving", "s", Kind.HELP, ["Help moving a sofa upstairs"], ["Strong arms for moving day"]),
    ("event-equipment", "r", Kind.LEND, ["Gazebo for the summer fair"], ["Two gazebos and trestle tables to lend"]),
    ("laptops-and-it", "r", Kind.GIVE, ["A laptop for homework"], ["Old laptop to give away, wiped"]),
    ("storage-space", "r", Kind.SPACE, [], ["Dry garage space for a group's things"]),
    ("translating-documents", "s", Kind.HELP, ["Help reading a letter in English"], ["Polish and English translation"]),
    ("garden-clearance", "s", Kind.HELP, ["Overgrown back garden, can't manage it now"], []),
]
WHEN = ["", "", "weekends", "weekday mornings", "Tuesday morning", "evenings", "school holidays", "any time"]


def seed(*, rng, size, stdout=None) -> dict:
    from squaremile.accounts.models import Profile, User
    from squaremile.directory.models import ResourceKind, Skill
    from squaremile.exchange import services

    skills = dict(Skill.objects.values_list("slug", "pk"))
    resources = dict(ResourceKind.objects.values_list("slug", "pk"))
    people = list(
        Profile.objects.filter(lat__isnull=False, user__is_active=True)
        .select_related("user")
        .order_by("user_id")[:2000]
    )
    if not people:
        return {"exchange_items": 0}
    total = max(40, min(400, int(size.organisations * 0.9)))
    now = timezone.now()
    rows = []
    while len(rows) < total:
        slug, letter, kind, wants, offers = rng.choice(IDEAS)
        pk = (skills if letter == "s" else resources).get(slug)
        if pk is None:
            continue
        owner = rng.choice(people)
        side = rng.choice([Side.WANT, Side.OFFER]) if wants and offers else (Side.WANT if wants else Side.OFFER)
        title = rng.choice(wants if side == Side.WANT else offers)
        lat = owner.lat + rng.uniform(-0.003, 0.003)
        lng = owner.lng + rng.uniform(-0.005, 0.005)
        created = now - timedelta(days=rng.randint(0, 200), hours=rng.randint(0, 23))
        item = _item(owner, side, kind, letter, pk, title, lat, lng, rng, created)
        rows.append(item)
        if rng.random() < 0.45 and (offers if side == Side.WANT else wants):  # a counterpart nearby
            other_side = Side.OFFER if side == Side.WANT else Side.WANT
            near = min(people, key=lambda p: (p.user_id == owner.user_id, abs(p.lat - lat) + abs(p.lng - lng)))
            title = rng.choice(offers if other_side == Side.OFFER else wants)
            rows.append(_item(near, other_side, kind, letter, pk, title, lat + rng.uniform(-0.004, 0.004),
                              lng + rng.uniform(-0.006, 0.006), rng, created + timedelta(days=1)))  # fmt: skip
    for item in rows:
        age = (now - item.created_at).days
        if item.side == Side.WANT and age > 20 and rng.random() < 0.5:
            item.status, item.met_at = Status.DONE, item.created_at + timedelta(days=rng.randint(1, 12))
            item.partner_id = rng.choice(people).user_id
            item.owner_confirmed_at = item.met_at
        elif age > 30 and not item.ongoing:
            item.status = Status.EXPIRED
        elif rng.random() < 0.1:
            item.status, item.partner_id = Status.PROMISED, rng.choice(people).user_id
        if item.partner_id == item.owner_id:
            item.partner_id = None
    created_at = [r.created_at for r in rows]
    terms = [r.demo_term for r in rows]
    Item.objects.bulk_create(rows, batch_size=500)
    saved = list(Item.objects.order_by("-pk")[: len(rows)])[::-1]
    for item, when in zip(saved, created_at, strict=True):  # auto_now_add overwrote the dates
        item.created_at = when
    Item.objects.bulk_update(saved, ["created_at"], batch_size=500)
    s_links, r_links, keys = [], [], []
    for item, term in zip(saved, terms, strict=True):
        if term[0] == "s":
            s_links.append(Item.skills.through(item_id=item.pk, skill_id=int(term[1:])))
        else:
            r_links.append(Item.resources.through(item_id=item.pk, resourcekind_id=int(term[1:])))
        keys.extend(keys_for(item, [term]))
    Item.skills.through.objects.bulk_create(s_links, batch_size=500)
    Item.resources.through.objects.bulk_create(r_links, batch_size=500)
    ItemKey.objects.bulk_create(keys, batch_size=1000)
    # Matches and asks for the open wants (as if each had just been posted); index what is public.
    open_wants = [i for i in saved if i.side == Side.WANT and i.status == Status.OPEN]
    matched = asked = 0
    for item in open_wants:
        m, a = services.match_and_tell(item=item)
        matched, asked = matched + m, asked + a
    for item in saved:
        services._index(item)
    demo = User.objects.filter(email="demo@example.org").first()
    if demo is not None and getattr(demo, "profile", None) is not None and demo.profile.lat is not None:
        services.alert_create(by=demo, side=Side.OFFER, resource=None, kind=Kind.LEND, near_me=True)
    if stdout:
        stdout.write(f"Exchange: {len(saved)} wants and offers, {matched} matches, {asked} people asked.")
    return {"exchange_items": len(saved), "exchange_matches": matched, "exchange_asks": asked}


def _item(owner, side, kind, letter, pk, title, lat, lng, rng, created) -> Item:
    ongoing = side == Side.OFFER and rng.random() < 0.2
    anywhere = rng.random() < 0.05
    item = Item(
        side=side, kind=kind, title=title, owner_id=owner.user_id, when_note=rng.choice(WHEN),
        where=Where.ANYWHERE if anywhere else Where.POINT, lat=None if anywhere else lat,
        lng=None if anywhere else lng, radius_m=rng.choice([800, 1609, 1609, 3219]),
        area_id=owner.home_area_id, ongoing=ongoing, visibility=Visibility.PUBLIC if rng.random() < 0.85 else
        Visibility.MEMBERS, expires_at=None if ongoing else created + timedelta(days=30),
        status=Status.OPEN,
    )  # fmt: skip
    item.created_at = created
    item.demo_term = f"{letter}{pk}"
    item.cell = cell_of(item.lat, item.lng)
    item.fine_cell = cell_of(item.lat, item.lng, FINE_LEVEL)
    return item
