"""User text: markdown rendered to HTML, then sanitised. The only way user text becomes HTML."""

import html

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "del", "code", "pre", "blockquote", "ul", "ol", "li",
    "h2", "h3", "h4", "h5", "h6", "hr", "a", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}


def render_markdown(text: str | None) -> str:
    """Markdown to safe HTML. Raw HTML in the source is shown as text; links get rel=nofollow;
    headings are shifted down so user text never competes with the page's own h1."""
    if not text:
        return ""
    html = _md.render(text)
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow ugc noopener",
    )


def plain_text(text: str | None, limit: int | None = None) -> str:
    """User text with all markup removed, for summaries, search and meta tags."""
    if not text:
        return ""
    cleaned = " ".join(html.unescape(nh3.clean(_md.render(text), tags=set())).split())
    if limit and len(cleaned) > limit:
        cleaned = cleaned[: limit - 1].rsplit(" ", 1)[0] + "…"
    return cleaned


def nonblank_lines(text: str | None) -> list[str]:
    """The lines of a text box that hold something, stripped (a question's choices, one per line)."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def safe_link(url) -> str:
    """`url` if it is a web (http, https) or mailto address, else "": the one rule for any address
    a person typed that becomes a link."""
    text = str(url or "").strip()
    scheme = text.split(":", 1)[0].lower() if ":" in text else ""
    return text if scheme in ("http", "https", "mailto") else ""
