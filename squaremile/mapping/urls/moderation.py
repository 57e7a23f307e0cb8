"""URLs for adding, changing and moderating entries (under /map/)."""

from django.urls import path

from squaremile.mapping.views import entries as views_entries
from squaremile.mapping.views import moderation as views_moderation

urlpatterns = [
    path("add/", views_entries.entry_create, name="entry_create"),
    path("add/thanks/", views_entries.entry_thanks, name="entry_thanks"),
    path("add/questions/", views_entries.entry_questions, name="entry_questions"),
    path("suggest/<slug:kind>/", views_entries.suggest, name="suggest"),
    path("entries/<int:pk>/edit/", views_entries.entry_edit, name="entry_edit"),
    path("entries/<int:pk>/delete/", views_entries.entry_delete, name="entry_delete"),
    path("entries/<int:pk>/moderate/<slug:action>/", views_moderation.moderate, name="moderate"),
    path("queue/", views_moderation.queue, name="queue"),
    path("queue/settings/", views_moderation.moderation_settings, name="moderation_settings"),
]
