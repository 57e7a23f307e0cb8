"""API of the map's exports and of background jobs.

GET /api/v1/map/export?format=geojson|csv|kml&<map filters>
    small results: the file itself (200); more than MAP_EXPORT_INLINE_MAX entries: 202 with a job
    to poll (token or session needed; 401 otherwise).
GET /api/v1/jobs/{id}            a job's status and progress (its owner, or an admin; else 404)
GET /api/v1/jobs/{id}/download   the finished job's file
"""

from typing import Literal

from django.http import FileResponse
from django.urls import reverse
from ninja import Field, Query, Router, Schema, Status

from squaremile.core.api import ErrorOut, Text, optional_user
from squaremile.core.jobs import job_for
from squaremile.core.models import Job, JobStatus
from squaremile.core.site import absolute_url
from squaremile.core.site import base_url as site_base_url
from squaremile.mapping.entries.filters import FilterError, parse_filters
from squaremile.mapping.io import exports
from squaremile.mapping.io import tasks as io_tasks

router = Router(tags=["map"])


def _file_response(description: str) -> dict:
    """The OpenAPI of a 200 that is a file (an export) rather than JSON, in each format's media type."""
    content = {
        media_type: {"schema": {"type": "object"} if media_type.endswith("json") else {"type": "string"}}
        for media_type in (content_type.split(";")[0] for content_type, _, _ in exports.FORMATS.values())
    }
    return {"responses": {200: {"description": description, "content": content}}}


class ExportQuery(Schema):
    """The map's filters (the same names as the map page, the clusters endpoint and the feeds)."""

    format: Literal["geojson", "csv", "kml"] = Field("geojson", description="geojson, csv or kml")
    bbox: Text | None = Field(None, description="west,south,east,north in degrees", max_length=200)
    category: list[Text] = Field(default_factory=list, description="category slugs (repeat the parameter)")
    area: Text | None = Field(None, description="area slug; sub-areas are included", max_length=220)
    date_from: Text | None = Field(None, alias="from", description="YYYY-MM-DD", max_length=20)
    date_to: Text | None = Field(None, alias="to", description="YYYY-MM-DD", max_length=20)
    verified: Text | None = Field(None, description="1 for verified entries only", max_length=10)
    q: Text | None = Field(None, description="free text in titles and descriptions", max_length=200)
    threats: Text | None = Field(None, description="include (default), only or exclude", max_length=10)
    status: Text | None = Field(
        None, description="moderators only: pending, rejected, archived or merged (default published)", max_length=10
    )


class JobOut(Schema):
    id: int
    kind: str
    status: str = Field(description="queued, running, waiting (for its owner), done or failed")
    progress: int
    total: int
    percent: int
    message: str
    created_at: str
    finished_at: str | None
    url: str = Field(description="this job in the API")
    page: str = Field(description="the job's web page")
    download_url: str | None = Field(description="the result file, once done")


def job_out(request, job: Job) -> dict:
    done = job.status == JobStatus.DONE and bool(job.result_file)
    return {
        "id": job.pk,
        "kind": job.kind,
        "status": job.status,
        "progress": job.progress,
        "total": job.total,
        "percent": job.percent,
        "message": job.message,
        "created_at": job.created_at.isoformat(),
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
        "url": absolute_url(reverse("api:job", args=[job.pk]), request),
        "page": absolute_url(job.get_absolute_url(), request),
        "download_url": absolute_url(reverse("api:job_download", args=[job.pk]), request) if done else None,
    }


@router.get(
    "/map/export",
    response={202: JobOut, 400: ErrorOut, 401: ErrorOut, 429: ErrorOut},
    summary="Export a filtered view of the map as GeoJSON, CSV or KML",
    description=(
        "Up to 5,000 entries: the file itself (200, as an attachment). More: 202 with a background job; poll "
        "its `url` until `status` is `done`, then fetch `download_url` (needs a token: Authorization: Bearer ...). "
        "429 when you already have as many exports or imports queued or running as allowed (default 2). "
        "Published entries only, unless a moderator asks for another status."
    ),
    openapi_extra=_file_response("The file itself, as an attachment (up to 5,000 entries)."),
)
def map_export(request, query: Query[ExportQuery]):
    params = request.GET.copy()
    params.pop("format", None)
    try:
        filters = parse_filters(params)
    except FilterError as exc:
        errors = {k: [v] for k, v in exc.errors.items()}
        return Status(400, {"message": "Some filters are not valid.", "errors": errors})
    user = optional_user(request)
    queryset = exports.export_queryset(filters, user=user)
    count = queryset.count()
    base_url = site_base_url(request)
    if count <= exports.inline_max():
        return exports.stream_response(query.format, queryset, base_url=base_url)
    if not getattr(user, "is_authenticated", False):
        return Status(
            401,
            {
                "message": f"More than {exports.inline_max():,} entries are exported in the background, for signed-in "
                "people only: send a token (Authorization: Bearer <token>) or narrow the filters.",
                "errors": {},
            },
        )
    # TooManyJobs (the person has too many jobs under way) becomes a 429 in core.api's handlers.
    job = io_tasks.start_export(by=user, fmt=query.format, filters=filters, count=count, base_url=base_url)
    return Status(202, job_out(request, job))


def _job_or_error(request, job_id: int):
    user = optional_user(request)
    if not getattr(user, "is_authenticated", False):
        return None, Status(401, {"message": "Send a valid token: Authorization: Bearer <token>.", "errors": {}})
    job = job_for(user, job_id)
    if job is None:
        return None, Status(404, {"message": "Not found.", "errors": {}})
    return job, None


@router.get(
    "/jobs/{job_id}",
    response={200: JobOut, 401: ErrorOut, 404: ErrorOut},
    url_name="job",
    tags=["jobs"],
    summary="A background job's status and progress (its owner's only)",
)
def job_status(request, job_id: int):
    job, error = _job_or_error(request, job_id)
    if error:
        return error
    return Status(200, job_out(request, job))


@router.get(
    "/jobs/{job_id}/download",
    response={401: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    url_name="job_download",
    tags=["jobs"],
    summary="The file a finished job produced (its owner's only)",
    openapi_extra=_file_response("The file, as an attachment."),
)
def job_download(request, job_id: int):
    job, error = _job_or_error(request, job_id)
    if error:
        return error
    if job.status != JobStatus.DONE or not job.result_file:
        state = job.get_status_display().lower()
        return Status(409, {"message": f"The job has no file yet (it is {state}).", "errors": {}})
    try:
        handle = job.result_file.open("rb")
    except OSError:
        return Status(404, {"message": "The file is no longer kept; start the export again.", "errors": {}})
    return FileResponse(handle, as_attachment=True, filename=job.result_filename or "download")
