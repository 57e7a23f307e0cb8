"""Demo entries for the community map of Kettleby (the demo locality), made fast with bulk inserts.

`seed_map(rng=..., count=...)` puts `count` entries in the demo areas: most around the town's
neighbourhoods, fewer in the villages; mostly published (some verified), some waiting in the
moderation queue, a few rejected or archived; threats and cuts with their dates; some linked
to organisations and projects of the directory; answers to the categories' extra questions; a drawn
photo on a few published entries (through the attachments service).
Then the cluster cells are rebuilt. `reset_map()` deletes every entry (for `seed_demo --reset`).
"""

from __future__ import annotations

import io
import random
import time
from datetime import date, timedelta

import shapely
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from shapely.geometry import Point, shape

from squaremile.accounts.models import User
from squaremile.attachments.services import detach_all_of_model
from squaremile.audit.models import AuditEvent
from squaremile.core.permissions import holders_of
from squaremile.mapping.cells import clusters
from squaremile.mapping.models import (
    Category,
    ClusterCell,
    Entry,
    EntryAction,
    EntryStatus,
    audit_action,
    date_columns,
)
from squaremile.places.models import Area, AreaKind
from squaremile.questions.models import Kind as QuestionKind

BATCH = 2000

# What people put on a community map, per category slug: (title patterns, description sentences).
TITLES = {
    "existing-work": [
        "{place} Lunch Club",
        "{place} Repair Café",
        "{place} Food Bank",
        "Toddler Group at {place} Hall",
        "{place} Men's Shed",
        "Knit and Natter, {place}",
        "{place} Youth Club",
        "Walking Football in {place}",
        "{place} Litter Pickers",
        "Homework Club, {place} Library",
        "{place} Community Fridge",
        "Dementia Café, {place}",
    ],
    "innovation": [
        "{place} Tool Library",
        "Solar Co-op on {place} roofs",
        "Pay-as-you-feel Café, {place}",
        "{place} Community Energy Trial",
        "Street Play Days in {place}",
        "{place} Timebank",
        "Car Club pilot, {place}",
    ],
    "new-organisation": [
        "{place} Community Land Trust",
        "Friends of {place} Park",
        "{place} Residents' Association",
        "{place} Growers Co-operative",
        "{place} Arts Collective",
        "{place} Mutual Aid",
    ],
    "community-anchor-organisation": [
        "{place} Development Trust",
        "{place} Community Centre",
        "{place} Neighbourhood Hub",
        "{place} Village Hall Trust",
    ],
    "hyperlocal-website": [
        "{place} News",
        "The {place} Grapevine",
        "{place} Noticeboard (Facebook group)",
        "{place} Community Forum",
    ],
    "community-of-interest": [
        "Kettleby Birdwatchers ({place})",
        "{place} Carers' Network",
        "Polish Saturday School, {place}",
        "{place} Allotment Society",
        "{place} Cycling Club",
        "Parents of Disabled Children, {place}",
    ],
    "community-asset-or-space": [
        "{place} Library",
        "{place} Recreation Ground",
        "{place} Village Hall",
        "{place} Community Garden",
        "{place} Swimming Pool",
        "The Old Chapel, {place}",
        "{place} Allotments",
        "{place} Play Park",
    ],
    "threat-or-cut": [
        "{place} Library hours cut",
        "{place} Youth Club funding ends",
        "Bus route through {place} withdrawn",
        "{place} Day Centre to close",
        "Sale of {place} Recreation Ground",
        "{place} Children's Centre staff cut",
        "{place} Public Toilets closing",
    ],
}

SENTENCES = {
    "existing-work": [
        "Volunteers have run this every week for years.",
        "Everyone is welcome; just turn up.",
        "It relies on donations and a small grant.",
        "New helpers are always wanted, especially drivers.",
    ],
    "innovation": [
        "A new idea that neighbours started this year.",
        "Others in the district have asked how to copy it.",
        "The first months went better than anyone expected.",
    ],
    "new-organisation": [
        "Set up recently by local residents.",
        "They are looking for trustees and members.",
        "Their first project starts this season.",
    ],
    "community-anchor-organisation": [
        "Many local groups meet here or borrow its equipment.",
        "It holds the lease on the building and rents rooms cheaply.",
        "A good first call for anyone starting something new.",
    ],
    "hyperlocal-website": [
        "News, events and lost cats for the neighbourhood.",
        "Run by one volunteer editor and a handful of contributors.",
        "Thousands of local people follow it.",
    ],
    "community-of-interest": [
        "People from across the area who share an interest.",
        "They meet monthly and keep in touch online.",
        "New members are welcome whatever their experience.",
    ],
    "community-asset-or-space": [
        "Well used by families and local groups.",
        "It needs repairs that nobody has yet agreed to pay for.",
        "The parish council is talking about a community transfer.",
    ],
    "threat-or-cut": [
        "The council announced the change in its budget consultation.",
        "Users were told with only a few weeks' notice.",
        "A petition has been started and a public meeting is planned.",
        "People who rely on it have nowhere else nearby to go.",
    ],
}

CATEGORY_WEIGHTS = {
    "existing-work": 26,
    "innovation": 8,
    "new-organisation": 9,
    "community-anchor-organisation": 6,
    "hyperlocal-website": 4,
    "community-of-interest": 12,
    "community-asset-or-space": 20,
    "threat-or-cut": 15,
}
STATUS_WEIGHTS = [
    (EntryStatus.PUBLISHED, 88),
    (EntryStatus.PENDING, 8),
    (EntryStatus.REJECTED, 2),
    (EntryStatus.ARCHIVED, 2),
]
# A second entry of the same kind in the same place is told apart by its street (no two alike).
STREETS = [
    "Mill Lane",
    "Church Street",
    "Station Road",
    "Park Road",
    "High Street",
    "Chapel Walk",
    "Victoria Road",
    "Canal Side",
    "Market Place",
    "School Lane",
    "Moor Road",
    "Bridge Street",
    "Orchard Way",
    "Well Lane",
]
FIRST_NAMES = ["Sam", "Priya", "Tom", "Aisha", "Gareth", "Mei", "Olu", "Kasia", "Liam", "Ruth"]


class _Spot:
    """A demo area entries are placed in: its prepared shape, bbox, centre and weight."""

    def __init__(self, area: Area, weight: float):
        self.area = area
        self.weight = weight
        self.geom = shape(area.boundary) if area.boundary else None
        if self.geom is not None:
            shapely.prepare(self.geom)

    def point(self, rng: random.Random) -> tuple[float, float]:
        a = self.area
        if a.min_lat is None:
            return a.centroid_lat, a.centroid_lng
        sy, sx = (a.max_lat - a.min_lat) / 4, (a.max_lng - a.min_lng) / 4
        for _ in range(12):
            lat = rng.gauss(a.centroid_lat, sy)
            lng = rng.gauss(a.centroid_lng, sx)
            if self.geom is None or self.geom.contains(Point(lng, lat)):
                return lat, lng
        return a.centroid_lat, a.centroid_lng


def _spots() -> list[_Spot]:
    areas = list(
        Area.objects.filter(
            kind__in=[AreaKind.NEIGHBOURHOOD, AreaKind.VILLAGE], centroid_lat__isnull=False, boundary__isnull=False
        ).order_by("pk")
    )
    return [_Spot(a, 3.0 if a.kind == AreaKind.NEIGHBOURHOOD else 1.0) for a in areas]


def _distinct(title: str, seen: set[str]) -> str:
    """The title, or the title on a street, so the demo shows no two entries with the same name."""
    candidate, n = title, 0
    while candidate in seen:
        street = STREETS[n % len(STREETS)]
        round_ = n // len(STREETS)
        candidate = f"{title}, {street}" + (f" ({round_ + 1})" if round_ else "")
        n += 1
    seen.add(candidate)
    return candidate


def _answers(rng, questions) -> dict:
    out = {}
    for q in questions:
        if not q.required and rng.random() < 0.3:
            continue
        if q.kind == QuestionKind.CHOICE and q.choice_list:
            out[str(q.pk)] = rng.choice(q.choice_list)
        elif q.kind == QuestionKind.NUMBER:
            out[str(q.pk)] = rng.choice([12, 40, 75, 150, 300, 1200])
        elif q.kind == QuestionKind.YESNO:
            out[str(q.pk)] = rng.random() < 0.7
        elif q.kind == QuestionKind.DATE:
            out[str(q.pk)] = (date.today() + timedelta(days=rng.randint(-300, 300))).isoformat()
        else:
            out[str(q.pk)] = "See the description."
    return out


def reset_map() -> dict:
    """Delete every map entry (photos and history go with them) and every cluster cell."""
    with transaction.atomic():
        deleted = {
            "entry_events": AuditEvent.objects.filter(content_type=ContentType.objects.get_for_model(Entry)).delete()[
                0
            ],
            "entry_photos": detach_all_of_model(Entry),
        }
        Entry.objects.filter(merged_into__isnull=False).update(merged_into=None)
        deleted["entries"] = Entry.objects.all().delete()[0]
        ClusterCell.objects.all().delete()
    return deleted


def seed_map(*, rng: random.Random, count: int, stdout=None) -> dict:
    """Create `count` demo entries in the demo areas and rebuild the cluster cells.

    Returns {"entries", "published", "pending", "threats", "events", "cells", "seconds"}."""
    started = time.monotonic()
    categories = {c.slug: c for c in Category.objects.prefetch_related("questions")}
    slugs = [s for s in CATEGORY_WEIGHTS if s in categories] or list(categories)
    if not slugs:
        raise ValueError("There are no map categories: run the migrations first.")
    weights = [CATEGORY_WEIGHTS.get(s, 5) for s in slugs]
    questions = {s: list(categories[s].questions.all()) for s in slugs}
    spots = _spots()
    spot_weights = [s.weight for s in spots]
    owners = list(User.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True)[:5000])
    moderator = holders_of("entry.moderate").order_by("pk").first()
    org_ids = list(_ids("directory", "Organisation"))
    project_ids = list(_ids("directory", "Project"))
    centre = getattr(settings, "MAP_DEFAULT_CENTER", [53.8, -1.55])
    today = date.today()
    now = timezone.now()
    statuses, status_weights = zip(*STATUS_WEIGHTS, strict=True)

    made = {"entries": 0, "published": 0, "pending": 0, "threats": 0, "events": 0}
    titles: set[str] = set()
    batch: list[Entry] = []

    def flush():
        if not batch:
            return
        Entry.objects.bulk_create(batch, batch_size=BATCH)
        events = []
        ct = ContentType.objects.get_for_model(Entry)

        def event(e, actor_id, action, note=""):
            return AuditEvent(
                content_type=ct, object_id=e.pk, target_label=e.title[:300], actor_id=actor_id,
                action=audit_action(action), note=note,
            )  # fmt: skip

        moderator_id = moderator.pk if moderator else None
        for e in batch:
            events.append(event(e, e.owner_id, EntryAction.CREATED, "Demo data."))
            if e.status == EntryStatus.PUBLISHED:
                events.append(event(e, moderator_id, EntryAction.PUBLISHED))
            elif e.status == EntryStatus.REJECTED:
                events.append(event(e, moderator_id, EntryAction.REJECTED, e.rejection_reason))
        AuditEvent.objects.bulk_create(events, batch_size=BATCH)
        made["events"] += len(events)
        batch.clear()

    with transaction.atomic():
        for i in range(count):
            slug = rng.choices(slugs, weights)[0]
            category = categories[slug]
            if spots:
                spot = rng.choices(spots, spot_weights)[0]
                lat, lng = spot.point(rng)
                area, place = spot.area, spot.area.name
            else:
                lat, lng = rng.gauss(centre[0], 0.03), rng.gauss(centre[1], 0.05)
                area, place = None, "Kettleby"
            status = rng.choices(statuses, status_weights)[0]
            title = _distinct(rng.choice(TITLES.get(slug, ["{place} group"])).format(place=place), titles)
            sentences = SENTENCES.get(slug, ["Something local."])
            description = " ".join(rng.sample(sentences, k=min(len(sentences), rng.randint(1, 3))))
            if rng.random() < 0.2:
                description += "\n\n**Get involved:** ask at the notice board or come along."
            entry = Entry(
                title=title,
                description=description,
                category=category,
                status=status,
                verified=status == EntryStatus.PUBLISHED and rng.random() < 0.3,
                lat=round(lat, 6),
                lng=round(lng, 6),
                area=area,
                answers=_answers(rng, questions[slug]),
                external_id=None,
                **clusters.cell_columns(lat, lng),
            )
            if owners and rng.random() < 0.85:
                entry.owner_id = rng.choice(owners)
            else:
                entry.submitter_name = f"{rng.choice(FIRST_NAMES)} (visitor)"
                entry.submitter_email = f"visitor{i}@example.org"
            if category.is_threat:
                announced = today - timedelta(days=rng.randint(5, 400))
                entry.announced_on = announced
                entry.takes_effect_on = announced + timedelta(days=rng.randint(30, 240))
                made["threats"] += 1
            elif rng.random() < 0.6:
                entry.start_date = today - timedelta(days=rng.randint(30, 4000))
                if rng.random() < 0.2:
                    entry.end_date = entry.start_date + timedelta(days=rng.randint(30, 900))
            if org_ids and rng.random() < 0.08:
                entry.organisation_id = rng.choice(org_ids)
            elif project_ids and rng.random() < 0.05:
                entry.project_id = rng.choice(project_ids)
            if status == EntryStatus.PUBLISHED:
                entry.published_at = now - timedelta(days=rng.randint(0, 700))
                if entry.verified:
                    entry.verified_at = entry.published_at
                made["published"] += 1
            elif status == EntryStatus.PENDING:
                made["pending"] += 1
            elif status == EntryStatus.REJECTED:
                entry.rejection_reason = "This looks like a duplicate of an entry already on the map."
            for name, value in date_columns(
                entry.start_date, entry.end_date, entry.announced_on, entry.takes_effect_on
            ).items():
                setattr(entry, name, value)
            batch.append(entry)
            made["entries"] += 1
            if len(batch) >= BATCH:
                flush()
                if stdout is not None and count >= 20 * BATCH and made["entries"] % (10 * BATCH) == 0:
                    stdout.write(f"  map entries: {made['entries']:,} of {count:,}\n")
        flush()
        made["photos"] = _seed_photos(rng)
        made["cells"] = clusters.rebuild()
    made["seconds"] = round(time.monotonic() - started, 2)
    if stdout is not None:
        stdout.write(
            f"Community map: {made['entries']:,} entries ({made['published']:,} published, "
            f"{made['pending']:,} waiting for moderation), {made['cells']:,} cluster cells in {made['seconds']}s.\n"
        )
    return made


PHOTO_ALTS = [
    "The front of the building on a clear day",
    "Volunteers' noticeboard by the entrance",
    "The hall from across the road",
]


def _picture(rng: random.Random) -> ContentFile:
    """A small drawn "photo" (sky, ground and a building): no camera, no metadata to leak."""
    from PIL import Image, ImageDraw

    width, height = 480, 320
    image = Image.new("RGB", (width, height), (rng.randint(120, 170), rng.randint(170, 210), 235))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 220, width, height), fill=(70, rng.randint(120, 160), 60))
    left = rng.randint(60, 200)
    wall = (rng.randint(150, 200), rng.randint(90, 130), 80)
    draw.rectangle((left, 120, left + 200, 240), fill=wall)
    draw.polygon([(left - 10, 120), (left + 100, 60), (left + 210, 120)], fill=(90, 60, 50))
    for x in range(left + 20, left + 180, 50):
        draw.rectangle((x, 150, x + 25, 180), fill=(230, 220, 150))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return ContentFile(out.getvalue(), name="demo-photo.jpg")


def _seed_photos(rng: random.Random, count: int = 3) -> int:
    """A photo each on a few published entries, stored through the attachments service like any upload."""
    from squaremile.attachments.services import attach_all

    entries = Entry.objects.filter(status=EntryStatus.PUBLISHED).order_by("pk")[:count]
    for entry, alt in zip(entries, PHOTO_ALTS, strict=False):
        attach_all(owner=entry, files=[_picture(rng)], alts=[alt], user=None, checked_by_caller=True)
    return len(entries)


def _ids(app_label: str, model_name: str, limit: int = 5000):
    from django.apps import apps

    model = apps.get_model(app_label, model_name)
    return model.objects.order_by("pk").values_list("pk", flat=True)[:limit]
