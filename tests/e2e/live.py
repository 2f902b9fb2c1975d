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


def phone_context(browser, *, javascript: bool = True, **options):
    """A cheap phone: 360 px wide, no saved cookies; `javascript=False` as with scripts turned off."""
    options.setdefault("locale", "km-KH")
    context = browser.new_context(
        viewport={"width": 360, "height": 780}, device_scale_factor=1, java_script_enabled=javascript, **options
    )
    context.set_default_timeout(15_000)
    return context


def next_step(page, value: str = "next") -> None:
    """Press one of the stepped form's buttons (next, district, commune, send) and wait for the answer."""
    submit(page, f'main form button[name="go"][value="{value}"]')


def file_in_steps(
    page,
    base: str,
    *,
    category: str,
    description: str,
    files=(),
    province: str | None = None,
    district: str | None = None,
    commune: str | None = None,
    identity: str = "anonymous",
    name: str | None = None,
    phone: str | None = None,
    sms: bool = False,
    about=(),
    gender: str | None = None,
    on_step=None,
    send: bool = True,
) -> None:
    """Walk the stepped form as a person does, one screen at a time, ending on the receipt.

    `on_step(name)` is called on every screen once it is shown (for checks and screenshots).
    With `send=False` it stops on the summary, for the caller to press "Send" itself.
    """

    def shown(step: str) -> None:
        if on_step is not None:
            on_step(step)

    page.goto(base + "/")
    shown("what")
    page.check(f'input[name="category"][value="{category}"]')
    next_step(page)
    shown("story")
    page.fill("#description", description)
    if files:
        page.set_input_files("#attachments", files=list(files))
    next_step(page)
    shown("place")
    if province:
        page.select_option("#province", province)
        next_step(page, "district")
        if district:
            page.select_option("#district", district)
            next_step(page, "commune")
            if commune:
                page.select_option("#commune", commune)
    next_step(page)
    shown("when")
    next_step(page)
    shown("card")
    next_step(page)
    shown("identity")
    page.check(f'input[name="identity_mode"][value="{identity}"]')
    next_step(page)
    if identity != "anonymous":
        shown("contact")
        if name:
            page.fill("#name", name)
        if phone:
            page.fill("#phone", phone)
        if sms:
            page.check("#sms_opt_in")
        next_step(page)
    shown("about")
    for box in about:
        page.check(f"#{box}")
    if gender:
        page.select_option("#gender", gender)
    next_step(page)
    shown("check")
    if not send:
        return
    next_step(page, "send")
    page.wait_for_selector(".receipt")
