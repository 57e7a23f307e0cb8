"""The proceedings as documents: the context of the page and the print view (reports' Markdown
rendered), and the PDF (core/pdf.py) that the page offers and the proceedings e-mail carries."""

from __future__ import annotations

from django.urls import reverse
from django.utils.safestring import mark_safe

from squaremile.core.site import absolute_url
from squaremile.core.text import render_markdown
from squaremile.events import selectors

FIELDS = ("summary", "recommendations", "requests", "resources")


def context(event, request=None) -> dict:
    data = selectors.proceedings_of(event)
    for session in data.sessions:
        rep = session.the_report
        session.md = (
            {k: mark_safe(render_markdown(getattr(rep, k) or "")) for k in FIELDS}  # noqa: S308 - sanitised by nh3
            if rep and not rep.no_report
            else {}
        )
    return {
        "event": event,
        "data": data,
        "page_link": absolute_url(reverse("events:proceedings", args=[event.slug]), request),
    }


def filename(event) -> str:
    return f"proceedings-{event.slug[:60]}.pdf"


def pdf(event, request=None) -> bytes:
    from squaremile.core.pdf import render_pdf

    return render_pdf("events/proceedings_print.html", context(event, request), request=request)
