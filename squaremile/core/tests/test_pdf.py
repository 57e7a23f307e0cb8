"""PDF from print views (core/pdf.py): our static files and media only, never the network."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from squaremile.core import pdf


def test_a_page_becomes_a_pdf_with_our_stylesheet():
    out = pdf.html_to_pdf(
        '<link rel="stylesheet" href="/static/css/squaremile.css"><h1>Stories of our square mile</h1>'
    )
    assert out.startswith(b"%PDF-") and len(out) > 500


def test_the_fetcher_reads_our_files_and_refuses_every_other_address(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    name = default_storage.save("pdf-test/dot.txt", ContentFile(b"x"))
    assert pdf.url_fetcher(pdf.BASE_URL + "media/" + name)["string"] == b"x"
    assert pdf.url_fetcher(pdf.BASE_URL + "static/css/squaremile.css")["string"]
    for url in [
        "https://example.org/tracker.png",
        "file:///etc/passwd",
        pdf.BASE_URL + "static/../../etc/passwd",
        pdf.BASE_URL + "elsewhere/x.png",
        pdf.BASE_URL + "media/no-such-file.png",
    ]:
        with pytest.raises(pdf.RefusedResource):
            pdf.url_fetcher(url)


def test_a_pdf_with_a_remote_image_is_still_made_without_it():
    out = pdf.html_to_pdf('<p>Hello</p><img src="https://example.org/x.png" alt="">')
    assert out.startswith(b"%PDF-")


def test_the_response_names_a_safe_file():
    response = pdf.pdf_response(b"%PDF-1.7", filename='a"b\r\n.pdf')
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="ab.pdf"'
