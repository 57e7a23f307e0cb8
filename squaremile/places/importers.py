"""The gazetteer's importer on the shared pipeline (`squaremile.imports`): the names people type for
"where is your square mile?" and "near me" — streets, postcodes, landmarks, villages — each with its
point. For administrators (`place.import`), from the command line (`manage.py import_gazetteer`) or
the shared wizard pages at /areas/gazetteer/import/.

A row holds a name and a point (latitude and longitude columns, or a GeoJSON point), and may say
its kind (street, postcode, landmark or locality; "locality" when not given) and its context (the
town or area shown after the name). A place is the same place when its name (spacing, case and
punctuation aside), kind and context are: importing a list again moves the points that changed and
adds nothing twice. Operators can load, for example, Ordnance Survey's Open Names or the ONS
postcode directory saved as CSV, without any outside service being asked while people use the site.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from squaremile.core.text import clean_text
from squaremile.imports import pipeline
from squaremile.imports.pipeline import Plan, Row, Target, quote
from squaremile.imports.reading import Table
from squaremile.places.models import Place, PlaceKind, lookup_key

NAME_MAX = 200
CONTEXT_MAX = 200
BATCH = 900  # keys per query (SQLite allows 999 parameters)

TARGETS = (
    Target("name", "Name", "The street, postcode, landmark or place name people type. Needed.", required=True,
           synonyms=("name", "placename", "street", "postcode", "pcd", "pcds", "name1", "title")),
    Target("kind", "Kind", "street, postcode, landmark or locality (locality when empty).",
           synonyms=("kind", "type", "localtype", "category")),
    Target("lat", "Latitude", "Between -90 and 90 (not needed for GeoJSON points).", synonyms=("lat", "latitude", "y")),
    Target("lng", "Longitude", "Between -180 and 180.", synonyms=("lng", "lon", "long", "longitude", "x")),
    Target("context", "Context", "Shown after the name, such as the town.",
           synonyms=("context", "town", "populatedplace", "district", "area", "locality", "county")),
)  # fmt: skip
KIND_WORDS = {
    **{k: k for k in PlaceKind.values},
    "road": PlaceKind.STREET, "namedroad": PlaceKind.STREET, "streetname": PlaceKind.STREET,
    "postcodeunit": PlaceKind.POSTCODE, "pcd": PlaceKind.POSTCODE,
    "village": PlaceKind.LOCALITY, "town": PlaceKind.LOCALITY, "hamlet": PlaceKind.LOCALITY,
    "suburbanarea": PlaceKind.LOCALITY, "city": PlaceKind.LOCALITY, "neighbourhood": PlaceKind.LOCALITY,
    "otherSettlement".casefold(): PlaceKind.LOCALITY, "poi": PlaceKind.LANDMARK, "park": PlaceKind.LANDMARK,
}  # fmt: skip


def _number(raw: str) -> float | None:
    try:
        value = float(raw.strip().replace(",", "."))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


@dataclass
class GazetteerContext:
    existing: dict[str, Place] = field(default_factory=dict)  # row key -> stored place


def row_key(kind: str, name: str, context: str) -> str:
    return f"{kind}|{lookup_key(name)}|{context.casefold()}"


class GazetteerImporter(pipeline.Importer):
    key = "places.gazetteer"
    title = "Import the gazetteer"
    permission = "place.import"
    words = ("place", "places")
    targets = TARGETS
    inline_rows = 5_000

    def prepare(self, table: Table, options) -> GazetteerContext:
        return GazetteerContext()

    def check_row(self, row: Row, context: GazetteerContext, options):
        problems: list[str] = []

        def text(key: str) -> str:
            return clean_text(row.get(key) or "", multiline=False).strip()

        name, where = text("name"), text("context")
        if not lookup_key(name):
            problems.append("the name is missing" if not name else f"the name {quote(name)} has no letters or digits")
        elif len(name) > NAME_MAX:
            problems.append(f"the name is longer than {NAME_MAX} characters")
        if len(where) > CONTEXT_MAX:
            problems.append(f"the context is longer than {CONTEXT_MAX} characters")
        kind = PlaceKind.LOCALITY
        if text("kind"):
            kind = KIND_WORDS.get("".join(ch for ch in text("kind").casefold() if ch.isalnum()))
            if kind is None:
                problems.append(f"the kind {quote(text('kind'))} is not street, postcode, landmark or locality")
        lat = lng = None
        if row.point is not None and not row.mapped("lat"):
            if isinstance(row.point, str):
                problems.append(row.point)
            else:
                lat, lng = row.point
        else:
            raw_lat, raw_lng = text("lat"), text("lng")
            lat, lng = _number(raw_lat), _number(raw_lng)
            if lat is None:
                problems.append(
                    f"the latitude {quote(raw_lat)} is not a number" if raw_lat else "the latitude is missing"
                )
            elif not -90 <= lat <= 90:
                problems.append(f"the latitude {lat:g} is out of range (it must be between -90 and 90)")
            if lng is None:
                problems.append(
                    f"the longitude {quote(raw_lng)} is not a number" if raw_lng else "the longitude is missing"
                )
            elif not -180 <= lng <= 180:
                problems.append(f"the longitude {lng:g} is out of range (it must be between -180 and 180)")
        if problems:
            return None, problems
        return {"name": name, "kind": kind, "context": where, "lat": round(lat, 6), "lng": round(lng, 6)}, []

    def key_of(self, values: dict) -> str:
        return row_key(values["kind"], values["name"], values["context"])

    def duplicate(self, key: str, other_number: int, table: Table) -> str:
        return f"the same place (name, kind and context) is also in row {other_number}"

    def match(self, checked, context: GazetteerContext, options, plan: Plan) -> None:
        keys = sorted({lookup_key(values["name"]) for _, values in checked})
        for start in range(0, len(keys), BATCH):
            for place in Place.objects.filter(key__in=keys[start : start + BATCH]):
                context.existing[row_key(place.kind, place.name, place.context)] = place
        for number, values in checked:
            place = context.existing.get(self.key_of(values))
            if place is None:
                plan.creates.append((number, Place(**values)))
                continue
            changes = {
                f: [getattr(place, f), values[f]] for f in ("name", "lat", "lng") if getattr(place, f) != values[f]
            }
            if changes:
                for f, (_old, new) in changes.items():
                    setattr(place, f, new)
                plan.updates.append((number, place, changes))
            else:
                plan.unchanged += 1

    def write(self, plan: Plan, *, by, options) -> None:
        new = [place for _, place in plan.creates]
        for place in new:
            place.key = lookup_key(place.name)  # bulk_create skips save(), which sets it
        Place.objects.bulk_create(new, batch_size=1000)
        Place.objects.bulk_update([p for _, p, _ in plan.updates], ["name", "lat", "lng"], batch_size=1000)

    url_names = "places:gazetteer_import"
    done_url = "places:near"
    done_label = "Try a place name on “near me”"


GAZETTEER = pipeline.register(GazetteerImporter())
