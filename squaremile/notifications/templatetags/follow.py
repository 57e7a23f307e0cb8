"""``{% load follow %}{% follow_button obj %}``: a follow / stop following button for any record
whose model is registered in ``notifications.followable``. Hidden for visitors."""

from django import template

from squaremile.notifications import followable, selectors

register = template.Library()


def button_context(request, obj) -> dict:
    entry = followable.get(obj)
    user = getattr(request, "user", None)
    return {
        "target": obj,
        "model": followable.label_of(obj),
        "noun": entry.noun_for(obj) if entry else "this",
        "following": selectors.is_following(user, obj),
        "show": entry is not None and entry.may_follow(user, obj),
        "next": request.get_full_path() if not getattr(request, "htmx", False) else "",
        "request": request,
    }


@register.inclusion_tag("notifications/includes/_follow_button.html", takes_context=True)
def follow_button(context, obj, noun=""):
    data = button_context(context["request"], obj)
    if noun:
        data["noun"] = noun
    data["csrf_token"] = context.get("csrf_token")
    return data
