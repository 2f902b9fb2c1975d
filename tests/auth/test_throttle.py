"""Login throttling: an attacker is slowed per address and per account, the owner is never locked out.

An app of its own with the limits on (memory storage), a clock the test moves forward, and
each request from the address it names (REMOTE_ADDR), as the app sees clients behind ProxyFix.
"""

from __future__ import annotations

import base64
import time

import pytest
from sqlalchemy import select

from grievance.auth import service, throttle
from grievance.extensions import db as _db
from grievance.i18n import LANG_COOKIE
from grievance.models import OutboxMessage
from tests.limited import limited_app

PASSWORD = "the owner's own password"
WRONG = "an attacker's wrong guess"


@pytest.fixture()
def clock(monkeypatch):
    """time.time() under the test's control: starts now, moves only when told."""
    now = [time.time()]
    monkeypatch.setattr(time, "time", lambda: now[0])

    def advance(seconds: float) -> None:
        now[0] += seconds

    return advance


def _accounts(_app):
    service.create_user("owner@nsaf.example", PASSWORD, "officer", fund_code="NSAF", locale="en")
    service.create_user("other@nsaf.example", PASSWORD, "officer", fund_code="NSAF", locale="km")


@pytest.fixture()
def limited(tmp_path):
    with limited_app(tmp_path, setup=_accounts) as app:
        yield app


def _post(client, email, password, address):
    client.set_cookie(LANG_COOKIE, "en")  # the messages below are read in English
    return client.post(
        "/auth/login", data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": address}
    )


def _attack(app, email, tries, first_address=1):
    """`tries` wrong passwords for `email`, each from its own address and browser."""
    return [_post(app.test_client(), email, WRONG, f"203.0.113.{first_address + i}").status_code for i in range(tries)]


def _outbox(app):
    with app.app_context():
        return _db.session.execute(select(OutboxMessage)).scalars().all()


def test_wrong_passwords_for_an_account_meet_a_growing_delay_never_a_lockout(limited, clock):
    assert _attack(limited, "owner@nsaf.example", 5) == [200] * 5
    refused = _post(limited.test_client(), "owner@nsaf.example", WRONG, "198.51.100.1")
    assert refused.status_code == 429
    wait = int(refused.headers["Retry-After"])
    assert wait in (2, 3)  # 2 s after the fifth failure (rounded up)
    page = refused.get_data(as_text=True)
    assert "each new try has to wait" in page and "owner@nsaf.example" in page  # the e-mail is kept
    clock(wait)
    assert _attack(limited, "owner@nsaf.example", 1, first_address=50) == [200]  # the 6th guess, after 2 s
    # Each failure doubles the wait: 4 s now, and a try inside it is refused without a check.
    retry = _post(limited.test_client(), "owner@nsaf.example", WRONG, "198.51.100.2")
    assert retry.status_code == 429 and int(retry.headers["Retry-After"]) in (4, 5)
    for i in range(7):  # 13 failures: 2 s x 2^8 is past the cap (all within the hour they are counted over)
        clock(throttle.MAX_DELAY + 1)
        assert _attack(limited, "owner@nsaf.example", 1, first_address=60 + i) == [200]
    longest = _post(limited.test_client(), "owner@nsaf.example", WRONG, "198.51.100.3")
    assert longest.status_code == 429 and int(longest.headers["Retry-After"]) in (
        throttle.MAX_DELAY,
        throttle.MAX_DELAY + 1,
    )
    # The owner, on a new browser, waits at most MAX_DELAY and is then let in.
    clock(throttle.MAX_DELAY + 1)
    owner = _post(limited.test_client(), "owner@nsaf.example", PASSWORD, "192.0.2.10")
    assert owner.status_code == 302


def test_the_owners_own_browser_logs_in_however_hard_the_account_is_attacked(limited, clock):
    owners_browser = limited.test_client()
    assert _post(owners_browser, "owner@nsaf.example", PASSWORD, "192.0.2.10").status_code == 302
    owners_browser.post("/auth/logout", environ_base={"REMOTE_ADDR": "192.0.2.10"})
    _attack(limited, "owner@nsaf.example", 20)
    assert _post(limited.test_client(), "owner@nsaf.example", PASSWORD, "192.0.2.11").status_code == 429
    # Even from the attacker's own address, blocked for everyone else, the owner's browser gets in.
    for i in range(10):
        _post(limited.test_client(), f"nobody{i}@example.org", WRONG, "203.0.113.1")
    assert _post(limited.test_client(), "other@nsaf.example", PASSWORD, "203.0.113.1").status_code == 429
    welcome = _post(owners_browser, "owner@nsaf.example", PASSWORD, "203.0.113.1")
    assert welcome.status_code == 302
    owners_browser.set_cookie(LANG_COOKIE, "en")
    page = owners_browser.get("/cases/", environ_base={"REMOTE_ADDR": "203.0.113.1"}).get_data(as_text=True)
    assert "wrong passwords were tried for your account" in page


def test_a_trusted_browser_stops_being_trusted_after_ten_wrong_passwords(limited, clock):
    browser = limited.test_client()
    assert _post(browser, "owner@nsaf.example", PASSWORD, "192.0.2.10").status_code == 302
    _attack(limited, "owner@nsaf.example", 8)
    statuses = [_post(browser, "owner@nsaf.example", WRONG, f"192.0.2.{20 + i}").status_code for i in range(10)]
    assert statuses == [200] * 10  # its own allowance, no delay
    assert _post(browser, "owner@nsaf.example", WRONG, "192.0.2.40").status_code == 429


def test_a_cookie_for_another_account_or_a_forged_one_buys_nothing(limited, clock):
    browser = limited.test_client()
    assert _post(browser, "other@nsaf.example", PASSWORD, "192.0.2.10").status_code == 302
    _attack(limited, "owner@nsaf.example", 5)
    assert _post(browser, "owner@nsaf.example", WRONG, "192.0.2.10").status_code == 429
    forged = limited.test_client()
    forged.set_cookie(throttle.DEVICE_COOKIE, "W1siYWJjIiwiZGVmIl1d.forged.signature", path="/auth/")
    assert _post(forged, "owner@nsaf.example", WRONG, "192.0.2.12").status_code == 429


def test_one_address_is_blocked_after_ten_wrong_passwords_and_others_are_not(limited, clock):
    attacker = [
        _post(limited.test_client(), f"guess{i}@example.org", WRONG, "203.0.113.9").status_code for i in range(11)
    ]
    assert attacker == [200] * 10 + [429]
    assert "from this connection" in _post(limited.test_client(), "x@example.org", WRONG, "203.0.113.9").get_data(
        as_text=True
    )
    assert _post(limited.test_client(), "owner@nsaf.example", PASSWORD, "203.0.113.10").status_code == 302
    clock(61)
    assert _post(limited.test_client(), "y@example.org", WRONG, "203.0.113.9").status_code == 200


def test_an_office_behind_one_address_is_never_blocked_by_its_own_logins(limited, clock):
    statuses = [
        _post(limited.test_client(), "owner@nsaf.example", PASSWORD, "192.0.2.99").status_code for _ in range(40)
    ]
    assert statuses == [302] * 40


def test_the_owner_is_told_once_by_email_in_their_language(limited, clock):
    _attack(limited, "owner@nsaf.example", 4)
    assert _outbox(limited) == []
    _attack(limited, "owner@nsaf.example", 1, first_address=10)
    clock(throttle.MAX_DELAY + 1)
    _attack(limited, "owner@nsaf.example", 1, first_address=20)
    mail = _outbox(limited)
    assert len(mail) == 1
    assert mail[0].recipient == "owner@nsaf.example" and mail[0].channel == "email"
    assert "5 wrong passwords" in mail[0].body and "not locked" in mail[0].body
    _attack(limited, "other@nsaf.example", 5, first_address=100)
    khmer = [m for m in _outbox(limited) if m.recipient == "other@nsaf.example"]
    assert len(khmer) == 1 and "ពាក្យសម្ងាត់ខុស" in khmer[0].body
    # Unknown addresses tell nobody.
    _attack(limited, "ghost@example.org", 6, first_address=150)
    assert {m.recipient for m in _outbox(limited)} == {"owner@nsaf.example", "other@nsaf.example"}


def test_the_trusted_browser_cookie_is_private_to_the_login_pages(limited, clock):
    response = _post(limited.test_client(), "owner@nsaf.example", PASSWORD, "192.0.2.10")
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith(throttle.DEVICE_COOKIE + "="))
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/auth/" in cookie
    payload = cookie.split(";")[0].split("=", 1)[1].split(".")[0]
    decoded = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()
    assert "owner" not in decoded and "@" not in decoded  # the account is named by a keyed hash only
