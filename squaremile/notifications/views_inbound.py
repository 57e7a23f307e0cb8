"""The HTTP door for inbound mail: an inbound-mail service (Mailgun, Postmark, SendGrid...) POSTs
each message it receives for reply+*@INBOUND_MAIL_DOMAIN here, authenticated with the shared
secret INBOUND_MAIL_SECRET (`Authorization: Bearer <secret>` or `X-Inbound-Secret: <secret>`,
compared in constant time; 403 otherwise, and always 403 while no secret is set).

The message is the request body itself (`Content-Type: message/rfc822` or text/plain), or the
form field or uploaded file `email`, `body-mime`, `message` or `raw` that services send. The answer
is JSON `{"status": "accepted|ignored|refused", "reason": "..."}`: 200 for all three (a refusal is
final, so the service must not retry it), 400 when no message came, 413 when it is too large."""

import hmac

from django.conf import settings
from django.db import DatabaseError
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from squaremile.notifications import inbound

FIELDS = ("email", "body-mime", "message", "raw")


def _secret_ok(request) -> bool:
    secret = (getattr(settings, "INBOUND_MAIL_SECRET", "") or "").encode()
    if not secret:
        return False
    given = request.headers.get("X-Inbound-Secret", "")
    auth = request.headers.get("Authorization", "")
    if auth.lower().startswith("bearer "):
        given = auth[7:].strip()
    return hmac.compare_digest(given.encode(), secret)


def _raw_message(request) -> bytes:
    content_type = (request.content_type or "").lower()
    if content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        for name in FIELDS:
            if name in request.FILES:
                return request.FILES[name].read(inbound.max_bytes() + 1)
            if request.POST.get(name):
                return request.POST[name].encode("utf-8", errors="surrogateescape")
        return b""
    return request.body


@csrf_exempt
@require_POST
def receive_view(request):
    if not _secret_ok(request):
        return JsonResponse({"message": "Not allowed."}, status=403)
    if int(request.META.get("CONTENT_LENGTH") or 0) > inbound.max_bytes() * 2:
        return JsonResponse({"message": "The message is too large."}, status=413)
    raw = _raw_message(request)
    if not raw.strip():
        return JsonResponse({"message": "No message was sent."}, status=400)
    if len(raw) > inbound.max_bytes():
        return JsonResponse({"message": "The message is too large."}, status=413)
    try:
        outcome = inbound.receive(raw)
    except DatabaseError:
        return JsonResponse({"message": "Busy: try again later."}, status=503, headers={"Retry-After": "60"})
    return JsonResponse({"status": outcome.status, "reason": outcome.reason})
