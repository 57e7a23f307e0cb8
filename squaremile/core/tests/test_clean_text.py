"""One rule for user text at the door (`clean_text`), and XML that cannot be malformed (`xml_safe`)."""

import sys
import unicodedata

import pytest
from defusedxml import ElementTree

from squaremile.core.text import clean_text, xml_safe

ENGLAND = "\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"


@pytest.mark.parametrize("multiline", [True, False])
def test_control_characters_and_nul_are_removed(multiline):
    assert clean_text("a\x00b\x01c\x07d\x1be\x7ff\x80g\x9bh", multiline=multiline) == "abcdefgh"


def test_line_endings_are_one_lf_in_multiline_text():
    assert clean_text("a\r\nb\rc\x85d\u2028e\u2029f\x0bg\x0ch", multiline=True) == "a\nb\nc\nd\ne\nf\ng\nh"
    assert clean_text("keep\ttabs\nand lines", multiline=True) == "keep\ttabs\nand lines"


def test_single_line_text_has_spaces_for_tabs_and_breaks():
    assert clean_text("a\tb\r\nc\u2028d\ne", multiline=False) == "a b c d e"


def test_bidi_overrides_embeddings_and_isolates_are_removed():
    # "Trojan source": U+202E shows "gpj.exe" as "exe.jpg"
    assert clean_text("invoice\u202egpj.exe", multiline=False) == "invoicegpj.exe"
    every = "".join(chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)])
    assert clean_text(f"a{every}b", multiline=True) == "ab"


def test_invisible_characters_are_removed_but_joiners_and_marks_kept():
    assert clean_text("ad\u200bmin\ufeff\u2060\u180e", multiline=False) == "admin"
    assert clean_text("hidden\U000e0041\U000e0042", multiline=False) == "hidden"  # tag smuggling
    family = "\U0001f469\u200d\U0001f467"  # emoji sequence joined by ZWJ
    persian = "می\u200cخواهم"  # zero-width non-joiner, part of the spelling
    hebrew = "שלום\u200f 123"  # right-to-left mark
    for text in (family, persian, hebrew, ENGLAND, "café ☕\ufe0f"):
        assert clean_text(text, multiline=False) == unicodedata.normalize("NFC", text)


def test_noncharacters_and_lone_surrogates_are_removed():
    assert clean_text("a\ufffeb\uffffc\ud800d", multiline=True) == "abcd"


def test_nfc():
    decomposed = "Cafe\u0301 de\u0301ja\u0300"
    assert clean_text(decomposed, multiline=False) == "Café déjà"
    # a removed character between a letter and its accent does not keep them apart
    assert clean_text("e\u200b\u0301", multiline=False) == "é"


def test_plain_text_comes_back_unchanged():
    for text in ("", "Friday pantry", "Zoë’s café — 5 £", "line one\nline two"):
        assert clean_text(text, multiline=True) == text


def test_xml_safe_makes_any_text_fit_xml():
    hostile = "a\x00\x01\x08\x0b\x0c\x1f\ufffe\uffff\ud800b\u202e\tc\nd"
    safe = xml_safe(hostile)
    assert safe == "ab\u202e\tc\nd"
    escaped = safe.replace("&", "&amp;").replace("<", "&lt;")
    assert ElementTree.fromstring(f"<r>{escaped}</r>").text == safe
    assert xml_safe(None) == ""


def test_the_fast_path_skips_nothing_that_would_be_changed():
    """clean_text returns printable text untouched at once; so no printable character may be one it
    removes or changes (checked over every code point)."""
    from squaremile.core import text

    for code in range(sys.maxunicode + 1):
        c = chr(code)
        if c.isprintable():
            assert not (text._REMOVE.match(c) or text._LINE_BREAKS.match(c) or text._TAG.match(c)), hex(code)
