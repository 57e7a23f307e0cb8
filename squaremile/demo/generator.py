"""Demo data: a believable, entirely fictional locality for trying Square Mile out.

Kettleby, a former mill town in the made-up region of Brackendale, with twelve wards, a few
named neighbourhoods inside them and five villages on the moors around it. Every area has a
real GeoJSON boundary: children lie inside their parent and siblings never overlap, so
"which area is this point in?" always has one answer. Organisations from all four streams,
projects, and people with skills and resources are spread across it.

The same seed always gives the same data, on SQLite and PostgreSQL alike (one
`random.Random(seed)` drives everything, and "today" is fixed), apart from timestamps, ids and
password salts.

Records are written with `bulk_create` in batches (the many-to-many link tables with COPY or
multi-row INSERTs), not through the per-record services, so that 100,000 records take about a
minute, not hours. They are written exactly as the services would
write them: the most specific area holding each point, unique slugs made the way
`places.services.unique_slug` makes them, and search documents with the same title, body
and url as `directory.services._index`.
"""

from __future__ import annotations

import importlib
import importlib.util
import math
import random
import re
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta

import shapely
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models.deletion import get_candidate_relations_to_delete
from django.urls import reverse
from django.utils.text import slugify
from shapely.geometry import Polygon

from squaremile.accounts.models import Profile, Role, User
from squaremile.core.models import SearchDocument, Visibility
from squaremile.core.permissions import staff_flag_for
from squaremile.core.text import plain_text
from squaremile.demo import words
from squaremile.directory.models import (
    Organisation,
    OrganisationType,
    Project,
    ProjectStatus,
    ResourceKind,
    Skill,
    SkillFamily,
    Stream,
)
from squaremile.places.geometry import parse_boundary
from squaremile.places.models import Area, AreaKind, PlaceKind, lookup_key
from squaremile.places.models import Place as GazetteerPlace

DEMO_PASSWORD = "demo-pass-123"  # noqa: S105 - the published password of the demo logins
BATCH_SIZE = 2000
# A fixed "today" for project dates, so that a seed gives the same data whenever it is run.
TODAY = date(2026, 9, 1)
SIZES = {"small": (300, 80, 60), "medium": (3_000, 800, 300), "large": (80_000, 25_000, 2_000)}
# Community map entries and network survey answers for a number of organisations.
MAX_MAP_ENTRIES = 100_000


# The apps above the map and the network, seeded in this order (each may link to what the ones before made).
FEATURE_APPS = ("conversations", "stories", "exchange", "methods", "events", "civic")


def map_entries_for(organisations: int) -> int:
    return min(MAX_MAP_ENTRIES, organisations * 2)


def survey_answers_for(organisations: int) -> int:
    return 300 if organisations < 10_000 else 1_000


MAX_PEOPLE = 2_000

# email, role, display name, superuser
DEMO_ACCOUNTS = [
    ("demo@example.org", Role.MEMBER, "Dee Member", False),
    ("organiser@example.org", Role.ORGANISER, "Olu Organiser", False),
    ("moderator@example.org", Role.MODERATOR, "Mo Moderator", False),
    ("admin@example.org", Role.ADMIN, "Ada Admin", True),
]

STREAM_WEIGHTS = {"community": 55, "individual": 15, "public": 12, "business": 18}
STATUS_WEIGHTS = [
    (ProjectStatus.ACTIVE, 45),
    (ProjectStatus.ENDED, 25),
    (ProjectStatus.STARTING, 12),
    (ProjectStatus.IDEA, 10),
    (ProjectStatus.PAUSED, 8),
]
POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
MARKDOWN_LINK = re.compile(r"\[([^\]]+)\]\([^)]+\)")


@dataclass(frozen=True)
class Size:
    organisations: int
    projects: int
    people: int


def parse_size(value) -> Size:
    """small, medium, large, or a number of organisations (projects a quarter of it, people a fifth)."""
    text = str(value).strip().lower()
    if text in SIZES:
        return Size(*SIZES[text])
    try:
        n = int(text)
    except ValueError:
        raise ValueError(f"Unknown size {value!r}: use small, medium, large or a number of organisations.")
    if n < 0:
        raise ValueError("The size must not be negative.")
    return Size(n, n // 4, min(n // 5, MAX_PEOPLE))


def fast_plain(markdown: str) -> str:
    """`core.text.plain_text` for the small markdown subset the templates use (emphasis, links,
    paragraphs), some forty times faster. The generator checks it against the real thing
    on a sample and falls back to `plain_text` if they ever disagree."""
    text = MARKDOWN_LINK.sub(r"\1", markdown).replace("*", "")
    return " ".join(text.split())


# --- Geography ------------------------------------------------------------------------------


@dataclass(eq=False)
class Place:
    key: str
    name: str
    kind: str
    description: str
    ring: list
    parent: Place | None = None
    children: list = field(default_factory=list)
    streets: list = field(default_factory=list)
    parks: list = field(default_factory=list)
    postcode_district: str = ""
    weight: float = 1.0
    area_id: int | None = None

    def __post_init__(self):
        self.geom = Polygon(self.ring)
        shapely.prepare(self.geom)
        self.bounds = self.geom.bounds

    @property
    def locality(self) -> str:
        """The name people would use for where this is."""
        return self.name

    @property
    def ward(self) -> Place:
        return self.parent if self.kind == AreaKind.NEIGHBOURHOOD else self


def _r(value: float) -> float:
    return round(value, 6)


class Geography:
    """The region, the town and its wards and neighbourhoods, and the villages, as polygons."""

    COLS, ROWS = 4, 3

    def __init__(self, rng: random.Random, lat0: float, lng0: float):
        self.rng = rng
        self.lat0, self.lng0 = lat0, lng0
        self.kx = 1 / max(math.cos(math.radians(lat0)), 0.2)  # degrees of longitude per degree of latitude
        self.region = self._region()
        self.town = self._town_and_wards()
        self.villages = self._villages()
        self.neighbourhoods = self._neighbourhoods()
        self.rural = self.region  # points outside the town and the villages are "in the region"
        self._check()
        self._name_streets()

    # Shapes -------------------------------------------------------------------------------
    def _region(self) -> Place:
        rng, n = self.rng, 40
        phases = [rng.uniform(0, 2 * math.pi) for _ in range(3)]
        ring = []
        for k in range(n):
            a = 2 * math.pi * k / n
            f = 1 + 0.12 * math.sin(2 * a + phases[0]) + 0.08 * math.sin(3 * a + phases[1])
            f += 0.05 * math.sin(5 * a + phases[2])
            ring.append((_r(self.lng0 + 0.22 * self.kx * f * math.cos(a)), _r(self.lat0 + 0.22 * f * math.sin(a))))
        ring.append(ring[0])
        return Place("region", words.REGION, AreaKind.REGION, words.REGION_DESCRIPTION, ring)

    def _town_and_wards(self) -> Place:
        rng, cols, rows = self.rng, self.COLS, self.ROWS
        half_h = 0.036
        half_w = half_h * self.kx
        dx, dy = 2 * half_w / cols, 2 * half_h / rows
        x0, y0 = self.lng0 - half_w, self.lat0 - half_h
        vertex = {}
        for i in range(cols + 1):
            for j in range(rows + 1):
                vertex[i, j] = (
                    _r(x0 + i * dx + rng.uniform(-0.18, 0.18) * dx),
                    _r(y0 + j * dy + rng.uniform(-0.18, 0.18) * dy),
                )
        mids = {}

        def path(a, b):
            """Vertex a and the wiggly points along the edge a-b (b itself left off). The same
            points for both wards that share the edge, so that neighbours meet exactly."""
            key = (min(a, b), max(a, b))
            if key not in mids:
                (ax, ay), (bx, by) = vertex[key[0]], vertex[key[1]]
                length = math.hypot(bx - ax, by - ay)
                nx, ny = -(by - ay) / length, (bx - ax) / length
                pts = []
                for t in (1 / 3, 2 / 3):
                    off = rng.uniform(-0.07, 0.07) * length
                    pts.append((_r(ax + t * (bx - ax) + off * nx), _r(ay + t * (by - ay) + off * ny)))
                mids[key] = pts
            pts = mids[key] if a == key[0] else list(reversed(mids[key]))
            return [vertex[a], *pts]

        cells = []
        for j in range(rows):
            for i in range(cols):
                corners = [(i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1)]
                ring = []
                for k in range(4):
                    ring += path(corners[k], corners[(k + 1) % 4])
                ring.append(ring[0])
                cells.append(ring)
        outline = []
        for i in range(cols):
            outline += path((i, 0), (i + 1, 0))
        for j in range(rows):
            outline += path((cols, j), (cols, j + 1))
        for i in range(cols, 0, -1):
            outline += path((i, rows), (i - 1, rows))
        for j in range(rows, 0, -1):
            outline += path((0, j), (0, j - 1))
        outline.append(outline[0])
        town = Place("town", words.TOWN, AreaKind.TOWN, words.TOWN_DESCRIPTION, outline, parent=self.region)
        self.region.children.append(town)
        # The town centre is the cell nearest the middle; the other names are dealt out by the seed.
        centre = min(range(len(cells)), key=lambda c: Polygon(cells[c]).centroid.distance(town.geom.centroid))
        others = list(words.WARDS[1:])
        rng.shuffle(others)
        names = iter(others)
        for index, ring in enumerate(cells):
            name, description = words.WARDS[0] if index == centre else next(names)
            ward = Place(f"ward-{slugify(name)}", name, AreaKind.WARD, description, ring, parent=town)
            ward.weight = 3.0 if index == centre else round(rng.uniform(0.7, 1.6), 3)
            town.children.append(ward)
        town.children.sort(key=lambda w: w.name)
        self.wards = list(town.children)
        return town

    def _blob(self, cx: float, cy: float, radius: float, n: int, wobble: float = 0.2) -> list:
        """A star-shaped polygon (always simple) around a centre; radius in degrees of latitude."""
        ring = []
        for k in range(n):
            a = 2 * math.pi * k / n
            f = radius * self.rng.uniform(1 - wobble, 1 + wobble)
            ring.append((_r(cx + f * self.kx * math.cos(a)), _r(cy + f * math.sin(a))))
        ring.append(ring[0])
        return ring

    def _villages(self) -> list[Place]:
        villages = []
        for name, description in words.VILLAGES:
            for _attempt in range(200):
                a, d = self.rng.uniform(0, 2 * math.pi), self.rng.uniform(0.075, 0.15)
                cx, cy = self.lng0 + d * self.kx * math.cos(a), self.lat0 + d * math.sin(a)
                ring = self._blob(cx, cy, self.rng.uniform(0.007, 0.011), 11, wobble=0.25)
                poly = Polygon(ring)
                if (
                    poly.is_valid
                    and poly.within(self.region.geom)
                    and poly.distance(self.town.geom) > 0.02
                    and all(poly.distance(v.geom) > 0.015 for v in villages)
                ):
                    break
            else:  # pragma: no cover - the region has plenty of room
                raise RuntimeError(f"Could not place the village {name}.")
            village = Place(f"village-{slugify(name)}", name, AreaKind.VILLAGE, description, ring, parent=self.region)
            village.weight = round(self.rng.uniform(0.5, 1.2), 3)
            self.region.children.append(village)
            villages.append(village)
        return villages

    def _neighbourhoods(self) -> list[Place]:
        homes = {"Moor Lane Estate": "Northfield", "Canal Basin": "Canal Side", "Old Town": "Kirkgate"}
        homes["Ferncliffe"] = "Holme Bank"
        by_name = {w.name: w for w in self.wards}
        found = []
        for name, description in words.NEIGHBOURHOODS:
            ward = by_name[homes[name]]
            centre = ward.geom.centroid
            radius = 0.0035
            for _attempt in range(30):
                ring = self._blob(centre.x, centre.y, radius, 9, wobble=0.15)
                poly = Polygon(ring)
                if poly.is_valid and poly.within(ward.geom):
                    break
                radius *= 0.8
            else:  # pragma: no cover
                raise RuntimeError(f"Could not place the neighbourhood {name}.")
            hood = Place(f"nbhd-{slugify(name)}", name, AreaKind.NEIGHBOURHOOD, description, ring, parent=ward)
            ward.children.append(hood)
            found.append(hood)
        return found

    def _check(self) -> None:
        for place in self.all():
            if not place.geom.is_valid:
                raise RuntimeError(f"{place.name}: invalid boundary")
            if place.parent is not None and not place.geom.within(place.parent.geom):
                raise RuntimeError(f"{place.name} is not inside {place.parent.name}")
            siblings = place.children
            for i, a in enumerate(siblings):
                for b in siblings[i + 1 :]:
                    if a.geom.relate_pattern(b.geom, "T********"):
                        raise RuntimeError(f"{a.name} overlaps {b.name}")

    def _name_streets(self) -> None:
        pool = [f"{stem} {kind}" for stem in words.STREET_STEMS for kind in words.STREET_KINDS]
        self.rng.shuffle(pool)
        streets = iter(pool)
        district = 0
        for place in self.all():
            if place.kind == AreaKind.TOWN:
                continue
            count = 10 if place.kind in (AreaKind.NEIGHBOURHOOD, AreaKind.VILLAGE, AreaKind.REGION) else 20
            place.streets = [next(streets) for _ in range(count)]
            stems = self.rng.sample(words.STREET_STEMS, 2)
            place.parks = [f"{place.name} Park", f"{stems[0]} {self.rng.choice(words.PARK_KINDS)}"]
            if place.kind == AreaKind.REGION:
                place.parks = [f"{stems[0]} Moor", f"{stems[1]} Woods"]
            district += 1
            place.postcode_district = f"{words.POSTCODE_AREA}{district}"

    # Queries ------------------------------------------------------------------------------
    def all(self) -> list[Place]:
        """Every place, parents before children."""
        out, frontier = [], [self.region]
        while frontier:
            out += frontier
            frontier = [c for p in frontier for c in p.children]
        return out

    def descend(self, place: Place, x: float, y: float) -> Place:
        """The most specific place at (x, y), given that `place` holds it."""
        while True:
            for child in place.children:
                if shapely.contains_xy(child.geom, x, y):
                    place = child
                    break
            else:
                return place

    def sample(self, place: Place) -> tuple[float, float, Place]:
        """A random point inside `place`, as (lat, lng, most specific place holding it)."""
        minx, miny, maxx, maxy = place.bounds
        uniform = self.rng.uniform
        while True:
            x, y = _r(uniform(minx, maxx)), _r(uniform(miny, maxy))
            if shapely.contains_xy(place.geom, x, y):
                return y, x, self.descend(place, x, y)


class Context(dict):
    """The values for a record's templates ({street}, {park}, {first}, ...), each drawn from the
    seeded generator only when a template first asks for it (use with `str.format_map`)."""

    CHOICES = {
        "church": words.CHURCHES,
        "first": words.FIRST_NAMES,
        "surname": words.SURNAMES,
        "surname2": words.SURNAMES,
        "adj": words.ADJ,
        "adj2": words.ADJ2,
        "day": words.DAYS,
        "days": words.OPEN_DAYS,
        "time": words.TIMES,
        "time_open": words.OPEN_TIMES,
    }

    def __init__(self, rng: random.Random, place: Place):
        super().__init__(place=place.locality, town=words.TOWN, region=words.REGION, website="")
        self.rng, self.source = rng, place

    def __missing__(self, key):
        rng = self.rng
        if key == "street":
            value = rng.choice(self.source.streets)
        elif key == "park":
            value = rng.choice(self.source.parks)
        elif key == "venue":
            value = rng.choice(words.VENUES).format_map(self)
        elif key == "year":
            value = rng.randint(1952, 2015)
        else:
            value = rng.choice(self.CHOICES[key])
        self[key] = value
        return value


# --- Taxonomy --------------------------------------------------------------------------------


def ensure_taxonomy() -> None:
    """Load the starting taxonomy if it is missing (after `flush`, say). The migration does this
    normally; the loader is shared so that there is one source of truth."""
    if Skill.objects.exists() and ResourceKind.objects.exists():
        return
    migration = importlib.import_module("squaremile.directory.migrations.0002_taxonomy")
    migration.load_taxonomy(SkillFamily, Skill, ResourceKind)


# --- Generator -------------------------------------------------------------------------------


def _cum(weights):
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return out


@dataclass
class OrgRow:
    obj: Organisation
    place: Place  # where it is (or, for one without a location, the place it is named after)
    stream: str
    skills: list
    resources: list
    served: list


class DemoGenerator:
    def __init__(self, *, size: Size, seed: int, stdout=None):
        self.size, self.seed = size, seed
        self.rng = random.Random(seed)
        self.stdout = stdout
        self.timings: dict[str, float] = {}
        self.counts: dict[str, int] = {}
        self.used_names: dict[str, set] = {"organisation": set(), "project": set()}
        self.slugs: dict[str, set] = {}
        self.slug_next: dict[tuple, int] = {}
        self.use_fast_plain = True
        self.checked_plain = 0

    # Helpers ------------------------------------------------------------------------------
    def _log(self, message: str) -> None:
        if self.stdout is not None:
            self.stdout.write(message)

    def _phase(self, name: str, started: float) -> float:
        now = time.perf_counter()
        self.timings[name] = round(now - started, 2)
        return now

    def _unique_slug(self, kind: str, name: str) -> str:
        """As places.services.unique_slug: the slug of the name, else with -2, -3, ..."""
        used = self.slugs[kind]
        base = (slugify(name) or "item")[:200]
        slug = base
        if slug in used:
            n = self.slug_next.get((kind, base), 2)
            while f"{base}-{n}" in used:
                n += 1
            slug = f"{base}-{n}"
            self.slug_next[kind, base] = n + 1
        used.add(slug)
        return slug

    def _plain(self, text: str) -> str:
        if not self.use_fast_plain:
            return plain_text(text)
        fast = fast_plain(text)
        if self.checked_plain < 300:
            self.checked_plain += 1
            real = plain_text(text)
            if real != fast:
                self.use_fast_plain = False
                return real
        return fast

    def _url_pattern(self, name: str) -> str:
        return reverse(name, args=["SLUGSLOT"]).replace("SLUGSLOT", "{slug}")

    def _named(self, kind: str, templates: list, place: Place) -> tuple[str, Context, str | None]:
        """A name from the templates, unused so far if possible; the values it was made from
        (so that the description speaks of the same park, street or church); and the sentence
        that belongs with that template, if it has one."""
        used = self.used_names[kind]
        for _attempt in range(5):
            ctx = Context(self.rng, place)
            template = self.rng.choice(templates)
            template, lead = template if isinstance(template, tuple) else (template, None)
            name = template.format_map(ctx)
            if name not in used:
                break
        else:
            for candidate in (f"{name} ({place.locality})", f"{name} ({ctx['street']})"):
                if candidate not in used:
                    name = candidate
                    break
        used.add(name)
        return name[:200], ctx, lead

    def _postcode(self, place: Place) -> str:
        rng = self.rng
        return (
            f"{place.postcode_district} {rng.randint(1, 9)}{rng.choice(POSTCODE_LETTERS)}{rng.choice(POSTCODE_LETTERS)}"
        )

    def _address(self, place: Place, ctx: dict) -> str:
        rng = self.rng
        if place.kind == AreaKind.REGION:
            near = rng.choice(self.geo.villages).name
            return f"{rng.choice(words.STREET_STEMS)} Farm, near {near}, {self._postcode(place)}"
        line = f"{rng.randint(1, 240)} {ctx['street']}"
        if place.kind == AreaKind.VILLAGE:
            return f"{line}, {place.name} {self._postcode(place)}"
        return f"{line}, {place.name}, {words.TOWN} {self._postcode(place)}"

    def _sentences(self, sentences: list, lead: str | None, more: float) -> list:
        """One to two sentences: the lead (or one of `sentences`), then maybe another, in the
        order they are written."""
        rng = self.rng
        if lead is not None:
            return [lead, rng.choice(sentences)] if rng.random() < more else [lead]
        first = sentences[0] if rng.random() < 0.5 else rng.choice(sentences)
        rest = [s for s in sentences if s != first]
        if rest and rng.random() < more:
            second = rng.choice(rest)
            return sorted([first, second], key=sentences.index)
        return [first]

    def _description(self, sentences: list, lead: str | None, stream: str, ctx: dict) -> str:
        rng = self.rng
        parts = self._sentences(sentences, lead, 0.35)
        if rng.random() < 0.5:
            parts.append(rng.choice(words.OPENING_HOURS[stream]))
        if rng.random() < 0.5:
            closing = [s for s in words.GENERIC_CLOSING[stream] if ctx["website"] or "{website}" not in s]
            parts.append(rng.choice(closing))
        text = [p.format_map(ctx) for p in parts]
        if len(text) > 1 and rng.random() < 0.2:
            return text[0] + "\n\n" + " ".join(text[1:])
        return " ".join(text)

    # Steps --------------------------------------------------------------------------------
    def run(self) -> dict:
        started = t = time.perf_counter()
        ensure_taxonomy()
        self._load_taxonomy()
        center = getattr(settings, "MAP_DEFAULT_CENTER", [53.80, -1.55])
        self.geo = Geography(self.rng, float(center[0]), float(center[1]))
        self._save_areas()
        t = self._phase("areas", t)
        self.password = make_password(DEMO_PASSWORD)
        self._demo_accounts()
        self._people()
        t = self._phase("people", t)
        self._organisations()
        t = self._phase("organisations", t)
        self._projects()
        t = self._phase("projects", t)
        self._map()
        t = self._phase("map", t)
        self._network()
        t = self._phase("network", t)
        for app in FEATURE_APPS:
            self._feature(app)
            t = self._phase(app, t)
        self._phase("total", started)
        return {"counts": self.counts, "timings": self.timings}

    def _map(self) -> None:
        """Community map entries around the town and villages (squaremile.mapping.demo)."""
        from squaremile.mapping.demo import seed_map

        result = seed_map(
            rng=random.Random(self.rng.random()), count=map_entries_for(self.size.organisations), stdout=self.stdout
        )
        self.counts["map_entries"] = result["entries"]

    def _network(self) -> None:
        """A network survey with a few hundred answers in two rounds (squaremile.network.demo)."""
        from squaremile.network.demo import seed_network

        result = seed_network(
            rng=random.Random(self.rng.random()),
            first_names=words.FIRST_NAMES,
            surnames=words.SURNAMES,
            wards=[ward for ward, _ in words.WARDS],
            respondents=survey_answers_for(self.size.organisations),
            stdout=self.stdout,
        )
        self.counts["survey_answers"] = result["counts"]["responses"]
        # The demo survey's map is published, so visitors see what consent allows without signing in.
        from django.utils import timezone

        from squaremile.network.demo import SLUG
        from squaremile.network.models import Survey

        Survey.objects.filter(slug=SLUG).update(is_published=True, published_at=timezone.now())

    def _feature(self, app: str) -> None:
        """The demo data of a feature app: `squaremile.<app>.demo.seed(rng=, size=, stdout=)` returns
        counts to report (its records link to what the steps before made)."""
        module = f"squaremile.{app}.demo"
        rng = random.Random(self.rng.random())
        if importlib.util.find_spec(module) is None:
            return
        counts = importlib.import_module(module).seed(rng=rng, size=self.size, stdout=self.stdout)
        self.counts.update(counts or {})

    def _load_taxonomy(self) -> None:
        skills = list(Skill.objects.order_by("name").values_list("id", "slug", "name", "family_id"))
        resources = list(ResourceKind.objects.order_by("name").values_list("id", "slug", "name"))
        # Rank in the database's own order of names, so that search bodies list skills exactly as
        # `org.skills.all()` would (collations differ between SQLite and PostgreSQL).
        self.skill_rank = {row[0]: rank for rank, row in enumerate(skills)}
        self.resource_rank = {row[0]: rank for rank, row in enumerate(resources)}
        self.skill_name = {row[0]: row[2] for row in skills}
        self.resource_name = {row[0]: row[2] for row in resources}
        self.skill_by_slug = {row[1]: row[0] for row in skills}
        self.resource_by_slug = {row[1]: row[0] for row in resources}
        # Random choices draw from lists in slug order (not the database's), so that a seed gives
        # the same people and organisations on SQLite and PostgreSQL.
        skills.sort(key=lambda row: row[1])
        resources.sort(key=lambda row: row[1])
        self.skill_ids = [row[0] for row in skills]
        self.resource_ids = [row[0] for row in resources]
        family_slug = dict(SkillFamily.objects.values_list("id", "slug"))
        self.skills_by_family: dict[int, list] = {}
        for row in skills:
            self.skills_by_family.setdefault(row[3], []).append(row[0])
        self.families = sorted(self.skills_by_family, key=family_slug.__getitem__)

    def _skill_ids(self, slugs) -> list:
        return [self.skill_by_slug[s] for s in slugs if s in self.skill_by_slug]

    def _resource_ids(self, slugs) -> list:
        return [self.resource_by_slug[s] for s in slugs if s in self.resource_by_slug]

    def _save_areas(self) -> None:
        self.slugs["area"] = set(Area.objects.values_list("slug", flat=True))
        for place in self.geo.all():
            facts = parse_boundary({"type": "Polygon", "coordinates": [[list(p) for p in place.ring]]})
            area = Area.objects.create(
                name=place.name,
                slug=self._unique_slug("area", place.name),
                kind=place.kind,
                parent_id=place.parent.area_id if place.parent else None,
                description=place.description,
                boundary=facts.geometry,
                centroid_lat=facts.centroid_lat,
                centroid_lng=facts.centroid_lng,
                min_lat=facts.min_lat,
                min_lng=facts.min_lng,
                max_lat=facts.max_lat,
                max_lng=facts.max_lng,
                area_sq_deg=facts.area_sq_deg,
                external_id=f"demo:{place.key}",
            )
            place.area_id = area.pk
        self.counts["areas"] = len(self.geo.all())
        self._gazetteer()
        # Where things are: mostly the town's wards, then the villages, a few out on the moors.
        self.spots = [(w, 78 * w.weight) for w in self.geo.wards]
        self.spots += [(v, 16 * v.weight) for v in self.geo.villages]
        self.spots += [(self.geo.region, 4.0)]
        total = sum(w for _p, w in self.spots)
        self.spot_places = [p for p, _w in self.spots]
        self.spot_cum = _cum([w / total for _p, w in self.spots])

    def _spot(self) -> Place:
        return self.rng.choices(self.spot_places, cum_weights=self.spot_cum)[0]

    def _bulk(self, model, objs) -> list:
        started = time.perf_counter()
        for start in range(0, len(objs), BATCH_SIZE):
            model.objects.bulk_create(objs[start : start + BATCH_SIZE], batch_size=BATCH_SIZE)
        key = f"insert {model._meta.db_table}"
        self.timings[key] = round(self.timings.get(key, 0) + time.perf_counter() - started, 2)
        return objs

    def _bulk_through(self, model, field_name: str, pairs) -> int:
        """Rows of a many-to-many table from (owner id, other id) pairs.

        Not through `bulk_create`: these tables hold two ids and nothing else (no defaults, no
        signals), and for half a million rows the ORM's per-value work costs several times
        the database's own. PostgreSQL takes them by COPY, SQLite by multi-row INSERTs."""
        started = time.perf_counter()
        m2m = model._meta.get_field(field_name)
        through = m2m.remote_field.through
        qn = connection.ops.quote_name
        table = qn(through._meta.db_table)
        a = qn(through._meta.get_field(m2m.m2m_field_name()).column)
        b = qn(through._meta.get_field(m2m.m2m_reverse_field_name()).column)
        pairs = list(pairs)
        with connection.cursor() as cursor:
            raw = cursor.cursor
            if connection.vendor == "postgresql" and hasattr(raw, "copy"):
                with raw.copy(f"COPY {table} ({a}, {b}) FROM STDIN") as copy:
                    for pair in pairs:
                        copy.write_row(pair)
            else:
                per = (connection.features.max_query_params or 2 * BATCH_SIZE) // 2
                for start in range(0, len(pairs), per):
                    chunk = pairs[start : start + per]
                    values = ", ".join(["(%s, %s)"] * len(chunk))
                    sql = f"INSERT INTO {table} ({a}, {b}) VALUES {values}"  # noqa: S608 - names from the model
                    cursor.execute(sql, [v for pair in chunk for v in pair])
        key = f"insert {through._meta.db_table}"
        self.timings[key] = round(self.timings.get(key, 0) + time.perf_counter() - started, 2)
        return len(pairs)

    def _gazetteer(self) -> None:
        """Streets, parks and postcodes of the demo locality, so that a place can be typed instead of
        tapped ("where is your square mile?", "near me"). A generator of its own, so that adding
        them changed none of the other demo records."""
        rng = random.Random(f"gazetteer-{self.seed}")
        rows, seen = [], set()

        def point(place: Place) -> tuple[float, float]:
            minx, miny, maxx, maxy = place.bounds
            while True:
                x, y = _r(rng.uniform(minx, maxx)), _r(rng.uniform(miny, maxy))
                if shapely.contains_xy(place.geom, x, y):
                    return y, x

        def add(name: str, kind: str, place: Place, context: str) -> None:
            if (name, kind, context) in seen:
                return
            seen.add((name, kind, context))
            lat, lng = point(place)
            rows.append(GazetteerPlace(name=name, kind=kind, lat=lat, lng=lng, context=context))

        for place in self.geo.all():
            if place.kind == AreaKind.REGION:
                continue
            town = "" if place.kind == AreaKind.VILLAGE else words.TOWN
            context = f"{place.name}, {town}" if town and place.name != words.TOWN else place.name
            for street in place.streets:
                add(street, PlaceKind.STREET, place, context)
            for park in place.parks:
                add(park, PlaceKind.LANDMARK, place, context)
            if place.postcode_district:
                for sector in range(1, 4):
                    for _ in range(3):
                        unit = f"{rng.choice(POSTCODE_LETTERS)}{rng.choice(POSTCODE_LETTERS)}"
                        add(f"{place.postcode_district} {sector}{unit}", PlaceKind.POSTCODE, place, place.name)
        for row in rows:
            row.key = lookup_key(row.name)
        GazetteerPlace.objects.bulk_create(rows, batch_size=1000)
        self.counts["gazetteer"] = len(rows)

    def _demo_accounts(self) -> None:
        rng = self.rng
        self.demo_users = {}
        for email, role, display, superuser in DEMO_ACCOUNTS:
            user = User.objects.filter(email__iexact=email).first() or User(email=email)
            first, last = display.split(" ", 1)
            user.first_name, user.last_name = first, last
            user.role = role
            user.is_staff = staff_flag_for(role, superuser)
            user.is_superuser = superuser
            user.is_active = True
            user.password = self.password
            user.save()
            EmailAddress.objects.filter(user=user).exclude(email=email).update(primary=False)
            EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
            ward = self.geo.wards[len(self.demo_users) % len(self.geo.wards)]
            lat, lng, home = self.geo.sample(ward)
            profile, _ = Profile.objects.get_or_create(user=user)
            profile.display_name = display
            profile.bio = f"A demo account ({role.label.lower()}). Password: {DEMO_PASSWORD}."
            profile.home_area_id = home.area_id
            profile.lat, profile.lng, profile.radius_m = lat, lng, 1609
            profile.willingness = Profile.Willingness.A_LOT
            profile.profile_visibility = Visibility.MEMBERS
            profile.place_visibility = Visibility.MEMBERS
            profile.skills_visibility = Visibility.MEMBERS
            profile.save()
            profile.skills.set(rng.sample(self.skill_ids, 5))
            profile.resources.set(rng.sample(self.resource_ids, 2))
            self.demo_users[role] = user

    def _people(self) -> None:
        rng, geo = self.rng, self.geo
        emails = {e.lower() for e in User.objects.values_list("email", flat=True)}
        users, plans = [], []
        for _ in range(self.size.people):
            first, last = rng.choice(words.FIRST_NAMES), rng.choice(words.SURNAMES)
            base = f"{slugify(first)}.{slugify(last).replace('-', '')}"
            email, n = f"{base}@example.org", 2
            while email in emails:
                email, n = f"{base}{n}@example.org", n + 1
            emails.add(email)
            users.append(User(email=email, first_name=first, last_name=last, password=self.password))
            plans.append((first, last))
        self._bulk(User, users)
        self._bulk(EmailAddress, [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users])

        visibility = [Visibility.PUBLIC, Visibility.MEMBERS, Visibility.NOBODY]
        profiles, skill_pairs, resource_pairs = [], [], []
        for user, (first, last) in zip(users, plans, strict=True):
            roll = rng.random()
            display = f"{first} {last}" if roll < 0.6 else f"{first} {last[0]}." if roll < 0.9 else first
            spot = self._spot()
            lat, lng, home = geo.sample(spot)
            if rng.random() < 0.15:
                lat = lng = None
            town = home.kind in (AreaKind.WARD, AreaKind.NEIGHBOURHOOD)
            radius = rng.choice([400, 800, 1609, 1609, 3219] if town else [3219, 8047, 8047, 16093])
            job, hobby = rng.choice(words.JOBS), rng.choice(words.HOBBIES)
            bio_ctx = {"job": job, "Job": job[0].upper() + job[1:], "hobby": hobby, "place": home.locality}
            bio_ctx |= {"town": words.TOWN, "years": rng.randint(2, 60)}
            bio = " ".join(s.format(**bio_ctx) for s in rng.sample(words.BIOS, rng.choice([1, 1, 2])))
            profile = Profile(
                user=user,
                display_name=display,
                bio=bio if rng.random() < 0.85 else "",
                home_area_id=home.area_id,
                lat=lat,
                lng=lng,
                radius_m=radius,
                willingness=rng.choices(Profile.Willingness.values, weights=[1, 3, 4, 2, 1])[0],
                profile_visibility=rng.choices(visibility, weights=[3, 6, 1])[0],
                place_visibility=rng.choices(visibility, weights=[1, 4, 5])[0],
                skills_visibility=rng.choices(visibility, weights=[3, 6, 1])[0],
            )
            profiles.append(profile)
            # Skills cluster: one or two families a person is good at, and a stray or two.
            mine = []
            for fam in rng.sample(self.families, rng.choice([1, 2, 2, 3])):
                pool = self.skills_by_family[fam]
                mine += rng.sample(pool, min(len(pool), rng.randint(1, 3)))
            mine += rng.sample(self.skill_ids, rng.choice([0, 1, 1, 2]))
            skill_pairs.append(list(dict.fromkeys(mine)))
            resource_pairs.append(rng.sample(self.resource_ids, rng.choice([0, 0, 1, 1, 2, 3])))
        self._bulk(Profile, profiles)
        self.people = profiles
        self.counts["people"] = len(profiles)
        self.counts["person_skills"] = self._bulk_through(
            Skill, "people", [(s, p.pk) for p, ss in zip(profiles, skill_pairs, strict=True) for s in ss]
        )
        self._bulk_through(
            ResourceKind, "people", [(r, p.pk) for p, rs in zip(profiles, resource_pairs, strict=True) for r in rs]
        )

    def _archetypes(self):
        arcs = []
        for stream, types, weight, names, sentences, skills, resources, where in words.ORG_ARCHETYPES:
            arcs.append(
                {
                    "stream": stream,
                    "types": [t for t, _w in types],
                    "type_cum": _cum([w for _t, w in types]),
                    "weight": weight,
                    "names": names,
                    "sentences": sentences,
                    "skills": self._skill_ids(skills),
                    "resources": self._resource_ids(resources),
                    "where": where,
                }
            )
        return arcs

    def _org_tables(self):
        """Archetype choice tables for a town location and for a village or rural one: stream
        first (by STREAM_WEIGHTS), then archetype within it."""
        arcs = self._archetypes()
        tables = {}
        for setting in ("town", "village"):
            usable = [a for a in arcs if a["where"] is None or a["where"] == setting]
            weights = []
            for a in usable:
                stream_total = sum(b["weight"] for b in usable if b["stream"] == a["stream"])
                weights.append(STREAM_WEIGHTS[a["stream"]] * a["weight"] / stream_total)
            tables[setting] = (usable, _cum(weights))
        return tables

    def _organisations(self) -> None:
        rng, geo = self.rng, self.geo
        self.slugs["organisation"] = set(Organisation.objects.values_list("slug", flat=True))
        tables = self._org_tables()
        stream_label = dict(Stream.choices)
        type_label = dict(OrganisationType.choices)
        url = self._url_pattern("directory:organisation_detail")
        people = self.people
        organiser = self.demo_users[Role.ORGANISER]
        member = self.demo_users[Role.MEMBER]
        visibilities = [Visibility.PUBLIC, Visibility.MEMBERS, Visibility.NOBODY]
        rows: list[OrgRow] = []
        t0 = time.perf_counter()
        for index in range(self.size.organisations):
            located = rng.random() >= 0.04
            spot = self._spot()
            lat, lng, place = geo.sample(spot) if located else (None, None, spot)
            setting = "town" if place.kind in (AreaKind.WARD, AreaKind.NEIGHBOURHOOD) else "village"
            naming_place = place
            if place.kind == AreaKind.REGION:
                naming_place = rng.choice(geo.villages)
            arcs, cum = tables[setting]
            arc = rng.choices(arcs, cum_weights=cum)[0]
            stream = arc["stream"]
            org_type = rng.choices(arc["types"], cum_weights=arc["type_cum"])[0]
            name, ctx, lead = self._named("organisation", arc["names"], naming_place)
            slug = self._unique_slug("organisation", name)
            label = slug[:60].strip("-")
            website = f"https://{label}.example.org/" if rng.random() < 0.7 else ""
            ctx["website"] = website
            email = ""
            if rng.random() < 0.55:
                if stream == "individual":
                    email = f"{slugify(ctx['first'])}.{slugify(ctx['surname']).replace('-', '')}@example.org"
                else:
                    email = f"{rng.choice(['hello', 'info', 'contact', 'admin'])}@{label}.example.org"
            phone = ""
            if rng.random() < 0.5:
                phone = (
                    f"07700 900{rng.randint(0, 999):03d}"
                    if stream == "individual" or rng.random() < 0.3
                    else f"0113 496 0{rng.randint(0, 999):03d}"
                )
            address = ""
            if located and rng.random() < (0.15 if stream == "individual" else 0.8):
                address = self._address(place, ctx)
            if stream == "individual":
                contact_visibility = rng.choices(visibilities, weights=[3, 5, 2])[0]
            else:
                contact_visibility = rng.choices(visibilities, weights=[7, 2, 1])[0]
            owner = None
            if index in (1, 2):
                owner = member
            elif index % 40 == 0:
                owner = organiser
            elif people and rng.random() < 0.15:
                owner = rng.choice(people).user
            description = self._description(arc["sentences"], lead, stream, ctx)
            core = arc["skills"]
            skills = rng.sample(core, min(len(core), rng.randint(1, 4)))
            if rng.random() < 0.25:
                skills.append(rng.choice(self.skill_ids))
            skills = list(dict.fromkeys(skills))
            resources = rng.sample(arc["resources"], min(len(arc["resources"]), rng.choice([0, 1, 1, 2, 3])))
            served = self._served(stream, place, located)
            obj = Organisation(
                name=name,
                slug=slug,
                stream=stream,
                org_type=org_type,
                description=description,
                website=website,
                email=email,
                phone=phone,
                address=address,
                contact_visibility=contact_visibility,
                lat=lat,
                lng=lng,
                area_id=place.area_id if located else None,
                owner_id=owner.pk if owner else None,
                **_demo_opening_hours(slug),
            )
            rows.append(OrgRow(obj, place, stream, skills, resources, served))
        self.timings["build organisations"] = round(time.perf_counter() - t0, 2)
        self._bulk(Organisation, [r.obj for r in rows])
        self.orgs = rows
        self.counts["organisations"] = len(rows)
        self._bulk_through(Organisation, "skills", [(r.obj.pk, s) for r in rows for s in r.skills])
        self._bulk_through(Organisation, "resources", [(r.obj.pk, s) for r in rows for s in r.resources])
        self._bulk_through(Organisation, "areas_served", [(r.obj.pk, a) for r in rows for a in r.served])
        t0 = time.perf_counter()
        docs = []
        for r in rows:
            o = r.obj
            labels = [stream_label[o.stream], type_label[o.org_type], o.address]
            labels += [self.skill_name[s] for s in sorted(r.skills, key=self.skill_rank.__getitem__)]
            labels += [self.resource_name[s] for s in sorted(r.resources, key=self.resource_rank.__getitem__)]
            extra = " ".join(filter(None, labels))
            docs.append(self._doc("organisation", o, extra, url))
        self.timings["build organisation docs"] = round(time.perf_counter() - t0, 2)
        self._bulk(SearchDocument, docs)
        self.counts["search_documents"] = len(docs)

    def _served(self, stream: str, place: Place, located: bool) -> list:
        rng, geo = self.rng, self.geo
        roll = rng.random()
        if stream == "business":
            return [place.area_id] if located and roll < 0.4 else []
        if stream == "public":
            if roll < 0.5:
                return [geo.town.area_id]
            if roll < 0.8 and place.kind != AreaKind.REGION:
                return [place.ward.area_id]
            return [geo.region.area_id]
        if not located or roll < 0.1:
            return [geo.town.area_id] if roll < 0.05 else []
        served = [place.area_id]
        if place.kind == AreaKind.NEIGHBOURHOOD and rng.random() < 0.3:
            served.append(place.parent.area_id)
        elif place.kind == AreaKind.WARD and rng.random() < 0.25:
            served.append(rng.choice(geo.wards).area_id)
        return list(dict.fromkeys(served))

    def _doc(self, kind: str, obj, extra: str, url: str) -> SearchDocument:
        body = " ".join(filter(None, [self._plain(obj.description), extra]))
        return SearchDocument(
            kind=kind,
            object_id=obj.pk,
            title=obj.name[:300],
            body=body,
            url=url.format(slug=obj.slug)[:300],
            area_id=obj.area_id,
        )

    def _dates(self, status: str):
        rng = self.rng

        def days(a, b):
            return timedelta(days=rng.randint(a, b))

        start = end = None
        if status == ProjectStatus.IDEA:
            start = TODAY + days(30, 300) if rng.random() < 0.4 else None
        elif status == ProjectStatus.STARTING:
            start = TODAY + days(-60, 90)
            end = start + days(180, 720) if rng.random() < 0.4 else None
        elif status == ProjectStatus.ACTIVE:
            start = TODAY - days(30, 6 * 365)
            end = TODAY + days(30, 700) if rng.random() < 0.3 else None
        elif status == ProjectStatus.PAUSED:
            start = TODAY - days(90, 4 * 365)
        else:
            start = TODAY - days(365, 7 * 365)
            end = min(start + days(30, 900), TODAY - timedelta(days=1))
        if start and end and end < start:
            end = start
        return start, end

    def _projects(self) -> None:
        rng, geo = self.rng, self.geo
        self.slugs["project"] = set(Project.objects.values_list("slug", flat=True))
        url = self._url_pattern("directory:project_detail")
        status_label = dict(ProjectStatus.choices)
        statuses = [s for s, _w in STATUS_WEIGHTS]
        status_cum = _cum([w for _s, w in STATUS_WEIGHTS])
        arcs = [(names, sentences, self._skill_ids(skills)) for names, sentences, skills in words.PROJECT_ARCHETYPES]
        orgs = self.orgs
        by_stream: dict[str, list] = {}
        by_area: dict[int | None, list] = {}
        for r in orgs:
            by_stream.setdefault(r.stream, []).append(r)
            by_area.setdefault(r.obj.area_id, []).append(r)
        leads = by_stream.get("community", []) + by_stream.get("individual", [])
        organiser = self.demo_users[Role.ORGANISER]
        member = self.demo_users[Role.MEMBER]
        rows = []
        for index in range(self.size.projects if orgs else 0):
            roll = rng.random()
            lead = rng.choice(leads) if roll < 0.75 and leads else rng.choice(orgs)
            partners = [lead.obj.pk]
            if rng.random() < 0.35:
                near = by_area.get(lead.obj.area_id) or orgs
                other = rng.choice(near if len(near) > 1 else orgs)
                if other.obj.pk != lead.obj.pk:
                    partners.append(other.obj.pk)
            place = lead.place
            where = rng.random()
            if lead.obj.lat is not None and where < 0.4:
                lat, lng = lead.obj.lat, lead.obj.lng
                area_id = lead.obj.area_id
            elif where < 0.8:
                lat, lng, place = geo.sample(place if lead.obj.lat is not None else self._spot())
                area_id = place.area_id
            else:
                lat = lng = area_id = None
            naming_place = place if place.kind != AreaKind.REGION else rng.choice(geo.villages)
            names, sentences, core = rng.choice(arcs)
            name, ctx, _lead = self._named("project", names, naming_place)
            slug = self._unique_slug("project", name)
            website = f"https://{slug[:60].strip('-')}.example.org/" if rng.random() < 0.3 else ""
            ctx["website"] = website
            parts = self._sentences(sentences, None, 0.6)
            if rng.random() < 0.3:
                closing = [s for s in words.GENERIC_CLOSING["community"] if website or "{website}" not in s]
                parts.append(rng.choice(closing))
            description = " ".join(p.format_map(ctx) for p in parts)
            status = rng.choices(statuses, cum_weights=status_cum)[0]
            start, end = self._dates(status)
            skills = rng.sample(core, min(len(core), rng.randint(1, 3)))
            if lead.skills and rng.random() < 0.4:
                skills.append(rng.choice(lead.skills))
            owner = member if index == 1 else organiser if index % 25 == 0 else None
            obj = Project(
                name=name,
                slug=slug,
                status=status,
                start_date=start,
                end_date=end,
                description=description,
                website=website,
                lat=lat,
                lng=lng,
                area_id=area_id,
                owner_id=owner.pk if owner else None,
            )
            rows.append((obj, partners, list(dict.fromkeys(skills))))
        self._bulk(Project, [r[0] for r in rows])
        self.counts["projects"] = len(rows)
        self._bulk_through(Project, "organisations", [(p.pk, o) for p, orgs_, _s in rows for o in orgs_])
        self._bulk_through(Project, "skills", [(p.pk, s) for p, _o, skills in rows for s in skills])
        docs = [self._doc("project", p, status_label[p.status], url) for p, _o, _s in rows]
        self._bulk(SearchDocument, docs)
        self.counts["search_documents"] = self.counts.get("search_documents", 0) + len(docs)


# --- Entry points ----------------------------------------------------------------------------


def has_demo_data() -> bool:
    """Whether there is a directory already (or the demo places, from an earlier seed)."""
    return Organisation.objects.exists() or Area.objects.filter(external_id__startswith="demo:").exists()


def _delete_all(model, emptied: set) -> int:
    """Delete every row of `model`. When every table that points at it is one already emptied,
    a single DELETE does it; Django's collector would first load every row and then look for
    dependants it cannot find, which takes longer than the delete. If another app has added a
    relation, the collector runs, so its cascades and SET NULLs still happen."""
    relations = get_candidate_relations_to_delete(model._meta)
    if any(rel.related_model not in emptied for rel in relations):
        return model.objects.all().delete()[0]
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608 - a table name
        return cursor.rowcount


def reset() -> dict:
    """Delete the demo data: every organisation, project, area and search document, and every
    user who is not a superuser, with the map entries and network surveys. The taxonomy and the map
    categories stay."""
    from squaremile.attachments.services import detach_all_of_model
    from squaremile.audit.models import AuditEvent
    from squaremile.mapping.models import ClusterCell, Entry
    from squaremile.network.models import Response, Survey

    emptied_map = {AuditEvent, Entry}
    deleted_map = {"map_cells": ClusterCell.objects.all().delete()[0]}
    # An entry's photos hang on a generic relation, which a plain DELETE of the entries would not follow.
    deleted_map["entryphoto"] = detach_all_of_model(Entry)
    for model in (AuditEvent, Entry):
        deleted_map[model._meta.model_name] = _delete_all(model, emptied_map)
    Response.objects.all().delete()
    deleted_map["surveys"] = Survey.objects.all().delete()[0]
    links = [
        Organisation.skills.through,
        Organisation.resources.through,
        Organisation.areas_served.through,
        Project.organisations.through,
        Project.skills.through,
    ]
    for through in links:
        through.objects.all().delete()
    emptied = set(links)
    deleted = {"search_documents": SearchDocument.objects.all().delete()[0]}
    deleted["projects"] = _delete_all(Project, emptied)
    emptied.add(Project)
    deleted["organisations"] = _delete_all(Organisation, emptied)
    deleted["users"] = User.objects.filter(is_superuser=False).delete()[0]
    Area.objects.update(parent=None)
    deleted["areas"] = Area.objects.all().delete()[0]
    deleted["gazetteer"] = GazetteerPlace.objects.all().delete()[0]
    return deleted | deleted_map


@contextmanager
def _unlogged_queries():
    """With DEBUG on, Django keeps and formats every statement it runs (on SQLite with an extra
    query per statement to quote the parameters); seeding spends longer on that than on the
    inserts. Turn it off for this connection while seeding."""
    connection.make_debug_cursor = connection.make_cursor
    try:
        yield
    finally:
        del connection.make_debug_cursor


def seed(*, size: Size, seed: int, do_reset: bool = False, stdout=None) -> dict | None:
    """Build the demo locality. Returns counts and timings, or None when there was already data
    and no reset was asked for."""
    with _unlogged_queries(), transaction.atomic():
        if do_reset:
            reset()
        elif has_demo_data():
            return None
        return DemoGenerator(size=size, seed=seed, stdout=stdout).run()


_HOURS_PATTERNS = (
    ({"mo", "tu", "we", "th", "fr"}, "09:00", "17:00", ""),
    ({"mo", "tu", "we", "th"}, "10:00", "16:00", "Closed on bank holidays"),
    ({"tu", "th"}, "18:30", "21:00", ""),
    ({"sa"}, "10:00", "13:00", "Term time only"),
    ({"we", "fr", "sa"}, "09:30", "12:30", ""),
)


def _demo_opening_hours(slug: str) -> dict:
    """Opening hours for about half of the demo organisations, chosen from their name (a random
    generator of its own, so the rest of the demo data stays the same)."""
    pick = random.Random(slug)
    if pick.random() < 0.5:
        return {}
    days, opens, closes, note = pick.choice(_HOURS_PATTERNS)
    return {"opening_hours": {d: [opens, closes] for d in ("mo", "tu", "we", "th", "fr", "sa", "su") if d in days},
            "hours_note": note}  # fmt: skip
