from squaremile.core.text import plain_text, render_markdown


def test_markdown_is_sanitised():
    html = render_markdown("Hello **there** <script>alert(1)</script> [x](javascript:alert(1))")
    assert "<strong>there</strong>" in html
    assert "<script>" not in html
    assert "&lt;script&gt;" in html  # shown as text, never run
    assert 'href="javascript' not in html


def test_headings_are_shifted_and_links_marked():
    html = render_markdown("# Title\n\n[site](https://example.org)")
    assert "<h1>" not in html and "<h2>Title</h2>" in html
    assert 'rel="nofollow ugc noopener"' in html


def test_plain_text_strips_markup_and_truncates():
    assert plain_text("**bold** & <b>x</b>") == "bold & <b>x</b>"
    assert plain_text("word " * 100, 20).endswith("…")
