from django.urls import path

from squaremile.directory import views
from squaremile.imports import views as import_views

IMPORT = {"key": "directory.organisations"}

app_name = "directory"
urlpatterns = [
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/add/", views.organisation_create, name="organisation_create"),
    path("organisations/import/", import_views.start, IMPORT, name="import_start"),
    path("organisations/import/<int:pk>/columns/", import_views.columns, IMPORT, name="import_columns"),
    path("organisations/import/<int:pk>/preview/", import_views.preview, IMPORT, name="import_preview"),
    path("organisations/import/<int:pk>/apply/", import_views.apply, IMPORT, name="import_apply"),
    path("organisations/import/<int:pk>/file/", import_views.replace_file, IMPORT, name="import_file"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation_detail"),
    path("organisations/<slug:slug>/edit/", views.organisation_edit, name="organisation_edit"),
    path("organisations/<slug:slug>/delete/", views.organisation_delete, name="organisation_delete"),
    path("organisations/<slug:slug>/people/", views.organisation_people, name="organisation_people"),
    path("organisations/<slug:slug>/people/leave/", views.organisation_leave, name="organisation_leave"),
    path("projects/", views.project_list, name="project_list"),
    path("projects/add/", views.project_create, name="project_create"),
    path("projects/<slug:slug>/", views.project_detail, name="project_detail"),
    path("projects/<slug:slug>/edit/", views.project_edit, name="project_edit"),
    path("projects/<slug:slug>/delete/", views.project_delete, name="project_delete"),
    path("people/", views.people, name="people"),
    path("skills/", views.skill_list, name="skill_list"),
    path("skills/<slug:slug>/", views.skill_detail, name="skill_detail"),
    path("resources/<slug:slug>/", views.resource_detail, name="resource_detail"),
]
