"""Template helpers of stories: schema.org JSON-LD, escaped as `json_script` escapes (so no text
in it can close the element), in a data block that never runs (CSP forbids inline script anyway)."""

import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import _json_script_escapes
from django.utils.safestring import mark_safe

from squaremile.core.text import safe_link

register = template.Library()


@register.simple_tag
def jsonld(data):
    if not data:
        return ""
    text = json.dumps(data, cls=DjangoJSONEncoder).translate(_json_script_escapes)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')  # noqa: S308 - escaped above


@register.filter
def media_host(url):
    """The site a video or audio link points to, for its link card ("youtube.com")."""
    from urllib.parse import urlsplit

    host = urlsplit(safe_link(url)).hostname or ""
    return host.removeprefix("www.")
