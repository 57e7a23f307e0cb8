from django.urls import path, re_path

from squaremile.civic import open311, openreferral, views
from squaremile.imports import views as import_views

app_name = "civic"
KEY = {"key": "civic.representatives"}
FMT = r"(?P<fmt>json|xml)"

urlpatterns = [
    path("civic/", views.home, name="home"),
    path("civic/report/", views.report_new, name="report_new"),
    path("civic/reports/", views.report_list, name="reports"),
    path("civic/reports/map.geojson", views.reports_map_layer, name="map_layer"),
    path("civic/reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("civic/reports/confirm/<str:token>/", views.report_confirm, name="report_confirm"),
    path("civic/reports/<int:pk>/support/", views.report_support, name="report_support"),
    path("civic/reports/<int:pk>/voice/", views.report_voice, name="report_voice"),
    path("civic/reports/voice/<str:token>/", views.report_support_confirm, name="report_support_confirm"),
    path("civic/reports/<int:pk>/status/", views.report_status, name="report_status"),
    path("civic/reports/<int:pk>/update/", views.report_update, name="report_update"),
    path("civic/bodies/", views.body_list, name="bodies"),
    path("civic/bodies/<slug:slug>/", views.body_detail, name="body_detail"),
    path("civic/bodies/<slug:slug>/staff/", views.body_staff, name="body_staff"),
    path("civic/staff/join/<str:token>/", views.staff_join, name="staff_join"),
    path("civic/representatives/", views.representative_list, name="representatives"),
    path("civic/representatives/<int:pk>/", views.representative_detail, name="representative_detail"),
    path("civic/representatives/import/", import_views.start, KEY, name="import_start"),
    path("civic/representatives/import/<int:pk>/columns/", import_views.columns, KEY, name="import_columns"),
    path("civic/representatives/import/<int:pk>/preview/", import_views.preview, KEY, name="import_preview"),
    path("civic/representatives/import/<int:pk>/apply/", import_views.apply, KEY, name="import_apply"),
    path("civic/representatives/import/<int:pk>/file/", import_views.replace_file, KEY, name="import_file"),
    path("civic/questions/", views.question_list, name="questions"),
    path("civic/questions/ask/", views.question_new, name="question_new"),
    path("civic/questions/<int:pk>/", views.question_detail, name="question_detail"),
    path("civic/questions/<int:pk>/me-too/", views.question_me_too, name="question_me_too"),
    path("civic/answer/<str:token>/", views.answer, name="answer"),
    path("civic/answer/<str:token>/fresh/", views.answer_renew, name="answer_renew"),
    path("civic/raise/<int:entry_pk>/", views.raise_entry, name="raise_entry"),
    # Open311 GeoReport v2
    re_path(rf"^open311/v2/discovery\.{FMT}$", open311.discovery, name="open311_discovery"),
    re_path(rf"^open311/v2/services\.{FMT}$", open311.service_list, name="open311_services"),
    re_path(
        rf"^open311/v2/services/(?P<code>[A-Za-z0-9_.-]{{1,60}})\.{FMT}$",
        open311.service_definition,
        name="open311_service",
    ),  # fmt: skip
    re_path(rf"^open311/v2/requests\.{FMT}$", open311.request_list, name="open311_requests"),
    re_path(
        rf"^open311/v2/requests/(?P<request_id>[^/.]{{1,40}})\.{FMT}$", open311.request_detail, name="open311_request"
    ),  # fmt: skip
    # Open Referral (HSDS 3.0 / Open Referral UK)
    path("openreferral/", openreferral.index, name="openreferral_index"),
    path("openreferral/services", openreferral.services, name="openreferral_services"),
    path("openreferral/services/<str:uuid>", openreferral.service, name="openreferral_service"),
    path("openreferral/organizations", openreferral.organizations, name="openreferral_organizations"),
    path("openreferral/organizations/<str:uuid>", openreferral.organization_detail, name="openreferral_organization"),
    path("openreferral/locations", openreferral.locations, name="openreferral_locations"),
    path("openreferral/taxonomies", openreferral.taxonomies, name="openreferral_taxonomies"),
    path("openreferral/taxonomy_terms", openreferral.taxonomy_terms, name="openreferral_taxonomy_terms"),
    path("openreferral/export.zip", openreferral.export, name="openreferral_export"),
]
