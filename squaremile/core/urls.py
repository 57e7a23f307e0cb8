from django.urls import path

from squaremile.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("healthz", views.healthz, name="healthz"),
    path("dev/mail/", views.dev_mailbox, name="dev_mailbox"),
]
