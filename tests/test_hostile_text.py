"""Hostile text is inert on every page (issue 14, item 1).

Generic on purpose, so that what later issues add is covered without touching this file:
1. the demo locality is seeded (every kind of record the platform has);
2. every text any role can set — every CharField, TextField, URLField and string inside a JSONField of
   every Square Mile model — is overwritten with hostile markup (or a `javascript:` address for URLs);
3. the site is crawled as an administrator (who sees every page) and as a visitor, from the front page
   and every URL that takes no argument, following links;
4. every HTML page must come back without a server error and without one executable thing that came
   from the data: no inline script that says `alert(`, no `on…=` event attribute, no `javascript:` link.

Fields that are not free text (choices, slugs, e-mail addresses, short codes) keep their values: they
cannot hold markup through any form or API, and the records must stay reachable.
"""

import time
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

from squaremile.accounts.models import Role
from squaremile.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
PAYLOADS = [  # the longest one that fits the column is used
    f'"><{SCRIPT[1:]}<img src=x onerror=alert(2)><svg onload=alert(3)>',
    f'"><{SCRIPT[1:]}<img src=x onerror=alert(2)>',
    "'\"><img src=x onerror=alert(2)>",
    "<svg onload=alert(3)>",
]
URL_PAYLOAD = "javascript:alert(4)"
SKIP_PREFIXES = ("/admin/", "/api/", "/accounts/logout", "/static/", "/media/", "/dev/mail")
PER_ROUTE = 3  # pages visited per URL pattern (ids and query strings vary, the template does not)
MAX_PAGES = 700
DERIVED = {"core.SearchDocument"}  # rebuilt from the records by `manage.py reindex` after the poisoning


def _payload(field) -> str | None:
    limit = field.max_length or 10_000
    return next((p for p in PAYLOADS if len(p) <= limit), None)


def _poison(value):
    if isinstance(value, str):
        return PAYLOADS[0]
    if isinstance(value, list):
        return [_poison(v) for v in value]
    if isinstance(value, dict):
        return {k: _poison(v) for k, v in value.items()}
    return value


def _unique_names(model) -> set[str]:
    names = {f.name for f in model._meta.concrete_fields if f.unique}
    for group in model._meta.unique_together:
        names.update(group)
    for constraint in model._meta.constraints:
        names.update(getattr(constraint, "fields", ()) or ())
    return names


def _free_text_fields(model):
    unique = _unique_names(model)
    for field in model._meta.concrete_fields:
        if field.choices or field.primary_key or field.is_relation or not field.editable or field.name in unique:
            continue
        if isinstance(field, models.SlugField | models.EmailField | models.GenericIPAddressField):
            continue
        if isinstance(field, models.CharField | models.TextField | models.URLField | models.JSONField):
            if field.name in {"password", "token_hash", "match_key", "key", "slug"} or field.name.endswith("_hash"):
                continue
            yield field


def poison_everything() -> int:
    """Overwrite every free-text value of every Square Mile model; returns how many columns."""
    columns = 0
    for model in apps.get_models():
        if not model.__module__.startswith("squaremile.") or model._meta.proxy or not model._meta.managed:
            continue
        if model._meta.label in DERIVED:
            continue
        for field in _free_text_fields(model):
            if isinstance(field, models.JSONField):
                for pk, value in model.objects.exclude(**{field.name: None}).values_list("pk", field.name)[:300]:
                    model.objects.filter(pk=pk).update(**{field.name: _poison(value)})
            elif isinstance(field, models.URLField):
                model.objects.exclude(**{field.name: ""}).update(**{field.name: URL_PAYLOAD})
            else:
                payload = _payload(field)
                if payload is None:
                    continue
                qs = model.objects.all() if not field.null else model.objects.exclude(**{field.name: None})
                qs.update(**{field.name: payload})
            columns += 1
    return columns


class Executable(HTMLParser):
    """Collects whatever on a page could run: inline script that calls alert, event-handler
    attributes, javascript: links."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}={value!r}>")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"<{tag} {name}={value!r}>")
        if tag == "script":
            kind = dict(attrs).get("type") or ""
            self._in_script = kind not in ("application/json", "application/ld+json")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and "alert(" in data:
            self.found.append(f"<script>{data[:80]}")


def _plain_paths():
    """Every URL of the site that takes no argument."""
    out = []

    def walk(patterns, prefix):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern) and not p.pattern.converters and "(?P" not in str(p.pattern):
                route = prefix + str(p.pattern)
                out.append("/" + route.lstrip("^").rstrip("$").replace("\\", ""))

    walk(get_resolver().url_patterns, "")
    return [p for p in out if not p.startswith(SKIP_PREFIXES)]


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)


def crawl(client: Client, start: list[str]) -> tuple[int, list[str]]:
    seen, per_route, problems = set(), {}, []
    queue = list(start)
    pages = 0
    while queue and pages < MAX_PAGES:
        url = queue.pop(0)
        parts = urlsplit(url)
        if parts.netloc and parts.netloc != "testserver":
            continue
        path = parts.path
        if url in seen or not path.startswith("/") or path.startswith(SKIP_PREFIXES):
            continue
        seen.add(url)
        try:
            route = resolve(path).route
        except Resolver404:
            continue
        if per_route.get(route, 0) >= PER_ROUTE:
            continue
        per_route[route] = per_route.get(route, 0) + 1
        response = client.get(url)
        pages += 1
        if response.status_code >= 500:
            problems.append(f"{url}: {response.status_code}")
            continue
        if "text/html" not in response.get("Content-Type", "") or getattr(response, "streaming", False):
            continue
        html = response.content.decode()
        check = Executable()
        check.feed(html)
        problems += [f"{url}: {found}" for found in check.found]
        links = Links()
        links.feed(html)
        for href in links.links:
            target = urljoin(url, href).split("#")[0]
            if target.startswith("http://testserver"):
                target = target[len("http://testserver") :]
            if target.startswith("/") and "logout" not in target and "delete" not in target:
                queue.append(target)
    return pages, problems


def test_hostile_text_in_every_field_is_inert_on_every_page(settings, monkeypatch):
    from squaremile.demo import generator

    settings.MAP_ANONYMOUS_SUBMISSIONS = True
    monkeypatch.setattr(generator, "survey_answers_for", lambda organisations: 40)  # every kind, fewer rows
    started = time.monotonic()
    call_command("seed_demo", "--size", "12", "--seed", "3", verbosity=0)
    print(f"seeded in {time.monotonic() - started:.1f} s")
    admin = UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)
    columns = poison_everything()
    assert columns > 40  # the walk found the models' text columns
    call_command("reindex", verbosity=0)

    start = ["/", *_plain_paths()]
    signed_in = Client()
    signed_in.force_login(admin)
    pages, problems = crawl(signed_in, start)
    visitor_pages, visitor_problems = crawl(Client(), start)
    assert pages > 60 and visitor_pages > 20, (pages, visitor_pages)
    assert not problems + visitor_problems, "\n".join(problems + visitor_problems)
