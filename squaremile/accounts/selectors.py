from squaremile.accounts.models import Profile
from squaremile.core.visibility import may_see


def visible(viewer, profile: Profile, visibility: str) -> bool:
    """Whether `viewer` may see a part of someone's profile marked `visibility` (the one rule of
    core/visibility.py; the person themself and moderators see every part: `profile.see_hidden`)."""
    return may_see(viewer, visibility, obj=profile, action="profile.see_hidden")


def person_view(viewer, user_id: int) -> dict | None:
    """What `viewer` may see of a person, or None when they may see nothing."""
    profile = Profile.objects.select_related("user", "home_area").filter(user_id=user_id, user__is_active=True).first()
    if profile is None or not visible(viewer, profile, profile.profile_visibility):
        return None
    show_place = visible(viewer, profile, profile.place_visibility)
    show_skills = visible(viewer, profile, profile.skills_visibility)
    return {
        "profile": profile,
        "show_place": show_place,
        "show_skills": show_skills,
        "skills": list(profile.skills.select_related("family").order_by("name")) if show_skills else [],
        "resources": list(profile.resources.order_by("name")) if show_skills else [],
        "is_self": viewer.is_authenticated and viewer.pk == user_id,
    }
