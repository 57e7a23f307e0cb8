"""Groups: create and change them, join, ask to join, invite, leave, facilitators, e-mail choices.

Facilitators and members are roles in the group's space (`core/spaces.py`: SpaceRole
"facilitator" / "member"); the `Membership` row holds what is the person's own (e-mail choice,
a request waiting, an invitation)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.text import slugify

from squaremile.audit.services import diff, snapshot
from squaremile.audit.services import record as audit_record
from squaremile.conversations import notifications, search
from squaremile.conversations.models import Access, EmailMode, Group, Membership, MemberStatus
from squaremile.core import spaces
from squaremile.core.models import SpaceRoleKind
from squaremile.core.permissions import require, signed_in

FIELDS = ("name", "purpose", "topic", "area", "organisation", "access", "moderate_first_posts")


def _unique_slug(name: str) -> str:
    base = slugify(name)[:120] or "group"
    slug, n = base, 1
    while Group.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _apply(group: Group, data: dict) -> None:
    for name in FIELDS:
        if name in data:
            setattr(group, name, data[name])
    group.name = (group.name or "").strip()
    if not group.name:
        raise ValidationError({"name": ["Give the group a name."]})
    if group.access not in Access.values:
        raise ValidationError({"access": ["Choose who can join."]})


def _grant_member(group, user, *, by) -> Membership:
    found, _ = Membership.objects.get_or_create(group=group, user=user)
    if found.status != MemberStatus.MEMBER:
        found.status = MemberStatus.MEMBER
        found.save(update_fields=["status"])
    if not spaces.holders(group, SpaceRoleKind.MEMBER).filter(user=user).exists():
        spaces.grant(space=group, user=user, role=SpaceRoleKind.MEMBER, by=by, checked_by_caller=True)
        Group.objects.filter(pk=group.pk).update(member_count=F("member_count") + 1)
    return found


@transaction.atomic
def group_create(*, by, data: dict) -> Group:
    require(by, "group.add")
    group = Group(owner=by)
    _apply(group, data)
    group.slug = _unique_slug(group.name)
    group.save()
    spaces.grant(space=group, user=by, role=SpaceRoleKind.FACILITATOR, by=by)
    _grant_member(group, by, by=by)
    Membership.objects.filter(group=group, user=by).update(email_mode=EmailMode.EACH)
    audit_record(actor=by, action="group.created", target=group)
    search.index_group(group)
    group.refresh_from_db()
    return group


@transaction.atomic
def group_update(*, group: Group, by, data: dict) -> Group:
    require(by, "group.change", group)
    before = snapshot(group, FIELDS)
    was_private = group.access == Access.PRIVATE
    _apply(group, data)
    group.save()
    audit_record(actor=by, action="group.changed", target=group, changes=diff(before, snapshot(group, FIELDS)))
    if was_private != (group.access == Access.PRIVATE):
        search.reindex_group(group)
    else:
        search.index_group(group)
    return group


@transaction.atomic
def group_join(*, group: Group, by, message: str = "") -> Membership:
    """Join an open group at once; ask to join a by-request group; accept an invitation to a private one."""
    if not signed_in(by):
        raise PermissionDenied("Please log in first.")
    current = Membership.objects.filter(group=group, user=by).first()
    if current is not None and current.status == MemberStatus.MEMBER:
        return current
    if group.access == Access.OPEN or (current is not None and current.status == MemberStatus.INVITED):
        found = _grant_member(group, by, by=by)
        audit_record(actor=by, action="group.joined", target=group)
        return found
    if group.access == Access.PRIVATE:
        raise PermissionDenied("This group is private: a facilitator can invite you.")
    found, _ = Membership.objects.update_or_create(
        group=group, user=by, defaults={"status": MemberStatus.REQUESTED, "message": (message or "").strip()[:300]}
    )
    notifications.join_requested(group=group, by=by)
    return found


@transaction.atomic
def join_request_decide(*, group: Group, by, person, accept: bool) -> None:
    require(by, "group.roles", group)
    found = Membership.objects.filter(group=group, user=person, status=MemberStatus.REQUESTED).first()
    if found is None:
        raise ValidationError("This person has not asked to join.")
    if accept:
        _grant_member(group, person, by=by)
        audit_record(actor=by, action="group.member_accepted", target=group, note=f"person {person.pk}")
    else:
        found.delete()
        audit_record(actor=by, action="group.member_declined", target=group, note=f"person {person.pk}")


@transaction.atomic
def group_invite(*, group: Group, by, person) -> Membership:
    require(by, "group.roles", group)
    found, created = Membership.objects.get_or_create(
        group=group, user=person, defaults={"status": MemberStatus.INVITED}
    )
    if not created and found.status == MemberStatus.REQUESTED:
        return _grant_member(group, person, by=by)
    if created:
        notifications.invited(group=group, person=person, by=by)
        audit_record(actor=by, action="group.invited", target=group, note=f"person {person.pk}")
    return found


@transaction.atomic
def group_leave(*, group: Group, by) -> None:
    if not signed_in(by):
        raise PermissionDenied("Please log in first.")
    deleted = Membership.objects.filter(group=group, user=by).delete()[0]
    if spaces.revoke(space=group, user=by, role=SpaceRoleKind.MEMBER, by=by, checked_by_caller=True):
        Group.objects.filter(pk=group.pk, member_count__gt=0).update(member_count=F("member_count") - 1)
    spaces.revoke(space=group, user=by, role=SpaceRoleKind.FACILITATOR, by=by, checked_by_caller=True)
    if deleted:
        audit_record(actor=by, action="group.left", target=group)


@transaction.atomic
def facilitator_add(*, group: Group, by, person) -> None:
    require(by, "group.roles", group)
    _grant_member(group, person, by=by)
    spaces.grant(space=group, user=person, role=SpaceRoleKind.FACILITATOR, by=by)
    audit_record(actor=by, action="group.facilitator_added", target=group, note=f"person {person.pk}")


@transaction.atomic
def email_mode_set(*, group: Group, by, mode: str) -> Membership:
    if mode not in EmailMode.values:
        raise ValidationError({"email_mode": ["Choose how you hear about this group."]})
    found = Membership.objects.filter(group=group, user=by, status=MemberStatus.MEMBER).first()
    if found is None:
        raise PermissionDenied("Join the group first.")
    found.email_mode = mode
    found.save(update_fields=["email_mode"])
    return found
