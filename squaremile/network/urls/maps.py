"""The map side of network mapping, under /network/<slug>/ (see views/maps.py)."""

from django.urls import path

from squaremile.network.views import maps as views

urlpatterns = [
    path("<slug:slug>/map/", views.map_view, name="map"),
    path("<slug:slug>/map.json", views.map_data, name="map_data"),
    path("<slug:slug>/published/", views.published_view, name="published"),
    path("<slug:slug>/published.json", views.published_data, name="published_data"),
    path("<slug:slug>/embed/", views.embed_view, name="embed"),
    path("<slug:slug>/analysis/", views.analysis_status, name="analysis_status"),
    path("<slug:slug>/suggestions/", views.suggestions_view, name="suggestions"),
    path("<slug:slug>/skills/", views.skills_view, name="skills"),
    path("<slug:slug>/compare/", views.compare_view, name="compare"),
    path("<slug:slug>/export/", views.export_view, name="export"),
    path("<slug:slug>/export/<str:name>", views.export_file, name="export_file"),
    path("<slug:slug>/import-ties/", views.import_ties_view, name="import_ties"),
]
