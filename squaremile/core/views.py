import email
import ipaddress
from email import policy
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.http import Http404, JsonResponse
from django.shortcuts import render

from squaremile.core import search as search_service
from squaremile.core.permissions import can
from squaremile.directory.models import Organisation, Project, Skill, Stream
from squaremile.places.models import Area

SEARCH_KINDS = {"organisation": "Organisations", "project": "Projects"}


def home(request):
    counts = {
        "organisations": Organisation.objects.count(),
        "projects": Project.objects.count(),
        "areas": Area.objects.count(),
        "skills": Skill.objects.count(),
    }
    by_stream = dict(Organisation.objects.order_by().values_list("stream").annotate(n=Count("id")))
    context = {
        "counts": counts,
        "top_areas": Area.objects.filter(parent__isnull=True).defer("boundary").order_by("name")[:6],
        "recent": Organisation.objects.only("name", "slug", "stream", "description").order_by("-updated_at")[:6],
        "streams": [(value, label, by_stream.get(value, 0)) for value, label in Stream.choices],
    }
    return render(request, "core/home.html", context)


def search(request):
    q = request.GET.get("q", "")[:200].strip()
    kind = request.GET.get("kind", "")
    kinds = [kind] if kind in SEARCH_KINDS else list(SEARCH_KINDS)
    try:
        page_number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page_number = 1
    per_page = 20
    result = search_service.search(q, kinds=kinds, limit=per_page, offset=(page_number - 1) * per_page) if q else None
    context = {
        "q": q,
        "kind": kind if kind in SEARCH_KINDS else "",
        "kinds": SEARCH_KINDS,
        "result": result,
        "page_number": page_number,
        "has_next": bool(result and result.total > page_number * per_page),
        "has_previous": page_number > 1,
    }
    template = "core/includes/_search_results.html" if request.htmx else "core/search.html"
    return render(request, template, context)


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor})


def _mailbox_files():
    folder = Path(settings.MAIL_DIR)
    if not folder.is_dir():
        return []
    return sorted(folder.glob("*.log"), key=lambda p: p.stat().st_mtime, reverse=True)


def _parse_mail_file(path: Path):
    messages = []
    for chunk in path.read_text(encoding="utf-8", errors="replace").split("-" * 79):
        chunk = chunk.strip()
        if chunk:
            msg = email.message_from_string(chunk, policy=policy.default)
            body = msg.get_body(preferencelist=("plain",))
            messages.append(
                {
                    "subject": msg["subject"],
                    "to": msg["to"],
                    "date": msg["date"],
                    "body": body.get_content() if body else "",
                }
            )
    return messages


PROXY_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_REAL_IP", "HTTP_FORWARDED")


def _local(request) -> bool:
    """A request from this machine itself — not one relayed by a proxy on it (which would come
    from a loopback address too, on behalf of anyone)."""
    try:
        loopback = ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False
    return loopback and not any(request.META.get(header) for header in PROXY_HEADERS)


def dev_mailbox(request):
    """Development only: the emails the platform has sent, newest first — reset links among them,
    so only for someone on this machine, or staff (anyone else gets a 404)."""
    if not settings.SHOW_DEV_MAILBOX or not (_local(request) or can(request.user, "site.administer")):
        raise Http404
    mails = []
    for path in _mailbox_files()[:30]:
        mails.extend(_parse_mail_file(path))
    return render(request, "core/dev_mailbox.html", {"mails": mails[:50]})
