from django.urls import path

from squaremile.network.views import organisers as views_organisers
from squaremile.network.views import surveys as v

urlpatterns = [
    path("", v.survey_list, name="survey_list"),
    path("new/", v.survey_create, name="survey_create"),
    path("<slug:slug>/", v.survey_detail, name="survey_detail"),
    path("<slug:slug>/edit/", v.survey_edit, name="survey_edit"),
    path("<slug:slug>/delete/", v.survey_delete, name="survey_delete"),
    path("<slug:slug>/respond/", v.respond, name="respond"),
    path("<slug:slug>/respond/thanks/", v.respond_thanks, name="respond_thanks"),
    path("<slug:slug>/respond/names/", v.name_suggest, name="name_suggest"),
    path("<slug:slug>/i/<str:token>/", v.respond_invited, name="respond_invited"),
    path("<slug:slug>/r/<str:token>/", v.response_edit, name="response_edit"),
    path("<slug:slug>/poster/", v.poster, name="poster"),
    path("<slug:slug>/paper/", v.paper_form, name="paper"),
    path("<slug:slug>/paper/enter/", v.paper_enter, name="paper_enter"),
    path("<slug:slug>/import/", v.paper_import, name="paper_import"),
    path("<slug:slug>/import/template.csv", v.paper_template_csv, name="paper_template"),
    path("<slug:slug>/responses/", v.response_list, name="response_list"),
    path("<slug:slug>/responses/<int:pk>/", v.response_detail, name="response_detail"),
    path("<slug:slug>/responses/<int:pk>/edit/", v.paper_enter, name="response_correct"),
    path("<slug:slug>/responses/<int:pk>/delete/", v.response_delete, name="response_delete"),
    path("<slug:slug>/invite/", v.invitations, name="invitations"),
    path("<slug:slug>/invite/<int:pk>/resend/", v.invitation_resend, name="invitation_resend"),
    path("<slug:slug>/names/", v.names_review, name="names"),
    path("<slug:slug>/names/merge/", v.names_merge, name="names_merge"),
    path("<slug:slug>/names/<int:pk>/different/", v.names_dismiss, name="names_dismiss"),
    path("<slug:slug>/rounds/new/", v.round_create, name="round_create"),
    path("<slug:slug>/organisers/", views_organisers.survey_organisers, name="organisers"),
    path(
        "<slug:slug>/organisers/<int:user_id>/remove/",
        views_organisers.survey_organiser_remove,
        name="organiser_remove",
    ),
]
