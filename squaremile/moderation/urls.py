from django.urls import path

from squaremile.moderation import views

app_name = "moderation"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("bulk/", views.bulk, name="bulk"),
    path("<slug:kind>/<int:pk>/report/", views.report, name="report"),
    path("<slug:kind>/<int:pk>/<slug:action>/", views.act, name="act"),
]
