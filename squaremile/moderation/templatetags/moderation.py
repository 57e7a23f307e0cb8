"""Template helpers: the "Report this" link any record page can include
(`{% include "moderation/includes/_report_link.html" with target=obj %}`), and state words."""

from django import template
from django.urls import reverse

from squaremile.moderation import registry, services

register = template.Library()


@register.simple_tag
def report_link(target, user) -> str:
    """The report page's address for a signed-in person who may report `target` now, else ""."""
    if target is None or not services.may_report(user, target):
        return ""
    config = registry.for_object(target)
    return reverse("moderation:report", args=[config.kind, target.pk])


@register.filter
def state_of(config, obj) -> str:
    return config.state_of(obj)


@register.filter
def state_label_of(config, obj) -> str:
    return config.state_label(obj)
