"""The Open311 GeoReport v2 server at /open311/v2/: discovery, services, a service's definition (from
its category's custom questions, `squaremile.questions`), requests (GET with filters, paginated;
POST with an API key: a personal API token), one request. JSON or XML by the path's suffix, with the
spec's field names and its error format (`[{"code": 400, "description": "..."}]`, `<errors>`).

Pagination is not in the spec: `page` (from 1) and `page_size` (default 50, at most 500) are the
common extension; without dates, all requests are listed, newest first.
"""

from __future__ import annotations

import json
from datetime import UTC
from xml.sax.saxutils import escape

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from squaremile.civic import services
from squaremile.civic.models import ProblemCategory, Report, Source
from squaremile.core import ratelimit
from squaremile.core.api import token_user
from squaremile.core.site import absolute_url
from squaremile.core.text import clean_text, xml_safe
from squaremile.moderation.models import ModerationState
from squaremile.questions.answers import parse_answers

PAGE_SIZE, PAGE_SIZE_MAX = 50, 500
DATATYPES = {
    "text": "string", "longtext": "text", "number": "number", "date": "datetime", "yesno": "singlevaluelist",
    "choice": "singlevaluelist", "multiple": "multivaluelist", "scale": "singlevaluelist",
}  # fmt: skip
XML_CT = "text/xml; charset=utf-8"
JSON_CT = "application/json; charset=utf-8"


class Open311Problem(Exception):
    def __init__(self, code: int, description: str):
        super().__init__(description)
        self.code, self.description = code, description


# ---- writing JSON and XML ------------------------------------------------------------------------
def _xml_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return escape(xml_safe(str(value)))


def _xml(tag: str, value) -> str:
    if isinstance(value, list):
        inner = "".join(_xml(_singular(tag), v) for v in value)
        return f"<{tag}>{inner}</{tag}>"
    if isinstance(value, dict):
        return f"<{tag}>{''.join(_xml(k, v) for k, v in value.items())}</{tag}>"
    return f"<{tag}>{_xml_value(value)}</{tag}>"


def _singular(tag: str) -> str:
    return {"services": "service", "service_requests": "request", "attributes": "attribute", "values": "value",
            "errors": "error", "endpoints": "endpoint", "formats": "format"}.get(tag, "item")  # fmt: skip


def respond(fmt: str, data, *, root: str, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        body = '<?xml version="1.0" encoding="utf-8"?>' + _xml(root, data)
        response = HttpResponse(body, content_type=XML_CT, status=status)
    else:
        response = HttpResponse(json.dumps(data, ensure_ascii=False), content_type=JSON_CT, status=status)
    response["Access-Control-Allow-Origin"] = "*"
    return response


def error(fmt: str, code: int, description: str) -> HttpResponse:
    return respond(fmt, [{"code": code, "description": description}], root="errors", status=code)


def _w3c(dt) -> str | None:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if dt else None


# ---- what is said ------------------------------------------------------------------------------
def service_of(category: ProblemCategory) -> dict:
    return {
        "service_code": category.service_code, "service_name": category.name,
        "description": category.description or category.name,
        "metadata": any(True for _ in category.questions.all()), "type": "realtime",
        "keywords": category.keywords, "group": category.group,
    }  # fmt: skip


def definition_of(category: ProblemCategory) -> dict:
    attributes = []
    for order, q in enumerate(category.questions.all(), start=1):
        values = []
        if q.kind in ("choice", "multiple"):
            values = [{"key": c, "name": c} for c in q.choice_list]
        elif q.kind == "yesno":
            values = [{"key": "yes", "name": "Yes"}, {"key": "no", "name": "No"}]
        elif q.kind == "scale":
            values = [{"key": str(n), "name": str(n)} for n in range(5)]
        attributes.append({
            "variable": True, "code": str(q.pk), "datatype": DATATYPES.get(q.kind, "string"),
            "required": bool(q.required), "datatype_description": q.help_text or "", "order": order,
            "description": q.label, "values": values,
        })  # fmt: skip
    return {"service_code": category.service_code, "attributes": attributes}


def request_of(report: Report, *, site: str = "") -> dict:
    """One service request as the spec names its fields. `site`: this site's address (once per list)."""
    body = report.body
    return {
        "service_request_id": str(report.pk),
        "status": "open" if report.is_open else "closed",
        "status_notes": report.status_reason or report.get_status_display(),
        "service_name": report.category.name,
        "service_code": report.category.service_code,
        "description": f"{report.title}\n\n{report.description}".strip()[:2000],
        "agency_responsible": body.name if body else "",
        "service_notice": "",
        "requested_datetime": _w3c(report.created_at),
        "updated_datetime": _w3c(report.updated_at),
        "expected_datetime": None,
        "address": report.address,
        "address_id": None,
        "zipcode": None,
        "lat": round(report.lat, 6),
        "long": round(report.lng, 6),
        "media_url": (site or absolute_url("/").rstrip("/")) + f"/civic/reports/{report.pk}/",
    }


# ---- the endpoints ------------------------------------------------------------------------------
@require_GET
def discovery(request, fmt: str):
    base = absolute_url(reverse("civic:open311_discovery", kwargs={"fmt": "json"})).rsplit("/discovery.json", 1)[0]
    data = {
        "changeset": _w3c(timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)),
        "contact": absolute_url(reverse("pages:contact")),
        "key_service": absolute_url(reverse("accounts:tokens")),
        "endpoints": [{
            "specification": "http://wiki.open311.org/GeoReport_v2", "url": base,
            "changeset": _w3c(timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)),
            "type": "production", "formats": ["text/xml", "application/json"],
        }],
    }  # fmt: skip
    return respond(fmt, data, root="discovery")


@require_GET
def service_list(request, fmt: str):
    cats = ProblemCategory.objects.filter(bodies__isnull=False).distinct().prefetch_related("questions")
    return respond(fmt, [service_of(c) for c in cats.order_by("group", "name")], root="services")


@require_GET
def service_definition(request, fmt: str, code: str):
    category = ProblemCategory.objects.filter(service_code=code).prefetch_related("questions").first()
    if category is None:
        return error(fmt, 404, f"No service with the code {code[:60]}.")
    return respond(fmt, definition_of(category), root="service_definition")


def _when(raw: str, name: str, *, end: bool = False):
    value = parse_datetime(raw)
    if value is None and (day := parse_date(raw)) is not None:
        from datetime import datetime, time

        value = datetime.combine(day, time.max if end else time.min)
    if value is None:
        raise Open311Problem(400, f"{name} must be a W3C date and time, e.g. 2026-03-31T09:00:00Z.")
    if timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value


def _int(raw: str | None, name: str, default: int, lo: int, hi: int) -> int:
    if raw in (None, ""):
        return default
    if not raw.isdigit():
        raise Open311Problem(400, f"{name} must be a whole number.")
    return max(lo, min(hi, int(raw)))


def filtered_requests(params) -> tuple[list[Report], dict]:
    """The requests the GET parameters ask for, newest first (one page) — the read both the
    server and the benchmark time. Only published reports (not hidden by moderation, not waiting
    for their reporter's e-mail link)."""
    qs = Report.objects.filter(moderation=ModerationState.PUBLISHED)
    ids = [s.strip() for s in (params.get("service_request_id") or "").split(",") if s.strip()]
    if ids:
        if not all(s.isdigit() and len(s) < 19 for s in ids):
            raise Open311Problem(400, "service_request_id must be numbers separated by commas.")
        qs = qs.filter(pk__in=[int(s) for s in ids[:100]])
    codes = [s.strip() for s in (params.get("service_code") or "").split(",") if s.strip()]
    if codes:
        cat_ids = list(ProblemCategory.objects.filter(service_code__in=codes[:50]).values_list("pk", flat=True))
        qs = qs.filter(category_id__in=cat_ids)
    statuses = {s.strip().lower() for s in (params.get("status") or "").split(",") if s.strip()}
    if statuses - {"open", "closed"}:
        raise Open311Problem(400, "status must be open, closed or both.")
    if len(statuses) == 1:
        qs = qs.filter(is_open=("open" in statuses))
    if params.get("start_date"):
        qs = qs.filter(created_at__gte=_when(params["start_date"], "start_date"))
    if params.get("end_date"):
        qs = qs.filter(created_at__lte=_when(params["end_date"], "end_date", end=True))
    page = _int(params.get("page"), "page", 1, 1, 10_000)
    size = _int(params.get("page_size"), "page_size", PAGE_SIZE, 1, PAGE_SIZE_MAX)
    start = (page - 1) * size
    rows = list(qs.select_related("category", "body").order_by("-created_at", "-id")[start : start + size])
    return rows, {"page": page, "page_size": size}


@csrf_exempt
@require_http_methods(["GET", "POST"])
def request_list(request, fmt: str):
    try:
        if request.method == "POST":
            return _post_request(request, fmt)
        rows, _ = filtered_requests(request.GET)
    except Open311Problem as exc:
        return error(fmt, exc.code, exc.description)
    site = absolute_url("/", request).rstrip("/")
    return respond(fmt, [request_of(r, site=site) for r in rows], root="service_requests")


@require_GET
def request_detail(request, fmt: str, request_id: str):
    if not request_id.isdigit() or len(request_id) > 18:
        return error(fmt, 404, "No such service request.")
    report = (
        Report.objects.select_related("category", "body")
        .filter(pk=int(request_id), moderation=ModerationState.PUBLISHED)
        .first()
    )
    if report is None:
        return error(fmt, 404, "No such service request.")
    return respond(fmt, [request_of(report)], root="service_requests")


def _post_request(request, fmt: str):
    data = request.POST
    user = token_user((data.get("api_key") or "").strip()) if data.get("api_key") else None
    if user is None:
        raise Open311Problem(403, "A valid api_key is needed to post a request (a personal API token).")
    try:
        ratelimit.hit("open311-post", user=str(user.pk), ip=ratelimit.client_ip(request))
    except ratelimit.RateLimited as exc:
        response = error(fmt, 429, "Too many requests: try again later.")
        response["Retry-After"] = str(exc.retry_after)
        return response
    code = (data.get("service_code") or "").strip()
    category = ProblemCategory.objects.filter(service_code=code).first() if code else None
    if category is None:
        raise Open311Problem(400, "service_code is missing or unknown.")
    try:
        lat, lng = float(data.get("lat", "")), float(data.get("long", ""))
    except ValueError:
        raise Open311Problem(400, "lat and long are needed (decimal degrees).") from None
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise Open311Problem(400, "lat and long are out of range.")
    description = clean_text(data.get("description") or "", multiline=True).strip()[:5000]
    if not description:
        raise Open311Problem(400, "description is needed.")
    raw_answers = {k[10:-1]: v for k, v in data.items() if k.startswith("attribute[") and k.endswith("]")}
    questions = list(category.questions.all())
    answers, problems = parse_answers(questions, raw_answers)
    if problems:
        first = next(iter(problems.items()))
        raise Open311Problem(400, f"attribute[{first[0]}]: {first[1][0]}")
    address = clean_text(data.get("address_string") or "", multiline=False)[:300]
    title = description.splitlines()[0][:200]
    # A photo sent with the request as a multipart `media` file (an extension several cities' servers
    # and clients use; `media_url` is never fetched): checked and stored by the shared attachments.
    media = request.FILES.getlist("media")[:1]
    try:
        report = services.report_create(
            by=user, category=category, lat=lat, lng=lng, title=title, description=description,
            answers=answers, source=Source.OPEN311, address=address, photos=media, photo_alts=[f"Photo: {title}"],
        )  # fmt: skip
    except ValidationError as exc:
        raise Open311Problem(400, "; ".join(exc.messages)[:300]) from None
    notice = "" if report.body else "No body here takes this kind of problem: it is recorded but not sent."
    answer = [{"service_request_id": str(report.pk), "service_notice": notice, "account_id": None}]
    return respond(fmt, answer, root="service_requests", status=201)
