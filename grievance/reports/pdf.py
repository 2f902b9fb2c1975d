"""HTML → PDF with WeasyPrint, through the safe fetcher only.

Templates are Jinja with autoescaping (the app's environment, `.html` files), so anything a
person typed arrives in the HTML as text, never as markup.
"""

from __future__ import annotations

from flask import current_app, has_request_context, render_template
from weasyprint import HTML, Attachment

from grievance.reports.fetcher import STATIC_ROOT, SafeFetcher

# Longest stretch of one person's text printed on a PDF; the rest is named in a note.
MAX_PRINTED_CHARS = 6000
FIGURES_ATTACHMENT = "scorecard-figures.json"


def shorten(text: str | None, limit: int = MAX_PRINTED_CHARS) -> tuple[str, int]:
    """(printed part, number of characters left out)."""
    text = text or ""
    if len(text) <= limit:
        return text, 0
    return text[:limit], len(text) - limit


def render_pdf(template: str, *, attachments: dict[str, bytes] | None = None, **context) -> bytes:
    """Render a print template to PDF bytes; only static files and fonts may be loaded."""
    if has_request_context():
        html = render_template(template, **context)
    else:
        # From the command line: the app's context processors expect a request to read.
        with current_app.test_request_context():
            html = render_template(template, **context)
    fetcher = SafeFetcher()
    files = [
        Attachment(string=data, name=name, url_fetcher=fetcher, relationship="Data")
        for name, data in (attachments or {}).items()
    ]
    document = HTML(string=html, base_url=STATIC_ROOT.as_uri() + "/", url_fetcher=fetcher)
    return document.write_pdf(attachments=files or None, custom_metadata=True)
