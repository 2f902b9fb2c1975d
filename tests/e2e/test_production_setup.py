"""Acceptance: the app run as production runs it, driven in Chromium over HTTPS through a proxy hop.

The deployment is the documented one (tests/e2e/production.py): GRIEVANCE_ENV=production,
migrations, reference data and accounts through the `flask` commands, gunicorn with
gunicorn.conf.py and two workers, Redis for the limits, TRUSTED_PROXIES=1 behind a TLS proxy
that sets X-Forwarded-For and X-Forwarded-Proto. The database is an SQLite file, or a throwaway
schema of TEST_DATABASE_URL in the PostgreSQL run. Every person comes from an address of their
own (127.0.0.2, .3, ...). CSRF, secure cookies and the HTTPS Referer check are all on.

- people file complaints, front-desk staff log in and file for a person, an officer logs in and
  acknowledges (item 1: forms work over HTTPS);
- two people have separate filing limits, a refused form does not count, and the 429 page keeps
  what was typed (item 2);
- an attacker's failed logins from many addresses do not keep the owner out, and the owner is
  told (item 3); the access and error logs name no client.
"""

from __future__ import annotations

import http.client
import re
import secrets
import shutil
import ssl
import time
import uuid
from urllib.parse import quote, urlencode

import pytest
from sqlalchemy import create_engine, text

from tests.e2e.live import chromium, file_in_steps, require_chromium
from tests.e2e.production import HOST, Network, Production, TLSProxy, make_certificate
from tests.envguard import need
from tests.security.test_shared_limits import _redis_url

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "a long production password"
OFFICER = "officer@nsaf.example.gov.kh"
DESK = "desk@siemreap.example.gov.kh"
OWNER = "owner@nssf.example.gov.kh"
TYPED = "ខ្ញុំមិនទាន់បានទទួលប្រាក់ឧបត្ថម្ភសម្រាប់កូនរបស់ខ្ញុំ អស់រយៈពេលបីខែហើយ។ នេះជាលើកទីប្រាំមួយ។"


def _database(tmp_path):
    """(URL for the deployment, clean-up): an SQLite file, or a PostgreSQL schema of its own."""
    import os

    url = os.environ.get("TEST_DATABASE_URL") or ""
    if not url.startswith("postgresql"):
        return f"sqlite:///{tmp_path / 'production.sqlite'}", lambda: None
    schema = f"grievance_prod_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))

    def drop() -> None:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()

    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options={quote(f'-csearch_path={schema}')}", drop


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    require_chromium()
    need(shutil.which("openssl") is not None, "openssl is not installed (make test-tools installs it)")
    redis_url = _redis_url()
    need(redis_url is not None, "no Redis: REDIS_URL is unset and nothing answers on 127.0.0.1:6379")
    tmp = tmp_path_factory.mktemp("production")
    database_url, drop = _database(tmp)
    prod = Production(tmp, redis_url, database_url)
    prod.flask("db", "upgrade")
    prod.flask("seed")
    prod.create_user(OFFICER, PASSWORD, "officer", "--fund", "NSAF", "--name", "Vanna")
    prod.create_user(OWNER, PASSWORD, "officer", "--fund", "NSSF", "--name", "Chenda")
    prod.create_user(DESK, PASSWORD, "frontdesk", "--office", "1", "--name", "Sophal")
    cert, key = make_certificate(tmp)
    prod.start()
    proxy = TLSProxy(prod.port, cert, key).start()
    networks: list[Network] = []
    with chromium() as browser:
        yield {
            "prod": prod,
            "proxy": proxy,
            "browser": browser,
            "networks": networks,
            "db": database_url,
            "shots": tmp,  # screenshots of what people saw, kept with the test's temporary files
        }
    for network in networks:
        network.stop()
    proxy.stop()
    prod.stop()
    drop()


def _base(deployment) -> str:
    return f"https://{HOST}:{deployment['proxy'].port}"


def _person(deployment, address: str, locale: str = "km-KH"):
    """A browser for one person, all of whose connections come from `address`."""
    network = Network(address, deployment["proxy"].port).start()
    deployment["networks"].append(network)
    return deployment["browser"].new_context(
        proxy={"server": network.server},
        ignore_https_errors=True,
        locale=locale,
        viewport={"width": 400, "height": 900},
    )


def _go(page, action) -> None:
    with page.expect_navigation():
        action()


def _file(page, base: str, description: str):
    """File through the stepped form over HTTPS; the status of the final "Send"."""
    file_in_steps(page, base, category="NSAF-CT-MISSING", description=description, send=False)
    response_holder = {}
    page.once(
        "response", lambda r: response_holder.setdefault("status", r.status) if r.request.method == "POST" else None
    )
    _go(page, lambda: page.click('main form button[name="go"][value="send"]'))
    return response_holder.get("status")


def _log_in(page, base: str, email: str, password: str = PASSWORD) -> None:
    page.goto(base + "/auth/login")
    page.fill("#email", email)
    page.fill("#password", password)
    _go(page, lambda: page.click("#submit"))


def _query(deployment, sql: str, **params):
    engine = create_engine(deployment["db"])
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql), params).all()
    finally:
        engine.dispose()


def test_people_file_and_staff_log_in_and_act_over_https(deployment):
    base = _base(deployment)
    citizen = _person(deployment, "127.0.0.2").new_page()
    assert _file(citizen, base, "ភ្នាក់ងារបើកប្រាក់កាត់លុយខ្ញុំ ២០០០០ រៀល។") == 200
    receipt = citizen.locator(".receipt").inner_text()
    reference = re.search(r"GRV-\d{4}-\d{6}", receipt).group(0)
    assert citizen.url.startswith("https://")

    # The session cookie is Secure over HTTPS, and Referrer-Policy keeps same-origin Referers.
    officer_context = _person(deployment, "127.0.0.4")
    officer = officer_context.new_page()
    _log_in(officer, base, OFFICER)
    assert officer.url.endswith("/cases/"), f"login did not land on the queue: {officer.url}"
    cookie = next(c for c in officer_context.cookies() if c["name"] == "grv_session")
    assert cookie["secure"] and cookie["httpOnly"]
    row = officer.locator("table.queue tbody tr", has_text=reference)
    _go(officer, lambda: row.locator("a", has_text=reference).click())
    form = officer.locator('form[action$="/acknowledge"]')
    form.locator("textarea[name=message]").fill("យើងបានទទួលពាក្យបណ្តឹងរបស់អ្នក។")
    _go(officer, lambda: form.locator("button[type=submit]").click())
    assert officer.locator("p.flash.success").count() == 1
    assert _query(deployment, "SELECT status FROM cases WHERE reference = :r", r=reference) == [("acknowledged",)]

    # Front-desk staff log in and file for a person at the counter.
    desk = _person(deployment, "127.0.0.5").new_page()
    _log_in(desk, base, DESK)
    desk.goto(base + "/frontdesk/file")
    desk.select_option("#category", "NSSF-INFORMAL")
    desk.fill("#description", "គាត់បាត់សមាជិកភាព ប្រ.ស.ស បន្ទាប់ពីបង់ប្រាក់យឺត។")
    desk.check("#consent")
    _go(desk, lambda: desk.click("#submit"))
    found = re.search(r"GRV-\d{4}-\d{6}", desk.content())
    assert found, "no receipt: " + " | ".join(desk.locator("p.error, p.flash").all_inner_texts())
    filed = found.group(0)
    assert _query(deployment, "SELECT channel FROM cases WHERE reference = :r", r=filed) == [("in_person",)]


def test_two_people_have_separate_limits_and_the_429_page_keeps_what_was_typed(deployment):
    base = _base(deployment)
    first = _person(deployment, "127.0.0.12").new_page()
    # Two answers refused for a mistake (no description) do not count towards the filing limit.
    first.goto(base + "/")
    first.check('input[name="category"][value="NSAF-CT-MISSING"]')
    _go(first, lambda: first.click('main form button[name="go"][value="next"]'))
    for _ in range(2):
        _go(first, lambda: first.click('main form button[name="go"][value="next"]'))
        assert first.locator(".has-error").count() >= 1
    statuses = [_file(first, base, f"ខ្ញុំមិនទាន់បានប្រាក់ លើកទី {n}។") for n in range(5)]
    assert statuses == [200] * 5, statuses
    assert _file(first, base, TYPED) == 429
    first.screenshot(path=str(deployment["shots"] / "intake-429-km.png"), full_page=True)
    assert TYPED in first.locator("main").inner_text(), "the 429 page lost what was typed"
    assert first.locator('main form button[name="go"][value="send"]').count() == 1  # Send again, later
    refusal = first.locator("#refusal").inner_text()
    assert "សូមព្យាយាមម្តងទៀត" in refusal and "រក្សាទុក" in refusal  # when to try again; the text is kept

    second = _person(deployment, "127.0.0.13", locale="en-GB").new_page()
    second.goto(base + "/lang/en")
    assert _file(second, base, "The payment did not arrive.") == 200, "one person's limit stopped another's"
    english = _person(deployment, "127.0.0.12", locale="en-GB").new_page()  # the first person, in English
    english.goto(base + "/lang/en")
    assert _file(english, base, "Once more, in English.") == 429
    assert "Please try again" in english.locator("#refusal").inner_text()


class _Attacker:
    """Scripted login attempts from one address, through the TLS proxy, with CSRF like a browser."""

    def __init__(self, deployment, address: str) -> None:
        self.port = deployment["proxy"].port
        self.address = address
        self.context = ssl._create_unverified_context()  # noqa: S323 - the test's throwaway certificate
        self.cookie = ""
        page = self._request("GET", "/auth/login")[1]
        self.csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)

    def _request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        conn = http.client.HTTPSConnection(
            "127.0.0.1", self.port, context=self.context, timeout=30, source_address=(self.address, 0)
        )
        try:
            sent = {
                "Host": f"{HOST}:{self.port}",
                **({"Cookie": self.cookie} if self.cookie else {}),
                **(headers or {}),
            }
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            for value in response.headers.get_all("Set-Cookie") or []:
                if value.startswith("grv_session="):
                    self.cookie = value.split(";", 1)[0]
            return response.status, response.read().decode("utf-8", "replace")
        finally:
            conn.close()

    def guess(self, email: str, forged_for: str | None = None) -> int:
        body = urlencode({"csrf_token": self.csrf, "email": email, "password": secrets.token_hex(8)}).encode()
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"https://{HOST}:{self.port}/auth/login",
            **({"X-Forwarded-For": forged_for} if forged_for else {}),
        }
        return self._request("POST", "/auth/login", body, headers)[0]


def test_an_attackers_failed_logins_do_not_keep_the_owner_out(deployment):
    base = _base(deployment)
    owner_context = _person(deployment, "127.0.0.20", locale="en-GB")
    owner = owner_context.new_page()
    owner.goto(base + "/lang/en")
    _log_in(owner, base, OWNER)  # the owner's usual browser
    assert owner.url.endswith("/cases/")
    with owner.expect_navigation():
        owner.locator(
            'form[action$="/auth/logout"] button, form[action$="/auth/logout"] input[type=submit]'
        ).first.click()

    attacker = _Attacker(deployment, "127.0.0.21")
    statuses = [attacker.guess(OWNER) for _ in range(12)]
    assert statuses[:5] == [200] * 5 and 429 in statuses, statuses
    # Guessing at other accounts, the attacker's address is blocked after 10 wrong passwords...
    others = [attacker.guess(f"someone{i}@else.example") for i in range(6)]
    assert others[-1] == 429 and others.count(200) <= 5, others
    # ...and sending an address of its own choosing changes nothing: the proxy's value is the one read.
    assert attacker.guess("someone@else.example", forged_for="198.51.100.99") == 429
    # Spread over many addresses, every further guess at the account must wait.
    spread = [_Attacker(deployment, f"127.0.0.{30 + i}").guess(OWNER) for i in range(6)]
    assert spread.count(429) >= 5, spread

    # On a browser the owner never used, the account's delay applies: a wait, said plainly, not a lockout.
    stranger = _person(deployment, "127.0.0.23", locale="en-GB").new_page()
    stranger.goto(base + "/lang/en")
    stranger.goto(base + "/auth/login")
    stranger.fill("#email", OWNER)
    stranger.fill("#password", PASSWORD)
    # One more wrong guess just now, one the server checked (200, the wrong-password page) rather than
    # made wait (429): the account's delay then starts from this instant, so the next try must wait.
    # (A guess that was itself made wait leaves the delay counting from an earlier failure, which
    # may have run out while the stranger's pages loaded on a busy machine.)
    for n in range(60):
        if _Attacker(deployment, f"127.0.0.{40 + n}").guess(OWNER) == 200:
            break
        time.sleep(1)
    else:
        pytest.fail("no wrong password was checked in a minute: the account's delay never ended")
    _go(stranger, lambda: stranger.click("#submit"))
    assert "each new try has to wait" in stranger.locator("#refusal").inner_text()
    assert stranger.input_value("#email") == OWNER
    stranger.screenshot(path=str(deployment["shots"] / "login-delay-en.png"), full_page=True)
    # A colleague on a new browser is not blocked by the attack on someone else's account...
    colleague = _person(deployment, "127.0.0.22").new_page()
    _log_in(colleague, base, OFFICER)
    assert colleague.url.endswith("/cases/")
    # ...and the owner, from their usual browser, logs straight in and is told what happened.
    _log_in(owner, base, OWNER)
    assert owner.url.endswith("/cases/"), f"the owner was kept out: {owner.url}"
    assert "wrong passwords were tried for your account" in owner.content()
    owner.screenshot(path=str(deployment["shots"] / "owner-welcome-en.png"), full_page=True)
    mail = _query(deployment, "SELECT recipient, body FROM outbox WHERE recipient = :r", r=OWNER)
    assert len(mail) == 1 and "មិនត្រូវបានចាក់សោទេ" in mail[0][1]  # "not locked", in the owner's language (km)

    # Nothing of who came from where reached the logs.
    log = deployment["prod"].log.read_text()
    for address in ("127.0.0.2", "127.0.0.12", "127.0.0.13", "127.0.0.21", "127.0.0.20", "198.51.100.99"):
        assert re.search(re.escape(address) + r"(?!\d)", log) is None, f"{address} in gunicorn's log"
    assert "POST /auth/login 429" in log
