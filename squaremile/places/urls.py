from django.urls import path

from squaremile.places import views

app_name = "places"
urlpatterns = [
    path("", views.area_list, name="area_list"),
    path("near/", views.near, name="near"),
    path("<slug:slug>/", views.area_detail, name="area_detail"),
]
