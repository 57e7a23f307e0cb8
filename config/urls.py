from django.conf import settings
from django.contrib import admin
from django.http import JsonResponse
from django.urls import include, path, re_path

from squaremile.api import api

urlpatterns = [
    path("", include("squaremile.core.urls")),
    path("", include("squaremile.pages.urls")),
    path("accounts/", include("allauth.urls")),
    path("people/", include("squaremile.accounts.urls")),
    path("notifications/", include("squaremile.notifications.urls")),
    path("areas/", include("squaremile.places.urls")),
    path("", include("squaremile.directory.urls")),
    path("moderation/", include("squaremile.moderation.urls")),
    path("map/", include("squaremile.mapping.urls")),
    path("network/", include("squaremile.network.urls")),
    # Each app below owns its prefixes: conversations /groups/ and /messages/, stories /stories/,
    # exchange /exchange/, methods /methods/ and /game/, events /events/, civic /civic/, /open311/, /openreferral/.
    path("", include("squaremile.conversations.urls")),
    path("", include("squaremile.stories.urls")),
    path("", include("squaremile.exchange.urls")),
    path("", include("squaremile.methods.urls")),
    path("", include("squaremile.events.urls")),
    path("", include("squaremile.civic.urls")),
    path("api/v1/", api.urls),
    # Anything else under /api/ is a JSON 404 in the API's error shape, never an HTML page.
    re_path(
        r"^api/", lambda request, *args, **kwargs: JsonResponse({"message": "Not found.", "errors": {}}, status=404)
    ),
    path("admin/", admin.site.urls),
]

# A database busy or away while the response is finished (e.g. saving the session) is a 503 too.
handler500 = "squaremile.core.unavailable.server_error"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
