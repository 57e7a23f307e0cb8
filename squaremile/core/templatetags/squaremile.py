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
