"""People (their profiles) as records others can link to and show as cards (core/records.py)."""

from squaremile.accounts.models import Profile
from squaremile.accounts.selectors import visible
from squaremile.core.records import RecordKind, register_kind
from squaremile.core.text import plain_text


def _visible(user, profile: Profile) -> bool:
    return profile.user.is_active and visible(user, profile, profile.profile_visibility)


def register() -> None:
    register_kind(
        RecordKind(
            model=Profile,
            label="Person",
            visible=_visible,
            title=str,
            summary=lambda profile: plain_text(profile.bio or "", 160),
            url_names={"accounts:person": "user_id"},
            url_field="user_id",
        )
    )
