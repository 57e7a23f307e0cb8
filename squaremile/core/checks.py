"""System checks: a mistyped rate limit stops ``manage.py check`` (and every start), not a visitor."""

from django.core import checks
from django.core.exceptions import ImproperlyConfigured


@checks.register(checks.Tags.security)
def rate_limits_check(app_configs=None, **kwargs):
    from squaremile.core import ratelimit

    errors = []
    try:
        scopes = ratelimit.configured_rates()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="squaremile.E001")]
    for scope, text in scopes.items():
        try:
            ratelimit.parse_rates(text or "")
        except ImproperlyConfigured as exc:
            errors.append(checks.Error(f"Rate limit {scope!r}: {exc}", id="squaremile.E001"))
    return errors
