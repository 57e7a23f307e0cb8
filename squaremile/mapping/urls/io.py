"""The map's import wizard, exports and feeds (this part of /map/)."""

from django.urls import path

from squaremile.mapping.io.feeds import EntryAtomFeed, EntryFeed
from squaremile.mapping.views import io as views_io

urlpatterns = [
    path("import/", views_io.import_start, name="import_start"),
    path("import/<int:pk>/columns/", views_io.import_columns, name="import_columns"),
    path("import/<int:pk>/preview/", views_io.import_preview, name="import_preview"),
    path("import/<int:pk>/apply/", views_io.import_apply, name="import_apply"),
    path("import/<int:pk>/file/", views_io.import_replace_file, name="import_file"),
    path("export/", views_io.export_page, name="export"),
    path("export/<slug:fmt>/", views_io.export_download, name="export_download"),
    path("export/<slug:fmt>/prepare/", views_io.export_prepare, name="export_prepare"),
    path("feed.rss", EntryFeed(), name="feed_rss"),
    path("feed.atom", EntryAtomFeed(), name="feed_atom"),
]
