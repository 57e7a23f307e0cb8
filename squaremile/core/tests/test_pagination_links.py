"""Page links keep the rest of the query and carry one "?": Django's {% querystring %} writes its
own leading "?", so a template that adds another sends `??page=2`, which reads as no page at all
(every "Next" led back to page 1)."""

from pathlib import Path

from django.conf import settings
from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import RequestFactory


def test_the_shared_page_links_keep_the_query_and_name_the_page():
    request = RequestFactory().get("/exchange/mine/", {"q": "ladder", "page": "2"})
    page = Paginator(range(60), 20).page(2)
    html = render_to_string("core/includes/_pagination.html", {"page": page, "request": request}, request=request)
    assert 'href="?q=ladder&amp;page=1"' in html
    assert 'href="?q=ladder&amp;page=3"' in html
    assert "??" not in html


def test_no_template_puts_a_second_question_mark_before_querystring():
    roots = [Path(settings.BASE_DIR) / "templates", Path(settings.BASE_DIR) / "squaremile"]
    doubled = [
        str(path.relative_to(settings.BASE_DIR))
        for root in roots
        for path in root.rglob("*.html")
        if "?{% querystring" in path.read_text(encoding="utf-8")
    ]
    assert doubled == []
