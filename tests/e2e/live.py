"""Shared pieces for browser tests: Debian's Chromium through Playwright, the app on loopback."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.envguard import need

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require_chromium() -> None:
    need(
        Path(CHROMIUM).exists(), f"Chromium is not installed at {CHROMIUM}; the browser test needs it (CI installs it)"
    )


def file_app(tmp_path: Path, **settings):
    """An app on a fresh file SQLite database with reference data, CSRF switched on."""
    from config import TestConfig
    from grievance import create_app
    from grievance.extensions import db
    from grievance.seed import seed_reference

    attrs = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'browser.sqlite'}", "WTF_CSRF_ENABLED": True}
    attrs.update(settings)
    app = create_app(type("BrowserConfig", (TestConfig,), attrs))
    with app.app_context():
        db.create_all()
        seed_reference()
        db.session.commit()
        db.session.remove()
    return app


@contextmanager
def serve(app) -> Iterator[str]:
    """Serve `app` on a free port of 127.0.0.1 in a thread; yields the base URL."""
    from werkzeug.serving import make_server

    from grievance.extensions import db

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@contextmanager
def chromium():
    from playwright.sync_api import sync_playwright

    require_chromium()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def submit(page, selector: str) -> None:
    """Click a submit button and wait for the page it leads to (never read the old page)."""
    with page.expect_navigation():
        page.click(selector)


def login(context, base: str, email: str, password: str):
    page = context.new_page()
    page.goto(base + "/auth/login")
    page.fill("#email", email)
    page.fill("#password", password)
    submit(page, "form input[type=submit], form button[type=submit]")
    return page
