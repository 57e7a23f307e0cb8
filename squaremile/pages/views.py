from pathlib import Path

from django.conf import settings
from django.db.models import Count
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from squaremile.core import search as search_service
from squaremile.directory import selectors as directory_selectors
from squaremile.directory.models import Organisation, Project, Skill, Stream
from squaremile.pages.selectors import page_for
from squaremile.places.models import Area

SEARCH_KINDS = {
    "organisation": "Organisations",
    "project": "Projects",
    "story": "Stories",
    "exchange": "Wants and offers",
    "event": "Events",
    "method": "Methods",
    "civic_report": "Problem reports",
    "civic_question": "Questions to representatives",
    # conversations: public groups' threads and replies only (private groups are never indexed)
    "group": "Groups",
    "thread": "Conversations",
    "post": "Replies",
}


def home(request):
    """The front door: what is here, how many, and where to start."""
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
    return render(request, "pages/home.html", context)


def search(request):
    """The site-wide search page (the one search service, `core.search`)."""
    q = request.GET.get("q", "")[:200].strip()
    kind = request.GET.get("kind", "")
    kinds = [kind] if kind in SEARCH_KINDS else list(SEARCH_KINDS)
    try:
        page_number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page_number = 1
    per_page = 20
    result = search_service.search(q, kinds=kinds, limit=per_page, offset=(page_number - 1) * per_page) if q else None
    # People by the name they show, only to those they show it to (and on the first page only).
    people = directory_selectors.people_named(request.user, q) if q and page_number == 1 and not kind else []
    context = {
        "q": q,
        "people": people,
        "kind": kind if kind in SEARCH_KINDS else "",
        "kinds": SEARCH_KINDS,
        "result": result,
        "page_number": page_number,
        "has_next": bool(result and result.total > page_number * per_page),
        "has_previous": page_number > 1,
    }
    template = "pages/includes/_search_results.html" if request.htmx else "pages/search.html"
    return render(request, template, context)


@require_GET
def site_page(request, slug):
    page = page_for(slug=slug)
    if page is None:
        raise Http404("No such page.")
    return render(request, "pages/page.html", {"page": page})


@require_GET
def api_docs(request):
    """The API's documentation for developers: docs/api.md, the same text as in the repository."""
    text = (Path(settings.BASE_DIR) / "docs" / "api.md").read_text(encoding="utf-8")
    return render(request, "pages/markdown.html", {"title": "The API", "text": text})
