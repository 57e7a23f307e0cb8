"""Reads of the site pages."""

from django.conf import settings

from squaremile.pages.defaults import PAGES
from squaremile.pages.models import SitePage


def page_for(*, slug: str) -> SitePage | None:
    """The page, its words filled in with the site's name and contact address; None if no such page."""
    page = SitePage.objects.filter(slug=slug).first()
    if page is None:
        if slug not in PAGES:
            return None
        title, body = PAGES[slug]
        page = SitePage(slug=slug, title=title, body=body)
    contact = settings.CONTACT_EMAIL or "the people who run this site"
    page.body = page.body.replace("{site}", settings.SITE_NAME).replace("{contact}", contact)
    return page
