"""The JSON API, /api/v1/. OpenAPI schema at /api/v1/openapi.json."""

from squaremile.civic.api import router as civic_router
from squaremile.conversations.api import router as conversations_router
from squaremile.core.api import API, install_error_handlers
from squaremile.directory.api import router as directory_router
from squaremile.events.api import router as events_router
from squaremile.exchange.api import router as exchange_router
from squaremile.mapping.api import router as mapping_router
from squaremile.methods.api import router as methods_router
from squaremile.network.api import router as network_router
from squaremile.places.api import router as places_router
from squaremile.stories.api import router as stories_router

api = API(
    title="Square Mile API",
    version="1",
    description=(
        "Areas, organisations, projects and the skills taxonomy of a Square Mile network. Reads are open; "
        "writes need a personal token (Authorization: Bearer <token>) made on your profile's API tokens page. "
        'Every error is JSON: {"message": ..., "errors": {field: [...]}}.'
    ),
    urls_namespace="api",
    docs_url=None,
)
install_error_handlers(api)
api.add_router("", places_router)
api.add_router("", directory_router)
api.add_router("", mapping_router)
api.add_router("", network_router)
api.add_router("", conversations_router)
api.add_router("", stories_router)
api.add_router("", exchange_router)
api.add_router("", methods_router)
api.add_router("", events_router)
api.add_router("", civic_router)


@api.get("/", include_in_schema=False, url_name="root")
def api_root(request):
    """What a person or a client finds at /api/v1/: where the schema and the documentation are."""
    return {
        "name": api.title,
        "version": api.version,
        "schema": request.build_absolute_uri("/api/v1/openapi.json"),
        "documentation": request.build_absolute_uri("/developers/api/"),
        "authentication": "Reads are open. Writes need Authorization: Bearer <token> (make one on your profile).",
    }
