from django.urls import path

from squaremile.core import views

app_name = "core"
urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("dev/mail/", views.dev_mailbox, name="dev_mailbox"),
]

from squaremile.core import views_jobs  # noqa: E402

urlpatterns += [
    path("jobs/<int:pk>/", views_jobs.job_detail, name="job_detail"),
    path("jobs/<int:pk>/download/", views_jobs.job_download, name="job_download"),
]
