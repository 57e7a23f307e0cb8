from django.urls import path

from squaremile.imports import views as import_views
from squaremile.places import views

GAZETTEER = {"key": "places.gazetteer"}

app_name = "places"
urlpatterns = [
    path("", views.area_list, name="area_list"),
    path("near/", views.near, name="near"),
    path("gazetteer/import/", import_views.start, GAZETTEER, name="gazetteer_import_start"),
    path("gazetteer/import/<int:pk>/columns/", import_views.columns, GAZETTEER, name="gazetteer_import_columns"),
    path("gazetteer/import/<int:pk>/preview/", import_views.preview, GAZETTEER, name="gazetteer_import_preview"),
    path("gazetteer/import/<int:pk>/apply/", import_views.apply, GAZETTEER, name="gazetteer_import_apply"),
    path("gazetteer/import/<int:pk>/file/", import_views.replace_file, GAZETTEER, name="gazetteer_import_file"),
    path("<slug:slug>/", views.area_detail, name="area_detail"),
]
