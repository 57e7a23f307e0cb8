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


# Everything XML 1.0 cannot hold: C0 controls but tab, LF and CR; lone surrogates; U+FFFE and U+FFFF.
_NOT_XML = dict.fromkeys([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0xD800, 0xE000), 0xFFFE, 0xFFFF])


def xml_safe(text: str) -> str:
    """`text` without the characters XML 1.0 forbids (control characters other than tab, LF and CR,
    lone surrogates, U+FFFE and U+FFFF): every XML writer passes each text and attribute value through
    it, so that no stored text can make a file or feed malformed. Escaping (&, <, ") stays the writer's."""
    if text is None:
        return ""
    return str(text).translate(_NOT_XML)
