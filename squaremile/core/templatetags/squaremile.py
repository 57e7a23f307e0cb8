from django import template
from django.utils.safestring import mark_safe

from squaremile.core.text import plain_text, render_markdown

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context, action, obj=None):
    """The one way a template asks "may the person viewing this page do it":
    `{% can "entry.moderate" as may_moderate %}` or `{% can "survey.change" survey as may_edit %}`,
    then `{% if may_moderate %}`. The answer comes from `core.permissions.can`."""
    from squaremile.core.permissions import can as may

    request = context.get("request")
    user = getattr(request, "user", None) if request is not None else context.get("user")
    return may(user, action, obj)


@register.filter
def markdown(value):
    """Render user markdown as sanitised HTML."""
    return mark_safe(render_markdown(value))  # noqa: S308 - sanitised by nh3 in render_markdown


@register.filter
def typed(value):
    """Text a person typed, quoted in an e-mail: one short line, links broken (core/mail.py)."""
    from squaremile.core.mail import typed as typed_text

    return typed_text(value)


@register.filter
def summary(value, length=160):
    return plain_text(value, int(length))


@register.filter
def miles(metres):
    try:
        return f"{float(metres) / 1609.344:.1f}"
    except (TypeError, ValueError):
        return ""


@register.filter
def get_item(mapping, key):
    """`mapping[key]`, or "" when there is none (so nothing shows)."""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""


@register.filter
def web_address(value):
    """A person-supplied address fit for an href: http(s) or mailto only, else empty (so that a
    `javascript:` or `data:` address stored by any route can never become a link that runs)."""
    from squaremile.core.text import safe_link

    return safe_link(value)


@register.inclusion_tag("core/includes/_record_card.html")
def record_card(obj, heading_level=3):
    """One record of any registered kind as a card (`core/records.py`): `{% record_card entry %}`."""
    from squaremile.core.records import card

    return {"card": card(obj) if obj is not None else None, "h": int(heading_level)}


@register.simple_tag(takes_context=True)
def related_panels(context, obj):
    """The boxes the apps above show on this record's page ("Stories about this"...): `{% related_panels obj %}`."""
    from django.template.loader import render_to_string

    from squaremile.core.records import panels_for

    request = context.get("request")
    user = getattr(request, "user", None) if request is not None else context.get("user")
    html = "".join(
        render_to_string(panel.template, {"panel": panel, "found": found, "obj": obj}, request=request)
        for panel, found in panels_for(obj, user=user)
    )
    return mark_safe(html)  # noqa: S308 - templates that autoescape what they show
