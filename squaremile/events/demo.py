"""Demo events for `manage.py seed_demo`: events across the demo locality's areas, some by its
organisations, past and coming; two past open-space events with full proceedings and tracked
actions (done, stuck, to do) and "what happened next"; an open-space event coming up with pitches
on its marketplace and the demo accounts registered. Re-running replaces them (`external_id`
"demo:...")."""

from __future__ import annotations

import datetime as dt
import random
import time

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from squaremile.core.models import SpaceRole
from squaremile.core.search import index_document
from squaremile.events.models import (
    Action,
    ActionStatus,
    Answer,
    Event,
    EventStatus,
    Mode,
    Registration,
    Report,
    Room,
    Session,
    Slot,
    Update,
)

TITLES = [
    "Community litter pick",
    "Repair café",
    "Residents' association meeting",
    "Allotment open day",
    "Coffee morning",
    "Digital help drop-in",
    "Tenants' forum",
    "Youth club showcase",
    "Library friends meeting",
    "Walking group",
    "Food bank volunteers' briefing",
    "Street party planning",
    "Tree planting",
    "Knit and natter",
    "Park users' group",
    "Ward councillors' surgery",
    "Community choir",
    "Mental health first aid taster",
]
VENUES = [
    "Kettleby Library",
    "St Mary's Hall",
    "The Community Centre",
    "Mill Lane Allotments",
    "The Old School",
    "Riverside Park café",
    "Kettleby Methodist Church",
]
TOPICS = [
    ("Saving the library", "Keep it open on Saturdays; a friends' group to run events."),
    ("A repair café every month", "Volunteers with skills; a room with tables and power."),
    ("Safer crossings by the school", "Count the traffic; ask the council for a zebra crossing."),
    ("Loneliness among older neighbours", "A phone tree and a weekly coffee morning."),
    ("Young people's voice", "A youth panel that meets the councillors twice a year."),
    ("Food waste and the community fridge", "Find a host; food hygiene training."),
    ("Mapping who does what", "Everyone adds their group to the community map."),
    ("Funding we could apply for together", "A shared bid calendar and one writer per bid."),
]
ACTIONS = [
    "Write to the council about Saturday opening",
    "Book the hall for the first repair café",
    "Count the cars on Mill Lane for a week",
    "Start the phone tree with ten volunteers",
    "Invite the youth panel to the next ward meeting",
    "Ask the supermarket about surplus food",
    "Add every group from the day to the map",
    "Draft the shared funding calendar",
]


def seed(*, rng: random.Random, size, stdout=None) -> dict:
    started = time.perf_counter()
    with transaction.atomic():
        counts = _seed(rng, size)
    if stdout is not None:
        stdout.write(
            f"  events: {counts['events']} events, {counts['event_sessions']} open-space sessions, "
            f"{counts['event_actions']} actions ({time.perf_counter() - started:.2f} s)\n"
        )
    return counts


def _seed(rng: random.Random, size) -> dict:
    from squaremile.directory.models import Organisation
    from squaremile.places.models import Area

    User = get_user_model()
    old = Event.objects.filter(external_id__startswith="demo:")
    SpaceRole.objects.filter(content_type__app_label="events", object_id__in=old.values("pk")).delete()
    old.delete()
    organiser = User.objects.filter(email="organiser@example.org").first()
    member = User.objects.filter(email="demo@example.org").first()
    people = list(User.objects.filter(is_active=True).exclude(email__endswith="@example.org").order_by("id")[:60])
    people += [u for u in (member,) if u]
    areas = list(Area.objects.exclude(centroid_lat=None).order_by("id")[:40])
    organisations = list(Organisation.objects.order_by("id")[:200])
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    n_events = max(20, int(size.organisations) // 5)

    events = []
    for i in range(n_events):
        area = rng.choice(areas) if areas else None
        org = rng.choice(organisations) if organisations and rng.random() < 0.6 else None
        start = now + dt.timedelta(days=rng.randint(-150, 120), hours=rng.choice([-6, -3, 0, 2, 4]))
        mode = rng.choices([Mode.IN_PERSON, Mode.ONLINE, Mode.HYBRID], weights=[6, 2, 2])[0]
        title = rng.choice(TITLES)
        lat = lng = None
        if mode != Mode.ONLINE and area is not None:
            lat = area.centroid_lat + rng.uniform(-0.004, 0.004)
            lng = area.centroid_lng + rng.uniform(-0.006, 0.006)
        events.append(
            Event(
                title=title,
                slug=f"{slugify(title)}-{start:%Y%m%d}-{i}",
                starts_at=start,
                ends_at=start + dt.timedelta(hours=rng.choice([1, 2, 3])),
                mode=mode,
                description=f"{title} in {area.name if area else 'Kettleby'}. Everyone welcome.",
                venue_name="" if mode == Mode.ONLINE else rng.choice(VENUES),
                lat=lat,
                lng=lng,
                access_info="Step-free entrance, accessible toilet." if mode != Mode.ONLINE else "",
                online_url="https://meet.example.org/kettleby" if mode != Mode.IN_PERSON else "",
                area=area,
                organisation=org,
                owner=organiser,
                capacity=rng.choice([None, 20, 40, 80]),
                status=EventStatus.CANCELLED if rng.random() < 0.04 else EventStatus.OPEN,
                external_id=f"demo:{i}",
            )
        )
    Event.objects.bulk_create(events)
    registrations = []
    for event in events:
        for person in rng.sample(people, k=min(len(people), rng.randint(0, 12))):
            registrations.append(
                Registration(event=event, user=person, answer=rng.choice([Answer.GOING, Answer.MAYBE]))
            )
    Registration.objects.bulk_create(registrations)

    counts = {"events": len(events), "event_sessions": 0, "event_actions": 0}
    area = areas[0] if areas else None
    for n, days_ago in enumerate((120, 40)):
        event = _open_space(rng, now - dt.timedelta(days=days_ago), organiser, people, area, n, closed=True)
        counts["event_sessions"] += event.sessions.count()
        counts["event_actions"] += event.actions.count()
    upcoming = _open_space(rng, now + dt.timedelta(days=12), organiser, people, area, 2, closed=False)
    counts["event_sessions"] += upcoming.sessions.count()
    counts["events"] += 3
    for event in Event.objects.filter(external_id__startswith="demo:").only(
        "pk", "title", "description", "slug", "area_id", "venue_name"
    ):
        index_document(
            kind="event",
            object_id=event.pk,
            title=event.title,
            body=event.description,
            url=event.get_absolute_url(),
            area_id=event.area_id,
        )
    return counts


def _at(items: list, index: int):
    return items[index % len(items)] if items else None


def _open_space(rng, start, organiser, people, area, n, *, closed: bool) -> Event:
    from squaremile.network.demo import SLUG
    from squaremile.network.models import Survey

    title = ["Kettleby open space: what next for our square mile?", "Autumn open space", "Spring open space"][n]
    start = start.replace(hour=10)
    event = Event.objects.create(
        title=title,
        slug=f"{slugify(title)}-{start:%Y%m%d}",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=5),
        mode=Mode.HYBRID,
        venue_name="The Community Centre",
        venue_address="2 Market Place, Kettleby",
        lat=area.centroid_lat if area else None,
        lng=area.centroid_lng if area else None,
        area=area,
        access_info="Step-free; hearing loop in the main hall; a quiet room upstairs.",
        online_url="https://meet.example.org/kettleby-open-space",
        owner=organiser,
        capacity=120,
        open_space=True,
        proceedings_to="clerk@kettleby-council.example.org",
        survey=Survey.objects.filter(slug=SLUG).first(),
        external_id=f"demo:open-space-{n}",
        description="Anyone who wants to lead a conversation pitches a topic; every session reports back, and the "
        "proceedings go to everyone and to the council before we leave.",
    )
    attendees = rng.sample(people, k=min(len(people), 30))
    Registration.objects.bulk_create(
        Registration(event=event, user=p, answer=Answer.GOING) for p in attendees if p is not None
    )
    if not closed:
        for i, (topic, _) in enumerate(TOPICS[:5]):
            Session.objects.create(event=event, title=topic, convener=_at(attendees, i))
        return event
    slots = [
        Slot.objects.create(
            event=event,
            starts_at=start + dt.timedelta(hours=1 + h),
            ends_at=start + dt.timedelta(hours=1 + h, minutes=50),
        )
        for h in range(2)
    ]
    rooms = [
        Room.objects.create(event=event, name=name, position=i)
        for i, name in enumerate(["Main hall", "Garden room", "Online breakout"])
    ]
    for i, (topic, summary) in enumerate(rng.sample(TOPICS, k=6)):
        convener = _at(attendees, i)
        session = Session.objects.create(
            event=event,
            title=topic,
            convener=convener,
            note_taker=_at(attendees, -1 - i),
            slot=slots[i // 3],
            room=rooms[i % 3],
            methods=rng.sample(["World Café", "Fishbowl", "Dot voting"], k=1),
        )
        if i == 5:
            Report.objects.create(session=session, no_report=True, no_report_reason="Merged with another session")
            continue
        Report.objects.create(
            session=session,
            participant_count=rng.randint(4, 18),
            summary=summary,
            participant_names="\n".join(str(p) for p in attendees[i : i + 3]),
            recommendations="Meet again in a month.",
            requests="The council to attend the next meeting.",
        )
        Action.objects.create(
            event=event,
            session=session,
            description=ACTIONS[TOPICS.index((topic, summary))],
            owner=convener,
            due=(start + dt.timedelta(days=rng.randint(14, 60))).date(),
            status=rng.choice([ActionStatus.DONE, ActionStatus.DONE, ActionStatus.STUCK, ActionStatus.OPEN]),
        )
    event.status = EventStatus.CLOSED
    event.closed_at = event.proceedings_sent_at = event.ends_at
    event.save(update_fields=["status", "closed_at", "proceedings_sent_at"])
    Update.objects.create(
        event=event,
        author=organiser,
        body="Three months on: the library now opens on Saturdays, and the repair café meets monthly.",
    )
    return event
