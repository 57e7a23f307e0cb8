"""Open data: public wants and offers as JSON-LD, in the ValueFlows vocabulary (an `Intent` per
want or offer, wrapped in a `Proposal`) and in schema.org's (`Demand` for a want, `Offer` for an
offer), one graph. Only public, published, live items; people are never named (an organisation is)."""

from __future__ import annotations

from squaremile.core.text import xml_safe
from squaremile.exchange.models import LIVE, Item, Side
from squaremile.exchange.selectors import rounded_point
from squaremile.moderation.models import ModerationState

CONTEXT = {
    "vf": "https://w3id.org/valueflows/ont/vf#",
    "schema": "https://schema.org/",
    "dcterms": "http://purl.org/dc/terms/",
}
LIMIT = 5000


def public_items():
    return (
        Item.objects.filter(status__in=LIVE, visibility="public", moderation=ModerationState.PUBLISHED)
        .select_related("organisation", "area")
        .prefetch_related("skills", "resources")
        .order_by("-created_at")
    )


def node(item: Item, base: str) -> list[dict]:
    url = base + item.get_absolute_url()
    what = [t.name for t in item.what_list]
    schema_type = "schema:Demand" if item.side == Side.WANT else "schema:Offer"
    intent = {
        "@id": f"{url}#intent",
        "@type": ["vf:Intent", schema_type],
        "vf:name": xml_safe(item.title),
        "schema:name": xml_safe(item.title),
        "vf:note": xml_safe(item.details),
        "schema:description": xml_safe(item.details),
        "vf:resourceClassifiedAs": what,
        "schema:category": what,
        "vf:action": "work" if item.kind == "help" else ("transfer" if item.kind == "give" else "use"),
        "dcterms:created": item.created_at.isoformat(),
        "schema:url": url,
    }
    if item.expires_at:
        intent["vf:due"] = item.expires_at.isoformat()
        intent["schema:validThrough"] = item.expires_at.isoformat()
    point = rounded_point(item)
    if point:
        geo = {"@type": "schema:GeoCoordinates", "schema:latitude": point[0], "schema:longitude": point[1]}
        intent["schema:areaServed"] = {"@type": "schema:Place", "schema:geo": geo}
    if item.area_id:
        intent["vf:atLocation"] = {"@type": "schema:Place", "schema:name": xml_safe(item.area.name)}
    if item.organisation_id:
        role = "vf:provider" if item.side == Side.OFFER else "vf:receiver"
        intent[role] = {"@type": ["vf:Organization", "schema:Organization"], "schema:name": item.organisation.name}
    proposal = {
        "@id": f"{url}#proposal",
        "@type": "vf:Proposal",
        "vf:name": xml_safe(item.title),
        "vf:unitBased": False,
        "vf:publishes": {"@id": f"{url}#intent"},
        "vf:purpose": "offer" if item.side == Side.OFFER else "request",
    }
    return [intent, proposal]


def export(*, base: str, limit: int = LIMIT) -> dict:
    graph = []
    for item in public_items()[:limit]:
        graph.extend(node(item, base))
    return {"@context": CONTEXT, "@graph": graph}
