"""Writes for people: profiles, roles and API tokens."""

import hashlib
import secrets

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from squaremile.accounts import data_export
from squaremile.accounts.models import ApiToken, Profile, Role, User
from squaremile.core.permissions import require, staff_flag_for

# Sent inside role_set's transaction with user, old, new and by. The audit log (a layer above
# accounts) records it as "role.changed"; accounts does not import it.
role_changed = Signal()

TOKEN_PREFIX = "sqm_"  # noqa: S105 - a label, not a secret


def profile_for(user: User) -> Profile:
    profile, _ = Profile.objects.get_or_create(user=user)
    return profile


PROFILE_M2M = ("skills", "resources")


@transaction.atomic
def profile_update(*, profile: Profile, by, data: dict) -> Profile:
    require(by, "profile.change", profile)
    data = dict(data)
    m2m = {name: data.pop(name) for name in PROFILE_M2M if name in data}
    for key, value in data.items():
        setattr(profile, key, value)
    if profile.lat is None or profile.lng is None:
        profile.lat = profile.lng = None
    profile.full_clean()
    profile.save()
    for name, values in m2m.items():
        getattr(profile, name).set(values)
    return profile


@transaction.atomic
def role_set(*, user: User, role: str, by) -> User:
    require(by, "role.change", user)
    if role not in Role.values:
        raise ValueError(f"Unknown role {role!r}")
    old = user.role
    user.role = role
    user.is_staff = staff_flag_for(role, user.is_superuser)
    user.save(update_fields=["role", "is_staff"])
    # The audit log (a higher layer) listens, and records "role.changed" when it did change.
    role_changed.send(sender=User, user=user, old=old, new=role, by=by)
    return user


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: User, by, name: str) -> tuple[ApiToken, str]:
    """Make a token; returns it and the secret, which is shown once and never stored."""
    require(by, "apitoken.add", ApiToken(user=user))
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name.strip()[:80] or "API token", prefix=key[:12], key_hash=_hash(key)
    )
    return token, key


@transaction.atomic
def api_token_delete(*, token: ApiToken, by) -> None:
    require(by, "apitoken.delete", token)
    token.delete()


def api_token_user(key: str) -> User | None:
    """The active user a presented token belongs to, or None."""
    if not key or not key.startswith(TOKEN_PREFIX) or len(key) > 200:
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=_hash(key)).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 300:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def account_export(*, user: User) -> dict:
    """Everything the platform holds about a person, for them to download: the account's own part and
    the parts the apps above register (`data_export.register_part`)."""
    profile = profile_for(user)
    return {
        "account": {"email": user.email, "role": user.role, "joined": user.date_joined.isoformat()},
        "emails": list(user.emailaddress_set.values("email", "verified", "primary")),
        "profile": {
            "display_name": profile.display_name,
            "bio": profile.bio,
            "home_area": profile.home_area.slug if profile.home_area else None,
            "lat": profile.lat,
            "lng": profile.lng,
            "radius_m": profile.radius_m,
            "skills": [s.slug for s in profile.skills.all()],
            "resources": [r.slug for r in profile.resources.all()],
            "willingness": profile.willingness,
            "profile_visibility": profile.profile_visibility,
            "place_visibility": profile.place_visibility,
            "skills_visibility": profile.skills_visibility,
        },
        **{key: collect(user) for key, collect in data_export.parts().items()},
        "api_tokens": [
            {"name": t.name, "prefix": t.prefix, "created": t.created_at.isoformat()} for t in user.api_tokens.all()
        ],
        # kept by the notifications app (read through its reverse relations: no import upwards)
        "notification_choices": dict(user.notification_prefs.values_list("kind", "delivery")),
        "follows": [
            {"kind": f"{app}.{model}", "id": pk}
            for app, model, pk in user.follows.values_list("target_type__app_label", "target_type__model", "target_id")
        ],
        "notifications": [
            {
                "kind": n["kind"],
                "title": n["title"],
                "url": n["url"],
                "created": n["created_at"].isoformat(),
                "read": n["read_at"].isoformat() if n["read_at"] else None,
            }
            for n in user.notifications.values("kind", "title", "url", "created_at", "read_at")
        ],  # fmt: skip
    }


@transaction.atomic
def account_delete(*, user: User, by) -> None:
    """Delete a person and their profile. Organisations and projects they added stay in the
    directory (they belong to the community) without an owner."""
    require(by, "profile.change", profile_for(user))
    user.delete()
