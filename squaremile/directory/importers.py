"""The directory's importer on the shared pipeline (`squaremile.imports`): organisations from a CSV,
such as a council's list of voluntary groups. For moderators and administrators
(`organisation.import`).

A row holds a name (needed) and any of: type, stream, description, website, e-mail, phone, address,
postcode, latitude and longitude (both or neither), areas served (area names or short names,
separated by ";"), and an external id. A row without a point is placed at its postcode when the
gazetteer (`places.Place`) knows it; the area holding the point is looked up for all rows at once.

Idempotent: a row is matched to a stored organisation by its external id; without one, by its name
and postcode (kept as the organisation's external id "auto:..."), and an organisation entered by
hand with the same name (and that postcode in its address) is taken up rather than doubled. A row
whose values equal the stored organisation's is unchanged, so importing the same list twice
changes nothing and says so.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils import timezone
from django.utils.text import slugify

from squaremile.core.text import clean_text, plain_text
from squaremile.imports import pipeline
from squaremile.imports.pipeline import Plan, Row, Target, quote
from squaremile.imports.reading import Table
from squaremile.places.area_index import AreaIndex
from squaremile.places.models import lookup_key

NAME_MAX = 200
DESCRIPTION_MAX = 10_000
EXTERNAL_ID_MAX = 200
POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")

TARGETS = (
    Target("name", "Name", "Needed for every row.", required=True,
           synonyms=("name", "organisation", "organisationname", "organization", "groupname", "group", "title")),
    Target("org_type", "Type", "Such as charity, community group, faith group (any of the directory's types).",
           synonyms=("type", "orgtype", "organisationtype", "kind", "category")),
    Target("stream", "Stream", "Community and voluntary, public body, business or individual-led.",
           synonyms=("stream", "sector")),
    Target("description", "Description", synonyms=("description", "about", "summary", "details", "aims", "activities")),
    Target("website", "Website", synonyms=("website", "web", "url", "site", "homepage", "www")),
    Target("email", "E-mail", synonyms=("email", "emailaddress", "mail", "contactemail")),
    Target("phone", "Phone", synonyms=("phone", "telephone", "tel", "phonenumber", "mobile", "contactnumber")),
    Target("address", "Address", synonyms=("address", "streetaddress", "addressline1", "street")),
    Target("postcode", "Postcode", synonyms=("postcode", "postalcode", "zip", "zipcode", "pc")),
    Target("lat", "Latitude", "Between -90 and 90; give both or neither.", synonyms=("lat", "latitude", "y")),
    Target("lng", "Longitude", "Between -180 and 180.", synonyms=("lng", "lon", "long", "longitude", "x")),
    Target("areas", "Areas served", "Area names, separated by “;”.",
           synonyms=("area", "areas", "areasserved", "ward", "neighbourhood", "district")),
    Target("external_id", "External id", "The row's id in your own list; used to update rows imported before.",
           synonyms=("externalid", "id", "ref", "reference", "charitynumber", "registrationnumber", "uid")),
)  # fmt: skip
COMPARED = ("name", "org_type", "stream", "description", "website", "email", "phone", "address", "lat", "lng")


def _choices(choices) -> dict[str, str]:
    found: dict[str, str] = {}
    for value, label in choices:
        for word in (value, label, value.replace("_", " ")):
            found.setdefault(re.sub(r"[^a-z0-9]", "", word.casefold()), value)
    return found


def _number(raw: str):
    text = raw.strip().replace(" ", "")
    if "," in text and "." not in text and text.count(",") == 1:
        text = text.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def auto_key(name: str, postcode: str) -> str:
    digest = hashlib.sha1(f"{name.strip().casefold()}|{postcode}".encode(), usedforsecurity=False)
    return "auto:" + digest.hexdigest()[:24]


@dataclass
class OrgContext:
    types: dict[str, str]
    streams: dict[str, str]
    areas: dict[str, tuple[int, str]]  # name or slug (casefolded) -> (id, name)
    existing: dict[str, object] = field(default_factory=dict)  # external id -> Organisation
    by_name: dict[str, list] = field(default_factory=dict)  # name (casefolded) -> hand-made organisations


@dataclass(slots=True)
class NewOrganisation:
    values: dict
    pk: int | None = None

    @property
    def name(self) -> str:
        return self.values["name"]


class OrganisationImporter(pipeline.Importer):
    key = "directory.organisations"
    title = "Import organisations"
    permission = "organisation.import"
    words = ("organisation", "organisations")
    targets = TARGETS
    inline_rows = 1_000
    help_template = "directory/includes/_import_help.html"

    def prepare(self, table: Table, options) -> OrgContext:
        from squaremile.directory.models import OrganisationType, Stream
        from squaremile.places.models import Area

        areas: dict[str, tuple[int, str]] = {}
        if options.mapping.get("areas"):
            for pk, name, slug in Area.objects.order_by("id").values_list("pk", "name", "slug"):
                areas.setdefault(name.casefold(), (pk, name))
                areas.setdefault(slug.casefold(), (pk, name))
        return OrgContext(types=_choices(OrganisationType.choices), streams=_choices(Stream.choices), areas=areas)

    def _load_existing(self, checked, context: OrgContext) -> None:
        """The stored organisations the rows may match, in a few queries whatever the directory's size:
        by external id, and the hand-made ones (no external id) that share a name with a row."""
        from django.db.models.functions import Lower

        from squaremile.directory.models import Organisation

        keys = [values["external_id"] for _, values in checked]
        names = sorted({values["name"].casefold() for _, values in checked})
        fields = (*COMPARED, "slug", "external_id", "area")
        for start in range(0, len(keys), 900):
            found = Organisation.objects.filter(external_id__in=keys[start : start + 900])
            for org in found.only(*fields).prefetch_related("areas_served"):
                context.existing[org.external_id] = org
        for start in range(0, len(names), 900):
            found = Organisation.objects.annotate(lname=Lower("name")).filter(
                external_id="", lname__in=names[start : start + 900]
            )
            for org in found.only(*fields).order_by("id").prefetch_related("areas_served"):
                context.by_name.setdefault(org.name.casefold(), []).append(org)

    def check_row(self, row: Row, context: OrgContext, options):
        problems: list[str] = []
        values: dict = {}

        def text(key: str) -> str:
            return clean_text(row.get(key) or "", multiline=False).strip()

        name = text("name")
        if not name:
            problems.append("the name is missing")
        elif len(name) > NAME_MAX:
            problems.append(f"the name is longer than {NAME_MAX} characters")
        values["name"] = name
        for key, lookup, label in (("org_type", context.types, "type"), ("stream", context.streams, "stream")):
            if row.mapped(key) and text(key):
                found = lookup.get(re.sub(r"[^a-z0-9]", "", text(key).casefold()))
                if found is None:
                    problems.append(f"the {label} {quote(text(key))} is not one the directory knows")
                else:
                    values[key] = found
        if row.mapped("description"):
            description = clean_text(row.get("description") or "", multiline=True).strip()
            if len(description) > DESCRIPTION_MAX:
                problems.append(f"the description is longer than {DESCRIPTION_MAX:,} characters")
            values["description"] = description
        if row.mapped("website"):
            website = text("website")
            if website and not re.match(r"^[a-z][a-z0-9+.-]*://", website, re.I):
                website = "https://" + website
            if website:
                try:
                    URLValidator(schemes=["http", "https"])(website)
                    if len(website) > 500:
                        raise ValidationError("too long")
                except ValidationError:
                    problems.append(f"the website {quote(text('website'))} is not a web address")
            values["website"] = website
        if row.mapped("email"):
            email = text("email")
            if email:
                try:
                    EmailValidator()(email)
                except ValidationError:
                    problems.append(f"the e-mail {quote(email)} is not an e-mail address")
            values["email"] = email
        if row.mapped("phone"):
            phone = text("phone")
            if len(phone) > 40:
                problems.append("the phone number is longer than 40 characters")
            values["phone"] = phone
        postcode = ""
        if row.mapped("postcode"):
            raw = text("postcode").upper()
            compact = raw.replace(" ", "")
            if raw and not POSTCODE.match(raw):
                problems.append(f"the postcode {quote(raw)} is not a UK postcode")
            elif raw:
                postcode = f"{compact[:-3]} {compact[-3:]}"
        values["postcode"] = postcode
        if row.mapped("address") or postcode:
            address = text("address")
            if postcode and postcode.replace(" ", "") not in address.upper().replace(" ", ""):
                address = f"{address}, {postcode}" if address else postcode
            if len(address) > 300:
                problems.append("the address is longer than 300 characters")
            values["address"] = address
        if row.mapped("lat") or row.mapped("lng"):
            raw_lat, raw_lng = text("lat"), text("lng")
            lat = _number(raw_lat) if raw_lat else None
            lng = _number(raw_lng) if raw_lng else None
            if raw_lat and lat is None:
                problems.append(f"the latitude {quote(raw_lat)} is not a number")
            if raw_lng and lng is None:
                problems.append(f"the longitude {quote(raw_lng)} is not a number")
            if lat is not None and not -90 <= lat <= 90:
                problems.append(f"the latitude {lat:g} is out of range (it must be between -90 and 90)")
            if lng is not None and not -180 <= lng <= 180:
                problems.append(f"the longitude {lng:g} is out of range (it must be between -180 and 180)")
            if (lat is None) != (lng is None) and not (raw_lat and lat is None) and not (raw_lng and lng is None):
                problems.append("give both latitude and longitude, or neither")
            values["lat"], values["lng"] = lat, lng
        if row.mapped("areas"):
            ids = []
            for word in filter(None, (w.strip() for w in re.split(r"[;|]", text("areas")))):
                found = context.areas.get(word.casefold())
                if found is None:
                    problems.append(f"there is no area called {quote(word)}")
                else:
                    ids.append(found[0])
            values["areas"] = sorted(set(ids))
        external_id = text("external_id")
        if len(external_id) > EXTERNAL_ID_MAX:
            problems.append(f"the external id is longer than {EXTERNAL_ID_MAX} characters")
        values["external_id"] = external_id or (auto_key(name, postcode) if name else "")
        return (None, problems) if problems else (values, [])

    def key_of(self, values: dict) -> str:
        return values["external_id"]

    def duplicate(self, key: str, other_number: int, table: Table) -> str:
        what = f"the external id {quote(key)}" if not key.startswith("auto:") else "the same name and postcode"
        return f"{what} is also used in row {other_number}"

    def _hand_made(self, values: dict, context: OrgContext):
        for org in context.by_name.get(values["name"].casefold(), []):
            postcode = values.get("postcode", "").replace(" ", "")
            if not postcode or postcode in (org.address or "").upper().replace(" ", ""):
                context.by_name[values["name"].casefold()].remove(org)
                return org
        return None

    def match(self, checked, context: OrgContext, options, plan: Plan) -> None:
        self._load_existing(checked, context)
        points = _postcode_points([v["postcode"] for _, v in checked if v["postcode"] and v.get("lat") is None])
        for number, values in checked:
            org = context.existing.get(values["external_id"]) or self._hand_made(values, context)
            # no point in the row: the postcode's, from the gazetteer (never over a point already kept)
            point = points.get(lookup_key(values["postcode"])) if values.get("lat") is None else None
            if point and (org is None or org.lat is None):
                values["lat"], values["lng"] = point
            if org is None:
                plan.creates.append((number, NewOrganisation(values=values)))
                continue
            changes = {}
            for name in COMPARED:
                if name in values and getattr(org, name) != values[name]:
                    changes[name] = [getattr(org, name), values[name]]
                    setattr(org, name, values[name])
            if org.external_id != values["external_id"]:
                changes["external_id"] = [org.external_id or None, values["external_id"]]
                org.external_id = values["external_id"]
            if "areas" in values:
                old = sorted(a.pk for a in org.areas_served.all())
                if old != values["areas"]:
                    changes["areas_served"] = [old, values["areas"]]
                org._import_areas = values["areas"]
            if changes:
                plan.updates.append((number, org, changes))
            else:
                plan.unchanged += 1
        # the area that holds each point, for every new or moved organisation at once
        located = [(v.values["lat"], v.values["lng"]) for _, v in plan.creates if v.values.get("lat") is not None]
        moved = [(o.lat, o.lng) for _, o, c in plan.updates if ("lat" in c or "lng" in c) and o.lat is not None]
        if located or moved:
            found = iter(AreaIndex().lookup(located + moved))
            for _, new in plan.creates:
                if new.values.get("lat") is not None:
                    new.values["area_id"] = next(found)
            for _, org, c in plan.updates:
                if "lat" in c or "lng" in c:
                    org.area_id = next(found) if org.lat is not None else None

    def write(self, plan: Plan, *, by, options) -> None:
        from squaremile.core.models import SearchDocument
        from squaremile.directory.models import Organisation
        from squaremile.directory.services import index_organisation

        owner = by if getattr(by, "is_authenticated", False) else None
        slugs = _unique_slugs([new.name for _, new in plan.creates])
        fields = {f.name for f in Organisation._meta.concrete_fields}
        made = Organisation.objects.bulk_create(
            [
                Organisation(
                    owner=owner, slug=slug, **{k: v for k, v in new.values.items() if k in fields or k == "area_id"}
                )
                for (_, new), slug in zip(plan.creates, slugs, strict=True)
            ],
            batch_size=500,
        )
        for (_, new), org in zip(plan.creates, made, strict=True):
            new.pk = org.pk
        through = Organisation.areas_served.through
        links = [
            through(organisation_id=org.pk, area_id=area_id)
            for (_, new), org in zip(plan.creates, made, strict=True)
            for area_id in new.values.get("areas", [])
        ]
        now = timezone.now()
        updated = []
        for _, org, _changes in plan.updates:
            org.updated_at = now
            updated.append(org)
            if hasattr(org, "_import_areas"):
                through.objects.filter(organisation_id=org.pk).delete()
                links += [through(organisation_id=org.pk, area_id=a) for a in org._import_areas]
        if updated:
            Organisation.objects.bulk_update(updated, [*COMPARED, "external_id", "area", "updated_at"], batch_size=500)
        if links:
            through.objects.bulk_create(links, batch_size=1000, ignore_conflicts=True)
        # the search index: one document per new organisation in bulk, the updated ones one by one
        SearchDocument.objects.bulk_create(
            [
                SearchDocument(
                    kind="organisation",
                    object_id=org.pk,
                    title=org.name[:300],
                    url=org.get_absolute_url()[:300],
                    area_id=org.area_id,
                    body=_search_body(org),
                )
                for org in made
            ],  # fmt: skip
            batch_size=500,
        )
        for org in updated:
            index_organisation(org)

    def describe(self, record) -> str:
        return record.name

    url_names = "directory:import"
    done_url = "directory:organisation_list"
    done_label = "See the organisations"


def _postcode_points(postcodes: list[str]) -> dict[str, tuple[float, float]]:
    """lookup key -> (lat, lng) of the postcodes the gazetteer knows (`places.Place`), in one query
    per 900 postcodes."""
    from squaremile.places.models import Place, PlaceKind

    keys = sorted({lookup_key(p) for p in postcodes})
    found: dict[str, tuple[float, float]] = {}
    for start in range(0, len(keys), 900):
        rows = Place.objects.filter(kind=PlaceKind.POSTCODE, key__in=keys[start : start + 900])
        for key, lat, lng in rows.order_by("id").values_list("key", "lat", "lng"):
            found.setdefault(key, (lat, lng))
    return found


def _search_body(org) -> str:
    labels = [org.get_stream_display(), org.get_org_type_display(), org.address]
    return " ".join(filter(None, [plain_text(org.description), " ".join(filter(None, labels))]))


def _unique_slugs(names: list[str]) -> list[str]:
    """A slug per new organisation, unique among the stored ones and each other, with two queries
    whatever the number (not one per name)."""
    from squaremile.directory.models import Organisation

    bases = [(slugify(name) or "organisation")[:200] for name in names]
    taken: set[str] = set()
    wanted = sorted(set(bases))
    for start in range(0, len(wanted), 900):
        taken |= set(Organisation.objects.filter(slug__in=wanted[start : start + 900]).values_list("slug", flat=True))
    counts = Counter(bases)
    clashing = sorted({b for b in bases if b in taken or counts[b] > 1})
    for base in clashing:
        taken |= set(Organisation.objects.filter(slug__startswith=f"{base}-").values_list("slug", flat=True))
    slugs = []
    for base in bases:
        slug, n = base, 2
        while slug in taken:
            slug = f"{base}-{n}"
            n += 1
        taken.add(slug)
        slugs.append(slug)
    return slugs


ORGANISATIONS = pipeline.register(OrganisationImporter())
