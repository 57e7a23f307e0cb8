"""User text: markdown rendered to HTML, then sanitised. The only way user text becomes HTML."""

import html
import re
import unicodedata

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


# ---- user text at the door ----------------------------------------------------------------------
# Line breaks in every spelling (CR LF, CR, NEL, vertical tab, form feed, Unicode's line and
# paragraph separators) become one LF.
_LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
# What no user text may hold: C0 and C1 control characters (tab and LF are handled apart), DEL;
# Unicode's bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) and the
# deprecated format controls next to them (U+206A-U+206F); invisible characters that make one text
# look like another or hide words (zero-width space U+200B, word joiner and invisible operators
# U+2060-U+2064, the BOM / zero-width no-break space U+FEFF, Mongolian vowel separator U+180E,
# interlinear annotation U+FFF9-U+FFFB); the noncharacters U+FFFE/U+FFFF and lone surrogates, which
# neither XML nor PostgreSQL can hold.
_INVISIBLE = (
    "\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f"
    "\u180e\u200b\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\ufffe\uffff\ud800-\udfff"
)
_REMOVE = re.compile(f"[{_INVISIBLE}]")
# Tag characters are invisible too (they can carry hidden text), except in the emoji flags of
# subdivisions such as England's (black flag, tags, cancel tag), which are kept whole.
_TAGS = re.compile("(\U0001f3f4[\U000e0020-\U000e007e]+\U000e007f)|[\U000e0000-\U000e007f]")
_TAG = re.compile("[\U000e0000-\U000e007f]")


def clean_text(value: str, *, multiline: bool) -> str:
    """User text as it may be stored: the one rule for every text that comes in (forms, the JSON
    API, imported files).

    Why: control characters break the XML the site writes (feeds, KML, GEXF: one U+0001 in a title
    made every feed answer 500) and confuse spreadsheets, terminals and e-mail; NUL cannot be
    stored in PostgreSQL at all. Bidirectional overrides and isolates (U+202E RIGHT-TO-LEFT OVERRIDE
    and friends) make text display in another order than it is stored ("Trojan Source"), so a name,
    a link or a file name can pass for another; invisible characters (zero-width space, word joiner,
    BOM, tag characters) make two texts that look the same compare different, hide words from
    search and moderation, and smuggle hidden text. NFC makes text typed on different systems
    (precomposed "é" versus "e" + combining accent) compare, sort and search as the same.

    What: line breaks in every spelling become LF; in single-line text (multiline=False) tabs and
    line breaks become spaces; the characters above are removed. Kept on purpose: tab and LF in
    multi-line text, the zero-width joiner and non-joiner (U+200C/U+200D, needed by Persian, Indic
    scripts and emoji sequences), the left-to-right and right-to-left marks (U+200E/U+200F, U+061C:
    they cannot reorder text, only place neutral characters, and right-to-left writers need them),
    variation selectors and soft hyphens. Leading and trailing spaces are the caller's business
    (Django's CharField strips them)."""
    if not value:
        return value
    if value.isprintable() and (value.isascii() or unicodedata.is_normalized("NFC", value)):
        # The common case, checked in C: every character removed or changed below is one Python
        # does not call printable (control, format, separator, surrogate, unassigned).
        return value
    text = _LINE_BREAKS.sub("\n", value)
    if not multiline:
        text = text.replace("\n", " ").replace("\t", " ")
    text = _REMOVE.sub("", text)
    if _TAG.search(text):
        text = _TAGS.sub(lambda m: m.group(1) or "", text)
    return unicodedata.normalize("NFC", text)


# Everything XML 1.0 cannot hold: C0 controls but tab, LF and CR; lone surrogates; U+FFFE and U+FFFF.
_NOT_XML = dict.fromkeys([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0xD800, 0xE000), 0xFFFE, 0xFFFF])


def xml_safe(text: str) -> str:
    """`text` without the characters XML 1.0 forbids (control characters other than tab, LF and CR,
    lone surrogates, U+FFFE and U+FFFF): every XML writer passes each text and attribute value through
    it, so that no stored text can make a file or feed malformed. Escaping (&, <, ") stays the writer's."""
    if text is None:
        return ""
    return str(text).translate(_NOT_XML)


def safe_link(url) -> str:
    """`url` if it is a web (http, https) or mailto address, else "": the one rule for any address
    a person typed that becomes a link."""
    text = str(url or "").strip()
    scheme = text.split(":", 1)[0].lower() if ":" in text else ""
    return text if scheme in ("http", "https", "mailto") else ""
