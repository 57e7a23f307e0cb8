from django.conf import settings


def site(request):
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_TAGLINE": settings.SITE_TAGLINE,
        "SHOW_DEV_MAILBOX": settings.SHOW_DEV_MAILBOX,
        "MAP_TILE_URL": settings.MAP_TILE_URL,
        "MAP_TILE_ATTRIBUTION": settings.MAP_TILE_ATTRIBUTION,
        "MAP_DEFAULT_CENTER": settings.MAP_DEFAULT_CENTER,
    }
