from django.urls import path

from squaremile.mapping.views import map as views_map

urlpatterns = [
    path("", views_map.map_page, name="map"),
    path("list/", views_map.entry_list, name="entry_list"),
    path("entries/<int:pk>/", views_map.entry_detail, name="entry_detail"),
]
