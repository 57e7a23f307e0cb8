from django.urls import path

from squaremile.directory import views

app_name = "directory"
urlpatterns = [
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/add/", views.organisation_create, name="organisation_create"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation_detail"),
    path("organisations/<slug:slug>/edit/", views.organisation_edit, name="organisation_edit"),
    path("organisations/<slug:slug>/delete/", views.organisation_delete, name="organisation_delete"),
    path("projects/", views.project_list, name="project_list"),
    path("projects/add/", views.project_create, name="project_create"),
    path("projects/<slug:slug>/", views.project_detail, name="project_detail"),
    path("projects/<slug:slug>/edit/", views.project_edit, name="project_edit"),
    path("projects/<slug:slug>/delete/", views.project_delete, name="project_delete"),
    path("skills/", views.skill_list, name="skill_list"),
    path("skills/<slug:slug>/", views.skill_detail, name="skill_detail"),
    path("resources/<slug:slug>/", views.resource_detail, name="resource_detail"),
]
