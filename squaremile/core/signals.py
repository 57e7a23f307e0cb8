"""What ``migrate`` does beyond migrations, every time it runs (so a changed setting is picked up on
the next deploy): make the database cache's table when that cache is configured, and set the Sites
framework's row (used by allauth's e-mails and by anything that asks for the current site) from
SITE_NAME and SITE_URL instead of Django's "example.com"."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.management import call_command


def site_from_settings(*, using: str = "default") -> None:
    from django.contrib.sites.models import Site

    defaults = {"name": settings.SITE_NAME[:50]}
    domain = urlsplit(settings.SITE_URL).netloc if settings.SITE_URL else ""
    hosts = [h for h in settings.ALLOWED_HOSTS if h and not h.startswith((".", "*"))]
    site = Site.objects.using(using).filter(pk=settings.SITE_ID).first()
    if not domain and (site is None or site.domain == "example.com"):
        domain = hosts[0] if hosts else "localhost"  # never Django's default example.com
    if domain:
        defaults["domain"] = domain[:100]
    site, created = Site.objects.using(using).get_or_create(
        pk=settings.SITE_ID, defaults={"domain": "localhost", **defaults}
    )
    if not created and any(getattr(site, name) != value for name, value in defaults.items()):
        Site.objects.using(using).filter(pk=site.pk).update(**defaults)
    Site.objects.clear_cache()


def after_migrate(sender, using="default", verbosity=1, **kwargs):
    call_command("createcachetable", database=using, verbosity=0)
    site_from_settings(using=using)
