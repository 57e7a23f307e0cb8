"""The page of one background job (its owner's or an admin's only) and its result file."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from squaremile.core.jobs import job_for
from squaremile.core.pagination import paginate

ERRORS_PER_PAGE = 100


@login_required
@require_GET
def job_detail(request, pk):
    job = job_for(request.user, pk)
    if job is None:
        raise Http404("No job here.")
    errors = job.report.get("errors") or []
    context = {"job": job, "errors": paginate(request, errors, ERRORS_PER_PAGE) if errors else None}
    if request.htmx:
        return render(request, "core/job_status.html", context)
    return render(request, "core/job_detail.html", context)


@login_required
@require_GET
def job_download(request, pk):
    job = job_for(request.user, pk)
    if job is None or not job.result_file:
        raise Http404("No file here.")
    try:
        handle = job.result_file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404("The file is no longer kept; start the work again.") from None
    return FileResponse(handle, as_attachment=True, filename=job.result_filename or "download")
