from pathlib import Path

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from squaremile.pages.selectors import page_for


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
