from django.urls import path

from squaremile.pages import views

app_name = "pages"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("about/", views.site_page, {"slug": "about"}, name="about"),
    path("privacy/", views.site_page, {"slug": "privacy"}, name="privacy"),
    path("accessibility/", views.site_page, {"slug": "accessibility"}, name="accessibility"),
    path("contact/", views.site_page, {"slug": "contact"}, name="contact"),
    path("developers/api/", views.api_docs, name="api_docs"),
]
