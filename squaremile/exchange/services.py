"""Writes for wants and offers: post, edit, match and tell, promise, done, withdraw, renew, expire,
alerts. Keyword-only, atomic, permission-checked; audit and notifications on commit."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from squaremile.attachments import services as attachments
from squaremile.audit import services as audit
from squaremile.core import ratelimit
from squaremile.core.permissions import can, require
from squaremile.core.search import index_document, remove_document
from squaremile.exchange import blocking, mails, matching
from squaremile.exchange.models import (
    LIVE,
    MAX_TERMS,
    Alert,
    AlertDelivery,
    Ask,
    Item,
    Match,
    Side,
    Status,
    Where,
    refresh_keys,
)
from squaremile.notifications import services as notifications
from squaremile.places.selectors import area_for_point

FIELDS = (
    "side", "kind", "title", "details", "when_note", "where", "lat", "lng", "radius_m",
    "starts_on", "ends_on", "ongoing", "visibility", "organisation", "on_behalf_of", "relay_note",
)  # fmt: skip
TRACKED = ("title", "details", "status", "visibility", "expires_at", "moderation")
MATCHES_TOLD = 10  # counterparts told about one new item, at most (never a flood)
PEOPLE_ASKED = 10  # people asked about one new want, at most


def lifetime_days() -> int:
    return int(getattr(settings, "EXCHANGE_LIFETIME_DAYS", 30))


def _check_rate(by) -> None:
    """New accounts post fewer items (spam comes from them); everyone has a ceiling."""
    new_days = int(getattr(settings, "EXCHANGE_NEW_ACCOUNT_DAYS", 7))
    joined = getattr(by, "date_joined", None)
    if joined and timezone.now() - joined < timedelta(days=new_days) and not can(by, "exchange.post_for_others"):
        ratelimit.hit("exchange-new-account", user=str(by.pk))
    ratelimit.hit("exchange-post", user=str(by.pk))


def _terms_from(fields: dict) -> tuple[list, list] | None:
    """The skills and resources asked for: `skills` / `resources` (lists), or a single `skill` /
    `resource` (callers that name one); None when the fields do not mention them (keep them)."""
    if not any(k in fields for k in ("skills", "resources", "skill", "resource")):
        return None
    skills = [s for s in [*(fields.pop("skills", None) or []), fields.pop("skill", None)] if s is not None]
    resources = [r for r in [*(fields.pop("resources", None) or []), fields.pop("resource", None)] if r is not None]
    skills, resources = list({s.pk: s for s in skills}.values()), list({r.pk: r for r in resources}.values())
    if len(skills) + len(resources) > MAX_TERMS:
        raise ValidationError({"what": [f"Choose at most {MAX_TERMS} skills and resources."]})
    return skills, resources


def _set_terms(item: Item, terms: tuple[list, list] | None) -> None:
    if terms is not None:
        item.skills.set(terms[0])
        item.resources.set(terms[1])
    refresh_keys(item)


def _apply(item: Item, fields: dict, by) -> None:
    for name, value in fields.items():
        if name not in FIELDS:
            raise ValueError(f"Not an item field: {name}")
        setattr(item, name, value)
    if item.on_behalf_of or item.relay_note:
        require(by, "exchange.post_for_others")
    if item.organisation_id and not _belongs(by, item.organisation):
        raise PermissionDenied("You can post only for an organisation you belong to.")
    if item.where == Where.ANYWHERE:
        item.lat = item.lng = None
    item.full_clean(exclude=["owner", "term", "cell"])
    item.area = area_for_point(lat=item.lat, lng=item.lng)
    if item.ongoing:
        item.expires_at = None
    elif item.expires_at is None or item.status == Status.EXPIRED:
        item.expires_at = timezone.now() + timedelta(days=lifetime_days())


def _belongs(by, organisation) -> bool:
    return can(by, "organisation.speak_for", organisation)


def _index(item: Item) -> None:
    if item.is_public and item.is_live:
        index_document(
            kind="exchange", object_id=item.pk, title=f"{item.get_side_display()}: {item.title}",
            body=item.details, url=item.get_absolute_url(), area_id=item.area_id,
        )  # fmt: skip
    else:
        remove_document(kind="exchange", object_id=item.pk)


@attachments.removes_stored_files_on_failure
def item_create(*, by, fields: dict, photos=(), alts=(), check_rate: bool = True) -> Item:
    require(by, "exchange.add")
    if check_rate:
        _check_rate(by)
    fields = dict(fields)
    terms = _terms_from(fields)
    with transaction.atomic():
        item = Item(owner=by)
        _apply(item, fields, by)
        item.save()
        _set_terms(item, terms)
        if photos:
            attachments.attach_all(owner=item, files=photos, alts=list(alts or []), user=by)
        audit.record(actor=by, action="exchange.posted", target=item)
        _index(item)
        match_and_tell(item=item)
        alert_followers(item=item)
    return item


@attachments.removes_stored_files_on_failure
def item_update(*, item: Item, by, fields: dict, photos=(), alts=()) -> Item:
    require(by, "exchange.change", item)
    fields = dict(fields)
    terms = _terms_from(fields)
    with transaction.atomic():
        item = Item.objects.select_for_update().get(pk=item.pk)
        before = audit.snapshot(item, TRACKED)
        before["what"] = item.what_label
        _apply(item, fields, by)
        item.save()
        _set_terms(item, terms)
        after = audit.snapshot(item, TRACKED)
        after["what"] = item.what_label
        if photos:
            attachments.attach_all(owner=item, files=photos, alts=list(alts or []), user=by)
        audit.record(actor=by, action="exchange.changed", target=item, changes=audit.diff(before, after))
        _index(item)
        if item.status == Status.OPEN:
            match_and_tell(item=item)
    return item


# ---- matching and telling ----------------------------------------------------------------------
def _pair(item: Item, other: Item) -> tuple[Item, Item]:
    return (item, other) if item.side == Side.WANT else (other, item)


@transaction.atomic
def match_and_tell(*, item: Item) -> tuple[int, int]:
    """Find `item`'s counterparts and willing people; store the new ones and tell both sides once
    (the owner: one notification for all new matches; each counterpart's owner and each person
    asked: one each). Returns (new matches, people asked)."""
    if item.status != Status.OPEN:
        return 0, 0
    blocked = blocking.blocked_ids(item.owner)
    found = matching.find_matches(item, limit=MATCHES_TOLD, exclude_owner_ids=blocked)
    known = set(
        Match.objects.filter(want=item).values_list("offer_id", flat=True)
        if item.side == Side.WANT
        else Match.objects.filter(offer=item).values_list("want_id", flat=True)
    )
    new = [f for f in found if f.item.pk not in known]
    rows = []
    for f in new:
        want, offer = _pair(item, f.item)
        rows.append(Match(want=want, offer=offer, score=f.score, distance_m=f.distance_m, reason=f.reason))
    Match.objects.bulk_create(rows, ignore_conflicts=True)
    url = item.get_absolute_url()
    if new:
        noun = "offers" if item.side == Side.WANT else "wants"
        top = new[0]
        one = len(new) == 1
        notifications.notify(
            kind="exchange.matched", recipients=[item.owner], target=item, url=url,
            title=f"{len(new)} {noun[:-1] if one else noun} may match “{item.title}”"[:200],
            body=f"The best: {top.item.title} — {top.reason}",
            email_template="exchange/email/matched", email_context=mails.matched_for_owner(item=item, found=new),
            email_subject=f"{'An' if one else 'New'} {noun[:-1] if one else noun} may meet your "
            f"{item.get_side_display().lower()}",
        )  # fmt: skip
        for f in new:
            mine = matching.reason_for(f.item, item, f.distance_m, f.common, f.shared)
            side = item.get_side_display().lower()
            notifications.notify(
                kind="exchange.matched", recipients=[f.item.owner], target=f.item, actor=None,
                url=f.item.get_absolute_url(), title=f"A new {side} may match “{f.item.title}”"[:200],
                body=f"{item.title} — {mine}", email_template="exchange/email/matched_other",
                email_context=mails.matched_for_counterpart(item=f.item, new_item=item, reason=mine),
                email_subject=f"A new {side} may meet your {f.item.get_side_display().lower()}",
            )  # fmt: skip
    asked = 0
    if item.side == Side.WANT:
        already = set(Ask.objects.filter(item=item).values_list("person_id", flat=True))
        already |= {f.item.owner_id for f in found}  # told already as an offer's owner
        people = matching.candidate_people(item, limit=PEOPLE_ASKED, exclude_user_ids=blocked | already)
        Ask.objects.bulk_create(
            [Ask(item=item, person=c.person, reason=c.reason, distance_m=c.distance_m) for c in people],
            ignore_conflicts=True,
        )
        for c in people:
            notifications.notify(
                kind="exchange.asked", recipients=[c.person], target=item, url=url,
                title=f"A neighbour needs: {item.title}"[:200], body=f"Could you help? {c.reason}.",
                email_template="exchange/email/asked",
                email_context=mails.asked(item=item, reason=c.reason, person=c.person),
            )  # fmt: skip
        asked = len(people)
    return len(new), asked


def alert_followers(*, item: Item) -> int:
    """Tell the followers of every saved filter the new item fits (public or members-only items;
    the shared follow says who follows; each filter's own "at once or in the digest")."""
    from squaremile.core.geo import haversine_m

    if item.status != Status.OPEN:
        return 0
    alerts = Alert.objects.filter(side=item.side, term__in=["", *item.terms]).select_related("area")
    told = 0
    by_delivery: dict[str, set] = {}
    for alert in alerts:
        if alert.kind and alert.kind != item.kind:
            continue
        if alert.words and not (matching.words(alert.words) & matching.words(f"{item.title} {item.details}")):
            continue
        if alert.area_id and item.area_id != alert.area_id and not (item.area and _inside(item.area, alert.area)):
            continue
        reach = (alert.radius_m or 0) + item.radius_m
        if (
            alert.lat is not None
            and item.lat is not None
            and haversine_m(alert.lat, alert.lng, item.lat, item.lng) > reach
        ):
            continue
        for person in notifications.followers_of(alert):
            by_delivery.setdefault(alert.delivery, set()).add(person)
    hidden_from = blocking.blocked_ids(item.owner)
    chosen: dict[int, str] = {}  # each person's quickest choice among the alerts the item fits
    order = [AlertDelivery.IMMEDIATE, AlertDelivery.DAILY, AlertDelivery.WEEKLY]
    people = {}
    for delivery in order:
        for person in by_delivery.get(delivery, ()):
            if person.pk in chosen or person.pk in hidden_from or not may_see_item(person, item):
                continue
            chosen[person.pk], people[person.pk] = delivery, person
    if people:
        notifications.notify(
            kind="exchange.alert", recipients=list(people.values()), target=item, actor=item.owner,
            url=item.get_absolute_url(), title=f"New {item.get_side_display().lower()}: {item.title}"[:200],
            delivery_for=chosen,
        )  # fmt: skip
        told = len(people)
    return told


def _inside(area, outer) -> bool:
    seen, current = set(), area
    while current is not None and current.pk not in seen:
        if current.pk == outer.pk:
            return True
        seen.add(current.pk)
        current = current.parent
    return False


def may_see_item(user, item: Item) -> bool:
    from squaremile.exchange.selectors import may_see

    return may_see(user, item)


# ---- lifecycle ---------------------------------------------------------------------------------
def _lock(item: Item) -> Item:
    return Item.objects.select_for_update().select_related("owner").get(pk=item.pk)


@transaction.atomic
def item_promise(*, item: Item, by, partner=None) -> Item:
    """Someone says "I can do this" (by = the partner), or the owner marks it promised to someone."""
    item = _lock(item)
    if item.status != Status.OPEN:
        raise ValidationError("Only an open item can be promised.")
    if by.pk == item.owner_id or can(by, "exchange.change", item):
        if partner is not None and partner.pk == item.owner_id:
            raise ValidationError("Choose the other person.")
        item.partner = partner
    else:
        require(by, "exchange.add")
        if not may_see_item(by, item) or by.pk in blocking.blocked_ids(item.owner):
            raise PermissionDenied("You cannot answer this one.")
        item.partner = by
    item.status = Status.PROMISED
    item.save(update_fields=["status", "partner", "updated_at"])
    audit.record(actor=by, action="exchange.promised", target=item)
    _index(item)
    other = item.owner if by.pk != item.owner_id else item.partner
    if other is not None:
        side = item.get_side_display().lower()
        notifications.notify(
            kind="exchange.progress", recipients=[other], target=item, actor=by, url=item.get_absolute_url(),
            title=f"“{item.title}” is promised"[:200],
            body=(f"{mails._name(by)} said they can help. Agree the details in a message."
                  if by.pk != item.owner_id else "The poster promised it to you. Agree the details in a message."),
            email_template="exchange/email/progress",
            email_context=mails.progress(item=item, by=by, recipient=other, what="promised"),
            email_subject=f"Someone can help with your {side}" if by.pk != item.owner_id
            else f"A {side} was promised to you",
        )  # fmt: skip
    return item


@transaction.atomic
def item_done(*, item: Item, by, thanks: str = "") -> Item:
    """One side confirms "need met" (or "given"): the item is done at the first confirmation; each
    side's confirmation is kept. The owner may add a thank-you."""
    item = _lock(item)
    is_owner = by.pk == item.owner_id or can(by, "exchange.change", item)
    is_partner = item.partner_id is not None and by.pk == item.partner_id
    if not (is_owner or is_partner):
        raise PermissionDenied("Only the two people in this exchange can mark it done.")
    if item.status not in (*LIVE, Status.DONE):
        raise ValidationError("This is no longer open.")
    now = timezone.now()
    if is_owner:
        item.owner_confirmed_at = item.owner_confirmed_at or now
        if thanks:
            item.thanks = thanks
    if is_partner:
        item.partner_confirmed_at = item.partner_confirmed_at or now
    first = item.status != Status.DONE
    item.status = Status.DONE
    item.met_at = item.met_at or now
    item.save()
    audit.record(actor=by, action="exchange.done", target=item)
    _index(item)
    other = item.partner if by.pk == item.owner_id else item.owner
    if first and other is not None:
        notifications.notify(
            kind="exchange.progress", recipients=[other], target=item, actor=by, url=item.get_absolute_url(),
            title=f"“{item.title}” is done: please confirm"[:200],
            body=f"{mails._name(by)} marked it done. If it happened, confirm it with one tap.",
            email_template="exchange/email/progress",
            email_context=mails.progress(item=item, by=by, recipient=other, what="done"),
            email_subject=f"Marked done: please confirm your {item.get_side_display().lower()}",
        )  # fmt: skip
    return item


@transaction.atomic
def item_reopen(*, item: Item, by) -> Item:
    require(by, "exchange.change", item)
    item = _lock(item)
    if item.status not in (Status.PROMISED,):
        raise ValidationError("Only a promised item can be opened again.")
    item.status, item.partner = Status.OPEN, None
    item.save(update_fields=["status", "partner", "updated_at"])
    audit.record(actor=by, action="exchange.reopened", target=item)
    _index(item)
    return item


@transaction.atomic
def item_withdraw(*, item: Item, by) -> Item:
    require(by, "exchange.change", item)
    item = _lock(item)
    if item.status not in LIVE:
        raise ValidationError("This is no longer open.")
    item.status = Status.WITHDRAWN
    item.save(update_fields=["status", "updated_at"])
    audit.record(actor=by, action="exchange.withdrawn", target=item)
    _index(item)
    return item


@transaction.atomic
def item_renew(*, item: Item, by) -> Item:
    """One tap: another lifetime from today, open again if it had expired."""
    require(by, "exchange.change", item)
    item = _lock(item)
    if item.status not in (Status.OPEN, Status.PROMISED, Status.EXPIRED):
        raise ValidationError("Only an open or expired item can be renewed.")
    item.expires_at = None if item.ongoing else timezone.now() + timedelta(days=lifetime_days())
    if item.status == Status.EXPIRED:
        item.status = Status.OPEN
    item.reminded_7_at = item.reminded_1_at = None
    item.save()
    audit.record(actor=by, action="exchange.renewed", target=item)
    _index(item)
    return item


def expire_and_remind(*, now=None) -> dict:
    """The daily run: remind owners 7 days and 1 day before an item expires (once each), and expire
    what is past its date. Idempotent: a second run the same day does nothing."""
    now = now or timezone.now()
    counts = {"reminded_7": 0, "reminded_1": 0, "expired": 0}
    live = Item.objects.filter(status__in=LIVE, expires_at__isnull=False)
    for days, field in ((1, "reminded_1_at"), (7, "reminded_7_at")):
        due = live.filter(expires_at__gt=now, expires_at__lte=now + timedelta(days=days), **{f"{field}__isnull": True})
        for item in due.select_related("owner").order_by("pk")[:5000]:
            with transaction.atomic():
                stamps = {"reminded_7_at": item.reminded_7_at or now, field: now}  # a 1-day one covers the 7-day one
                Item.objects.filter(pk=item.pk).update(**stamps)
                left = "tomorrow" if days == 1 else "in a week"
                side = item.get_side_display().lower()
                notifications.notify(
                    kind="exchange.reminder", recipients=[item.owner], target=item, url=item.get_absolute_url(),
                    title=f"“{item.title}” ends {left}: renew it with one tap"[:200],
                    body=f"Still needed? Renew it for another {lifetime_days()} days. If not, do nothing: it ends "
                    "by itself.", email_template="exchange/email/reminder",
                    email_context=mails.reminder(item=item, days=days, lifetime=lifetime_days()),
                    email_subject=f"Your {side} ends {left}: renew it with one tap",
                )  # fmt: skip
            counts[f"reminded_{days}"] += 1
    for item in live.filter(expires_at__lte=now).order_by("pk")[:20000]:
        with transaction.atomic():
            Item.objects.filter(pk=item.pk, status__in=LIVE).update(status=Status.EXPIRED, updated_at=now)
            item.status = Status.EXPIRED
            audit.record(actor=None, action="exchange.expired", target=item)
            _index(item)
        counts["expired"] += 1
    return counts


# ---- alerts --------------------------------------------------------------------------------------
@transaction.atomic
def alert_create(*, by, side: str, kind: str = "", skill=None, resource=None, area=None, near_me: bool = False,
                 words: str = "", delivery: str = AlertDelivery.DAILY) -> Alert:  # fmt: skip
    require(by, "follow.add")
    if skill is not None and resource is not None:
        raise ValidationError("Choose a skill or a resource, not both.")
    alert = Alert(owner=by, side=side, kind=kind, skill=skill, resource=resource, area=area, words=words,
                  delivery=delivery)  # fmt: skip
    if near_me:
        profile = getattr(by, "profile", None)
        if profile is None or profile.lat is None:
            raise ValidationError("Set your square mile on your profile first.")
        alert.lat, alert.lng, alert.radius_m = profile.lat, profile.lng, profile.radius_m
    alert.save()
    notifications.follow(user=by, target=alert)
    audit.record(actor=by, action="exchangealert.created", target=alert)
    return alert


@transaction.atomic
def alert_delete(*, alert: Alert, by) -> None:
    require(by, "exchangealert.change", alert)
    notifications.unfollow(user=alert.owner, target=alert)
    audit.record(actor=by, action="exchangealert.deleted", target=alert)
    alert.delete()
