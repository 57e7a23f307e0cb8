from squaremile.accounts.models import Profile
from squaremile.core.models import Visibility


def visible(viewer, owner_id: int, visibility: str) -> bool:
    """Whether `viewer` may see a part of someone's profile marked `visibility`."""
    if viewer.is_authenticated and (viewer.pk == owner_id or viewer.has_role("moderator")):
        return True
    if visibility == Visibility.PUBLIC:
        return True
    return visibility == Visibility.MEMBERS and viewer.is_authenticated


def person_view(viewer, user_id: int) -> dict | None:
    """What `viewer` may see of a person, or None when they may see nothing."""
    profile = Profile.objects.select_related("user", "home_area").filter(user_id=user_id, user__is_active=True).first()
    if profile is None or not visible(viewer, user_id, profile.profile_visibility):
        return None
    show_place = visible(viewer, user_id, profile.place_visibility)
    show_skills = visible(viewer, user_id, profile.skills_visibility)
    return {
        "profile": profile,
        "show_place": show_place,
        "show_skills": show_skills,
        "skills": list(profile.skills.select_related("family").order_by("name")) if show_skills else [],
        "resources": list(profile.resources.order_by("name")) if show_skills else [],
        "is_self": viewer.is_authenticated and viewer.pk == user_id,
    }
