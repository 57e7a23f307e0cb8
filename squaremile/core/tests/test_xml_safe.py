"""`xml_safe`: the one gate every XML writer puts text through (issue 14, item 5)."""

import defusedxml.ElementTree as ET
from hypothesis import given
from hypothesis import strategies as st

from squaremile.core.text import xml_safe


def test_drops_exactly_what_xml_forbids():
    forbidden = "".join(map(chr, [*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xD800, 0xDFFF, 0xFFFE, 0xFFFF]))
    kept = "a\t\n\r é \u202e\u200f\x7f\x85\ud7ff\ue000\ufffd\U0001f600\U0010ffff"
    assert xml_safe(forbidden + kept + forbidden) == kept
    assert xml_safe(None) == "" and xml_safe("") == "" and xml_safe(12) == "12"


@given(st.text())
def test_anything_goes_into_an_element_and_an_attribute(text):
    from xml.sax.saxutils import escape, quoteattr

    clean = xml_safe(text)
    doc = f"<a b={quoteattr(clean)}>{escape(clean)}</a>".encode()
    root = ET.fromstring(doc)
    # the parser turns CR and CRLF into LF; everything else comes back as it was
    assert (root.text or "") == clean.replace("\r\n", "\n").replace("\r", "\n")
