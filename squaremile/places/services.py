"""Writes for places. Every function checks permission and runs in one transaction."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from squaremile.core.permissions import require
from squaremile.core.text import clean_text
from squaremile.places.geometry import parse_boundary
from squaremile.places.models import Area, AreaKind


def unique_slug(model, base: str, *, exclude_pk=None, max_length=200) -> str:
    base = (slugify(base) or "item")[:max_length]
    slug, n = base, 2
    qs = model.objects.all()
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    while qs.filter(slug=slug).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


def _apply_boundary(area: Area, boundary) -> None:
    if boundary in (None, "", {}):
        area.boundary = None
        area.min_lat = area.min_lng = area.max_lat = area.max_lng = area.area_sq_deg = None
        return
    facts = parse_boundary(boundary)
    area.boundary = facts.geometry
    area.centroid_lat, area.centroid_lng = facts.centroid_lat, facts.centroid_lng
    area.min_lat, area.min_lng = facts.min_lat, facts.min_lng
    area.max_lat, area.max_lng = facts.max_lat, facts.max_lng
    area.area_sq_deg = facts.area_sq_deg


def _check_parent(area: Area, parent: Area | None) -> None:
    seen = {area.pk} if area.pk else set()
    current = parent
    while current is not None:
        if current.pk in seen:
            raise ValidationError({"parent": "An area cannot sit inside itself."})
        seen.add(current.pk)
        current = current.parent


@transaction.atomic
def area_create(*, by, name: str, kind: str = AreaKind.NEIGHBOURHOOD, parent: Area | None = None,
                boundary=None, description: str = "", external_id: str = "",
                centroid_lat: float | None = None, centroid_lng: float | None = None) -> Area:  # fmt: skip
    require(by, "area.add")
    area = Area(name=name.strip(), kind=kind, parent=parent, description=description, external_id=external_id)
    area.centroid_lat, area.centroid_lng = centroid_lat, centroid_lng
    _apply_boundary(area, boundary)
    area.slug = unique_slug(Area, area.name)
    area.full_clean()
    area.save()
    return area


@transaction.atomic
def area_update(*, area: Area, by, **changes) -> Area:
    require(by, "area.change", area)
    if "boundary" in changes:
        _apply_boundary(area, changes.pop("boundary"))
    if "parent" in changes:
        _check_parent(area, changes["parent"])
    for key, value in changes.items():
        setattr(area, key, value)
    area.full_clean()
    area.save()
    return area


@transaction.atomic
def area_delete(*, area: Area, by) -> None:
    require(by, "area.delete", area)
    area.delete()


NAME_MAX = Area._meta.get_field("name").max_length


def _feature_errors(features, name_property):
    rows, errors, seen = [], [], {}
    for number, feature in enumerate(features, start=1):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            errors.append(f"Feature {number}: not a GeoJSON Feature.")
            continue
        props = feature.get("properties") or {}
        if not isinstance(props, dict):
            props = {}
        name = clean_text(str(props.get(name_property) or ""), multiline=False).strip()
        if not name:
            errors.append(f"Feature {number}: no '{name_property}' property to name the area.")
            continue
        if len(name) > NAME_MAX or "\x00" in name:
            errors.append(f"Feature {number}: the name must be plain text of at most {NAME_MAX} characters.")
            continue
        external_id = clean_text(str(props.get("id") or feature.get("id") or ""), multiline=False)[:100]
        # two features that would land on the same area: the second would silently overwrite the first
        key = ("id", external_id) if external_id else ("name", name)
        if key in seen:
            errors.append(f"Feature {number} ({name}): the same {key[0]} as feature {seen[key]}.")
            continue
        seen[key] = number
        try:
            facts = parse_boundary(feature.get("geometry"))
        except ValidationError as exc:
            errors.append(f"Feature {number} ({name}): {' '.join(exc.messages)}")
            continue
        rows.append((name, facts, external_id))
    return rows, errors


@transaction.atomic
def import_boundaries(*, data, by, kind: str, name_property: str = "name", parent: Area | None = None,
                      dry_run: bool = False) -> dict:  # fmt: skip
    """Create or update areas from a GeoJSON FeatureCollection. All or nothing: every bad feature
    is reported and none is applied. Areas are matched by external id, else by name and kind."""
    require(by, "area.add")
    if kind not in AreaKind.values:
        raise ValidationError(f"Unknown kind '{kind}'. Choose one of: {', '.join(AreaKind.values)}.")
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise ValidationError("The file must be a GeoJSON FeatureCollection.")
    features = data.get("features")
    if not isinstance(features, list) or not features:
        raise ValidationError("The FeatureCollection holds no features.")
    rows, errors = _feature_errors(features, name_property)
    if errors:
        raise ValidationError(errors)
    created = updated = 0
    for name, facts, external_id in rows:
        area = None
        if external_id:
            area = Area.objects.filter(external_id=external_id).first()
        if area is None:
            area = Area.objects.filter(name=name, kind=kind).first()
        is_new = area is None
        if is_new:
            area = Area(name=name, kind=kind, slug=unique_slug(Area, name))
        area.name, area.kind, area.parent, area.external_id = name, kind, parent, external_id
        _apply_boundary(area, facts.geometry)
        area.save()
        created += is_new
        updated += not is_new
    if dry_run:
        transaction.set_rollback(True)
    return {"created": created, "updated": updated}
