"""PDF rendering loads nothing but the app's static files and fonts; user text stays text."""

from __future__ import annotations

import http.server
import threading
import time
from pathlib import Path

import pytest
from weasyprint import HTML

from grievance.domain.redaction import MASK
from grievance.reports.fetcher import STATIC_ROOT, RefusedURL, SafeFetcher
from tests.reports.scenario import pdf_text_pages


class _Canary(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802 - http.server's naming
        type(self).hits.append(self.path)
        body = b"root:x:0:0:canary"
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture()
def canary():
    _Canary.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Canary)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], _Canary.hits
    server.shutdown()
    server.server_close()


def _hostile(port: int) -> str:
    return (
        '<img src="file:///etc/passwd"> '
        '<link rel=attachment href="file:///etc/passwd"> '
        f"http://127.0.0.1:{port}/canary "
        f"<style>@import url(http://127.0.0.1:{port}/);</style> "
        f'<img src="http://127.0.0.1:{port}/img.png">'
    )


def test_canary_server_answers_a_plain_client(canary):
    import urllib.request

    port, hits = canary
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/probe") as response:  # noqa: S310 - loopback canary
        assert response.status == 200
    assert hits == ["/probe"]


def test_complaint_text_stays_literal_in_case_file_and_receipt(client, login_as, make, canary):
    port, hits = canary
    case, code = make.case("NSAF-CT-MISSING", description=_hostile(port))
    login_as("officer", fund="NSAF")
    case_file = client.get(f"/reports/case/{case.id}.pdf?lang=en")
    receipt = client.post("/reports/receipt.pdf", data={"reference": case.reference, "code": code})
    # The receipt is a public output: the address's six digits are masked like a phone number.
    for response, host in ((case_file, "127.0.0.1"), (receipt, MASK)):
        assert response.status_code == 200
        text_all = "".join(pdf_text_pages(response.data)).replace("\n", "")
        assert '<img src="file:///etc/passwd">' in text_all
        assert "<link rel=attachment" in text_all
        assert f"@import url(http://{host}:{port}/)" in text_all
        assert "root:x:0" not in text_all
        assert b"/EmbeddedFile" not in response.data  # no attachment was pulled in
    time.sleep(0.2)
    assert hits == []


def test_fetcher_refuses_network_and_foreign_files_even_if_html_asks(canary):
    port, hits = canary
    fetcher = SafeFetcher()
    html = (
        f'<link rel="stylesheet" href="http://127.0.0.1:{port}/style.css">'
        f'<link rel="attachment" href="file:///etc/passwd">'
        f'<img src="http://127.0.0.1:{port}/a.png"><img src="file:///etc/passwd">'
        f"<style>@import url(http://127.0.0.1:{port}/imp.css);"
        f" body {{ background: url(https://127.0.0.1:{port}/) }}</style>"
        "<p>hello</p>"
    )
    pdf = HTML(string=html, base_url=STATIC_ROOT.as_uri() + "/", url_fetcher=fetcher).write_pdf()
    assert pdf.startswith(b"%PDF") and b"root:x:0" not in pdf
    assert hits == []
    assert any("etc/passwd" in url for url in fetcher.refused)
    assert any(url.startswith("http://127.0.0.1") for url in fetcher.refused)


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file://localhost/etc/shadow",
        (STATIC_ROOT / "css" / ".." / ".." / ".." / "config.py").as_uri(),
        "file:///usr/share/fonts/../../../etc/passwd",
        "http://127.0.0.1:9/x.css",
        "https://example.org/font.ttf",
        "ftp://example.org/x",
        "data:text/html,<script>alert(1)</script>",
        "data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=",
    ],
)
def test_fetcher_refuses(url):
    with pytest.raises(RefusedURL):
        SafeFetcher().fetch(url)


def test_fetcher_serves_static_css_fonts_and_small_images():
    fetcher = SafeFetcher()
    css = fetcher.fetch((STATIC_ROOT / "css" / "print.css").as_uri())
    assert b"@page" in css.read()
    font = Path("/usr/share/fonts/truetype/khmeros/KhmerOS.ttf")
    if font.exists():
        assert len(fetcher.fetch(font.as_uri()).read()) > 10_000
    pixel = (
        "data:image/png;base64,"
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
    )
    assert fetcher.fetch(pixel).read().startswith(b"\x89PNG")


def test_two_hundred_thousand_khmer_characters_render_quickly_and_are_shortened(client, login_as, make):
    khmer = "សួស្តីកម្ពុជា" * (200_000 // len("សួស្តីកម្ពុជា"))
    case, code = make.case("NSAF-CT-MISSING", description=khmer)
    login_as("officer", fund="NSAF")
    started = time.monotonic()
    response = client.get(f"/reports/case/{case.id}.pdf?lang=en")
    elapsed = time.monotonic() - started
    assert response.status_code == 200
    assert elapsed < 60, f"took {elapsed:.1f}s"
    text_all = " ".join(pdf_text_pages(response.data))
    assert f"Text shortened: {len(khmer) - 6000} more characters" in text_all
