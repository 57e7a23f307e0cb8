"""The issue's "Done when" flow through the services, and matching's rules."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from squaremile.core.models import Visibility
from squaremile.exchange import matching, selectors, services
from squaremile.exchange.models import Ask, Item, Match, Side, Status, Where
from squaremile.exchange.tests.factories import HOME, ItemFactory, car, person, skill
from squaremile.notifications.models import Notification

pytestmark = pytest.mark.django_db

LIFT = {
    "side": Side.WANT, "kind": "transport", "title": "Need a lift to the hospital on Tuesday",
    "resource": None, "where": Where.POINT, "lat": HOME[0], "lng": HOME[1], "radius_m": 1609,
    "when_note": "Tuesday morning", "visibility": Visibility.PUBLIC,
}  # fmt: skip


def lift(**extra):
    return {**LIFT, "resource": car(), **extra}


def test_a_willing_driver_is_asked_once_with_the_reason_and_never_shown():
    resident = person(email="resident@example.org")
    driver = person(email="driver@example.org", lat=HOME[0] + 0.005, resources=[car()])
    unwilling = person(email="busy@example.org", lat=HOME[0] + 0.004, resources=[car()], willingness=0)
    far = person(email="far@example.org", lat=HOME[0] + 0.5, resources=[car()])
    want = services.item_create(by=resident, fields=lift())
    asked = list(Ask.objects.filter(item=want).values_list("person__email", flat=True))
    assert asked == ["driver@example.org"]
    notes = Notification.objects.filter(recipient=driver, kind="exchange.asked")
    assert notes.count() == 1
    assert "0.3 miles" in notes.get().body and "Car or van" in notes.get().body
    assert not Notification.objects.filter(recipient__in=[unwilling, far]).exists()
    # editing it again does not ask her twice
    services.item_update(item=want, by=resident, fields={"details": "Back by noon."})
    assert Notification.objects.filter(recipient=driver, kind="exchange.asked").count() == 1
    # the resident is never told who was asked
    assert not Notification.objects.filter(recipient=resident, body__icontains="driver").exists()


def test_hidden_skills_are_not_asked():
    resident = person()
    hidden = person(lat=HOME[0] + 0.001, resources=[car()])
    hidden.profile.skills_visibility = Visibility.NOBODY
    hidden.profile.save()
    want = services.item_create(by=resident, fields=lift())
    assert not Ask.objects.filter(item=want).exists()


def test_offer_and_want_match_both_sides_told_with_reason():
    driver = person()
    offer = services.item_create(
        by=driver,
        fields={
            **lift(),
            "side": Side.OFFER,
            "title": "Lifts to hospital appointments",
            "when_note": "weekdays",
            "lat": HOME[0] + 0.006,
        },  # fmt: skip
    )
    resident = person()
    want = services.item_create(by=resident, fields=lift())
    m = Match.objects.get(want=want, offer=offer)
    assert m.reason.startswith("offers Car or van · 0.4 miles away · weekdays · also mentions hospital")
    assert Notification.objects.filter(recipient=resident, kind="exchange.matched").count() == 1
    assert Notification.objects.filter(recipient=driver, kind="exchange.matched").count() == 1
    assert [f.item.pk for f in matching.find_matches(want)] == [offer.pk]
    assert [f.item.pk for f in matching.baseline_matches(want)] == [offer.pk]


def test_out_of_reach_and_other_terms_do_not_match():
    owner = person()
    ItemFactory(side=Side.OFFER, lat=HOME[0] + 0.2, radius_m=1609)  # 14 miles away
    ItemFactory(side=Side.OFFER, terms=[skill()])  # another term
    ItemFactory(side=Side.WANT)  # same side
    anywhere = ItemFactory(side=Side.OFFER, where=Where.ANYWHERE, lat=None, lng=None)
    want = services.item_create(by=owner, fields=lift())
    assert [f.item.pk for f in matching.find_matches(want)] == [anywhere.pk]
    assert matching.find_matches(want)[0].reason.startswith("offers Car or van · online or anywhere")


def test_the_whole_lifecycle_counts_in_needs_met():
    from squaremile.places.tests.factories import AreaFactory

    area = AreaFactory(lat=HOME[0], lng=HOME[1], half=0.05)
    resident, driver = person(), person(resources=[car()], lat=HOME[0] + 0.002)
    want = services.item_create(by=resident, fields=lift())
    assert want.area_id == area.pk
    services.item_promise(item=want, by=driver)
    want.refresh_from_db()
    assert (want.status, want.partner_id) == (Status.PROMISED, driver.pk)
    services.item_done(item=want, by=driver)
    services.item_done(item=want, by=resident, thanks="Thank you, Sam!")
    want.refresh_from_db()
    assert want.status == Status.DONE and want.owner_confirmed_at and want.partner_confirmed_at
    assert sum(m["n"] for m in selectors.needs_met_by_month([area.pk])) == 1
    stranger = person()
    with pytest.raises(PermissionDenied):
        services.item_done(item=want, by=stranger)


def test_expiry_with_reminders_and_one_tap_renew():
    owner = person()
    offer = services.item_create(by=owner, fields={**lift(), "side": Side.OFFER})
    start = offer.expires_at
    assert start - timezone.now() > timedelta(days=29)
    assert services.expire_and_remind(now=start - timedelta(days=6)) == {"reminded_7": 1, "reminded_1": 0, "expired": 0}
    assert services.expire_and_remind(now=start - timedelta(days=5))["reminded_7"] == 0  # once
    assert services.expire_and_remind(now=start - timedelta(hours=20))["reminded_1"] == 1
    assert services.expire_and_remind(now=start + timedelta(minutes=1))["expired"] == 1
    offer.refresh_from_db()
    assert offer.status == Status.EXPIRED
    kinds = list(Notification.objects.filter(recipient=owner, kind="exchange.reminder").values_list("title", flat=True))
    assert len(kinds) == 2 and "renew" in kinds[0]
    services.item_renew(item=offer, by=owner)
    offer.refresh_from_db()
    assert offer.status == Status.OPEN and offer.reminded_7_at is None
    assert offer.expires_at > timezone.now() + timedelta(days=29)


def test_ongoing_items_never_expire():
    owner = person()
    offer = services.item_create(by=owner, fields={**lift(), "side": Side.OFFER, "ongoing": True})
    assert offer.expires_at is None
    assert services.expire_and_remind(now=timezone.now() + timedelta(days=400))["expired"] == 0


def test_alert_followers_hear_at_once_or_in_digest():
    from squaremile.notifications.models import Delivery

    watcher = person()
    services.alert_create(by=watcher, side=Side.WANT, resource=car(), near_me=True, delivery="immediate")
    digest = person()
    services.alert_create(by=digest, side=Side.WANT, kind="transport")
    services.item_create(by=person(), fields=lift())
    assert Notification.objects.get(recipient=watcher, kind="exchange.alert").delivery == Delivery.IMMEDIATE
    assert Notification.objects.get(recipient=digest, kind="exchange.alert").delivery == Delivery.DAILY


def test_only_organisers_post_on_behalf_of_someone():
    member, organiser = person(), person(role="organiser")
    with pytest.raises(PermissionDenied):
        services.item_create(by=member, fields=lift(on_behalf_of="Mrs P"))
    item = services.item_create(by=organiser, fields=lift(on_behalf_of="Mrs P", relay_note="Phone her on Mondays"))
    assert item.by_label == "Mrs P (posted by an organiser)"


def test_members_only_items_are_hidden_from_visitors():
    from django.contrib.auth.models import AnonymousUser

    item = ItemFactory(visibility=Visibility.MEMBERS)
    assert not selectors.may_see(AnonymousUser(), item)
    assert selectors.may_see(person(), item)


def test_people_on_the_map_are_rounded_organisations_exact():
    item = ItemFactory(lat=52.63123, lng=-1.13456)
    lat, lng = selectors.rounded_point(item)
    assert (lat, lng) != (item.lat, item.lng)
    assert abs(lat - item.lat) * 111_195 <= 260 and abs(lng - item.lng) * 111_195 * 0.61 <= 260


def test_new_accounts_are_rate_limited():
    from squaremile.core.ratelimit import RateLimited

    newcomer = person()
    for _ in range(3):
        services.item_create(by=newcomer, fields=lift())
    with pytest.raises(RateLimited):
        services.item_create(by=newcomer, fields=lift())
    assert Item.objects.filter(owner=newcomer).count() == 3


def test_blocking_hides_their_items_and_stops_matching_and_asking():
    from squaremile.conversations.models import Block

    me = person()
    pest = person(resources=[car()], lat=HOME[0] + 0.001)
    their_offer = ItemFactory(owner=pest, side=Side.OFFER)
    Block.objects.create(blocker=me, blocked=pest)
    assert not selectors.may_see(me, their_offer)
    assert their_offer not in selectors.item_list(me, selectors.Filters())
    want = services.item_create(by=me, fields=lift())
    assert not Match.objects.filter(want=want).exists()
    assert not Ask.objects.filter(item=want).exists()
    # and my items are hidden from them too
    assert not selectors.may_see(pest, want)
    with pytest.raises(PermissionDenied):
        services.item_promise(item=want, by=pest)
