"""Demo stories for the demo locality: about 40 stories told by demo people (a few waiting for
review, a draft for demo@example.org), linked to map entries, organisations and areas, with tags,
replies, "this helped me", three drawn photos; and two feeds read from files
(`demo_feeds/*.xml`, `demo-feed:<name>`), so the aggregation works with no internet."""

from __future__ import annotations

import io
import random
from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.text import slugify

from squaremile.accounts.models import User
from squaremile.attachments.services import attach_all, detach_all_of_model
from squaremile.core.records import ref_of
from squaremile.core.text import plain_text
from squaremile.directory.models import Organisation
from squaremile.mapping.models import Entry
from squaremile.places.models import Area
from squaremile.stories import indexing
from squaremile.stories.feeds import poller
from squaremile.stories.models import (
    Story,
    StoryComment,
    StoryFeed,
    StoryHelped,
    StoryKind,
    StoryLink,
    StoryTag,
)

STORIES = [
    ("The day we saved the library's Saturday opening", "library, volunteering"),
    ("How forty neighbours cleared the canal towpath", "canal, environment"),
    ("Soup, bread and a hundred stories at the harvest supper", "food, events"),
    ("Our repair café's five-hundredth kettle", "repair, environment"),
    ("What the lunch club means to my mum", "older people, food"),
    ("Young people painted the underpass, and it stayed clean", "young people, art"),
    ("We asked the council for a crossing — and got one", "campaigns, roads"),
    ("The community fridge that feeds a street", "food, sharing"),
    ("Walking football brought my dad back out", "sport, health"),
    ("A tool library in a garage", "sharing, repair"),
    ("How the allotment waiting list became a shared garden", "gardening, food"),
    ("Knit and natter: more than scarves", "older people, crafts"),
    ("From litter pick to friendship group", "environment, volunteering"),
    ("The pop-up cinema in the church hall", "events, arts"),
    ("Homework club: twelve kids, three retired teachers", "young people, learning"),
    ("Keeping the bus route: our petition story", "campaigns, transport"),
    ("A mural for the mill's two-hundredth birthday", "heritage, art"),
    ("When the flood came, the street came together", "resilience, neighbours"),
    ("Our first Pride picnic in the park", "events, inclusion"),
    ("Dementia café: a place to laugh again", "health, older people"),
    ("Planting a hedge with the primary school", "environment, young people"),
    ("The men's shed built a bench for the bus stop", "crafts, older people"),
    ("Baby and toddler group keeps going after the cuts", "families, campaigns"),
    ("Welcome meals for new neighbours", "food, inclusion"),
    ("How we mapped every defibrillator in the village", "health, mapping"),
    ("The choir that sings at the care home", "music, older people"),
    ("Cycling to school together: the bike bus", "transport, young people"),
    ("A wildflower verge instead of mown grass", "environment, gardening"),
    ("Warm space at the library this winter", "resilience, library"),
    ("Our street's first car-free day", "events, transport"),
    ("The food bank's Saturday helpers", "food, volunteering"),
    ("Oral histories of the old mill workers", "heritage, learning"),
    ("A community orchard on the edge of the estate", "gardening, food"),
    ("How the youth club got its roof fixed", "young people, campaigns"),
    ("Chess in the park on Sunday mornings", "events, games"),
    ("Swap shop: school uniforms that go round again", "sharing, families"),
    ("The pub that became a community hub", "business, neighbours"),
    ("Learning to code at the library", "learning, library"),
    ("Our pond dipping day", "environment, families"),
    ("Neighbours who fixed the playground", "families, volunteering"),
]
OPENINGS = [
    "It started with a conversation at the school gate.",
    "Nobody thought we could do it in a month.",
    "We had been talking about it for years; one Saturday we just began.",
    "My neighbour knocked on the door with a flyer and a biscuit tin.",
    "The council letter arrived on a Tuesday, and by Friday the hall was full.",
]
MIDDLES = [
    "People brought what they had: a van, a ladder, an afternoon, a pot of tea.",
    "Some of us had never met before, though we had lived on the same street for twenty years.",
    "The young people did the planning; the older ones knew who to ring.",
    "We wrote everything down on a big sheet of paper and stuck it on the café wall.",
    "It rained, of course. We carried on.",
]
ENDINGS = [
    "**What mattered most** was not the result but meeting each other.",
    "Now there is a rota, a WhatsApp group and a waiting list of helpers.",
    "If you want to do something like it, come and find us: we will tell you everything we learnt.",
    "We are doing it again next spring — everyone is welcome.",
]
REPLIES = [
    "This is lovely — thank you for sharing.",
    "I was there! Best afternoon of the year.",
    "We would like to do this in our village too.",
    "Brilliant. Who do I ask about joining?",
]
FEEDS = [("Kettleby Gazette (demo)", "demo-feed:kettleby-gazette"), ("Canal Voices (demo)", "demo-feed:canal-voices")]


def _png(rng: random.Random) -> ContentFile:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 420), (rng.randrange(120, 220), rng.randrange(140, 220), rng.randrange(90, 200)))
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x, y = rng.randrange(0, 600), rng.randrange(0, 380)
        draw.ellipse((x, y, x + 40, y + 40), fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return ContentFile(buf.getvalue(), name="demo-story.png")


def reset() -> None:
    detach_all_of_model(Story)
    Story.objects.all().delete()
    StoryFeed.objects.all().delete()
    StoryTag.objects.all().delete()


def seed(*, rng: random.Random, size=None, stdout=None) -> dict:
    reset()
    people = list(User.objects.filter(is_active=True, is_superuser=False).order_by("pk")[:400])
    if not people:
        return {"stories": 0}
    demo = User.objects.filter(email="demo@example.org").first()
    orgs = list(Organisation.objects.order_by("pk")[:300])
    entries = list(Entry.objects.filter(status="published").order_by("pk")[:400])
    areas = list(Area.objects.defer("boundary").exclude(centroid_lat=None).order_by("pk"))
    now = timezone.now()
    tags: dict[str, StoryTag] = {}
    made = []
    for i, (title, tag_text) in enumerate(STORIES):
        owner = demo if (demo is not None and i % 9 == 0) else rng.choice(people)
        entry = rng.choice(entries) if entries and rng.random() < 0.7 else None
        org = rng.choice(orgs) if orgs and rng.random() < 0.6 else None
        area = entry.area if entry is not None and entry.area_id else (rng.choice(areas) if areas else None)
        point = (entry.lat + rng.uniform(-0.002, 0.002), entry.lng + rng.uniform(-0.002, 0.002)) if entry else None
        if point is None and area is not None and rng.random() < 0.5:
            point = (area.centroid_lat + rng.uniform(-0.004, 0.004), area.centroid_lng + rng.uniform(-0.004, 0.004))
        status = "pending" if i in (7, 23) else "published"
        published = now - timedelta(days=rng.randrange(1, 400), hours=rng.randrange(24))
        body = "\n\n".join([rng.choice(OPENINGS), rng.choice(MIDDLES), rng.choice(MIDDLES), rng.choice(ENDINGS)])
        story = Story.objects.create(
            kind=StoryKind.OWN,
            title=title,
            body=body,
            owner=owner,
            organisation=org if rng.random() < 0.5 else None,
            summary=plain_text(body, 240),
            status=status,
            area=area,
            lat=point[0] if point else None,
            lng=point[1] if point else None,
            happened_on=(published - timedelta(days=rng.randrange(0, 20))).date(),
            published_at=published if status == "published" else None,
            media_links="https://video.example.org/watch/demo-" + slugify(title)[:30] if i % 8 == 3 else "",
        )
        names = [t.strip() for t in tag_text.split(",")]
        for name in names:
            tags.setdefault(name, StoryTag.objects.get_or_create(slug=slugify(name), defaults={"name": name})[0])
        story.tags.set([tags[n] for n in names])
        links = [obj for obj in (entry, org) if obj is not None]
        StoryLink.objects.bulk_create(
            StoryLink(
                story=story,
                content_type=ContentType.objects.get_for_model(obj),
                object_id=obj.pk,
                ref=ref_of(obj),
                position=n,
            )
            for n, obj in enumerate(links)
        )
        made.append(story)
    # a draft for demo@, replies and "this helped me", three drawn photos
    if demo is not None:
        Story.objects.create(
            kind=StoryKind.OWN,
            title="Half-written: the bonfire night clean-up",
            owner=demo,
            body="We started at seven in the morning and",
            status="draft",
        )
    comments = helped = 0
    published_stories = [s for s in made if s.status == "published"]
    for story in published_stories:
        for person in rng.sample(people, k=min(len(people), rng.randrange(0, 4))):
            if person.pk == story.owner_id:
                continue
            StoryHelped.objects.get_or_create(story=story, user=person)
            helped += 1
        if rng.random() < 0.4:
            StoryComment.objects.create(story=story, owner=rng.choice(people), body=rng.choice(REPLIES))
            comments += 1
        story.helped_count = story.helped.count()
        story.save(update_fields=["helped_count"])
    for story in published_stories[:3]:
        attach_all(
            owner=story,
            files=[_png(rng)],
            alts=["A drawing of people at the event"],
            user=story.owner,
            checked_by_caller=True,
        )
    for story in published_stories:
        indexing.sync(story)
    # two feeds read from files (STORIES_DEMO_FEEDS: on in development)
    linked = 0
    kettleby = Area.objects.defer("boundary").order_by("pk").first()
    for title, url in FEEDS:
        feed = StoryFeed.objects.create(title=title, url=url, area=kettleby, next_poll_at=now)
        linked += poller.poll_feed(feed, now=now, force=True).added
    if stdout is not None:
        stdout.write(f"  stories: {len(made)} told, {linked} linked from 2 demo feeds")
    return {"stories": len(made), "linked_stories": linked, "story_replies": comments, "story_helped": helped}
