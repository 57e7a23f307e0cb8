"""URLs of the community map, under /map/. Each part of the app keeps its own list."""

from squaremile.mapping.urls.io import urlpatterns as io_patterns
from squaremile.mapping.urls.map import urlpatterns as map_patterns
from squaremile.mapping.urls.moderation import urlpatterns as moderation_patterns

app_name = "mapping"
urlpatterns = map_patterns + moderation_patterns + io_patterns
