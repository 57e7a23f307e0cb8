import email
import ipaddress
from email import policy
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import render

from squaremile.core.permissions import can


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
