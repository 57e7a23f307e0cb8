"""URLs of network mapping, under /network/. Each part of the app keeps its own list."""

from squaremile.network.urls.maps import urlpatterns as map_patterns
from squaremile.network.urls.surveys import urlpatterns as survey_patterns

app_name = "network"
urlpatterns = survey_patterns + map_patterns
