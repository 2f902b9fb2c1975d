"""Login throttling that slows an attacker down without locking the account's owner out.

Three counts, kept in the rate-limit storage (Redis in production, shared by every worker):

- **per client address** — failed logins, a hard block: 10 a minute and 30 an hour, then 429
  until the window ends. A successful login is refunded, so an office behind one address is
  not blocked by its own staff logging in at 8 o'clock.
- **per account**, for browsers its owner has not logged in from — after FREE_FAILURES wrong
  passwords within WINDOW, each further password check must wait a delay that doubles with
  every failure (2 s, 4 s, … up to MAX_DELAY). An attacker spread over many addresses gets a
  few guesses an hour; nobody is ever refused for longer than MAX_DELAY.
- **per trusted browser** — each successful login leaves a signed cookie (`grv_device`, 90
  days) naming the account. From such a browser neither the address block nor the account's
  delay applies, only its own allowance of DEVICE_FAILURES failures a day; so the owner logs in
  from their usual browser however hard the account is being attacked from elsewhere.

The owner is told: an e-mail when the delay starts (once per WINDOW, through the outbox) and,
at their next login, how many wrong passwords were tried. Addresses and e-mail addresses are
kept only as keyed hashes (security.keyed_hash). Concurrency: the address block is exact (a
reservation taken before the password is checked, refunded on success); the account's delay
can let one extra attempt through per worker when failures race at the same instant.
"""

from __future__ import annotations

import functools
import secrets
import time
from dataclasses import dataclass, field

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from limits import RateLimitItemPerDay, RateLimitItemPerHour, RateLimitItemPerMinute, RateLimitItemPerSecond
from limits.errors import StorageError
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter

from grievance import seclog
from grievance.security import client_key, keyed_hash

FREE_FAILURES = 5
WINDOW = 3600  # seconds over which an account's failures are counted
FIRST_DELAY = 2
MAX_DELAY = 300
CLIENT_LIMITS = (RateLimitItemPerMinute(10), RateLimitItemPerHour(30))
DEVICE_FAILURES = RateLimitItemPerDay(10)
ACCOUNT_FAILURES = RateLimitItemPerSecond(100_000, WINDOW)  # a count, never a limit in itself

DEVICE_COOKIE = "grv_device"
DEVICE_DAYS = 90
DEVICES_KEPT = 5  # accounts remembered by one browser (a shared front-desk computer)


@dataclass
class Attempt:
    """One login attempt: whom it is for, whether it may go ahead, and what it reserved."""

    account: str
    trusted: str | None = None  # the browser's nonce for this account, when it is the owner's
    wait: int = 0  # seconds, when refused
    reason: str = ""  # "client" or "account", when refused
    reserved: list = field(default_factory=list)

    @property
    def refused(self) -> bool:
        return self.wait > 0


def enabled() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED", True))


def account_key(email: str) -> str:
    return keyed_hash("login-account", (email or "").strip().lower()[:254])


class _Outage:
    """While the shared storage cannot be reached, this worker counts in its own memory.

    As Flask-Limiter does for the routes' limits (RATELIMIT_IN_MEMORY_FALLBACK_ENABLED): a Redis
    outage must not turn every login into a 500. The shared storage is tried again after RETRY
    seconds; what was counted in memory meanwhile stays in this worker.
    """

    RETRY = 30
    memory = MemoryStorage()
    until = 0.0


def _storage():
    from grievance.extensions import limiter

    return _Outage.memory if time.monotonic() < _Outage.until else limiter.storage


def _survives_outage(function):
    """Run `function`; if the shared storage is unreachable, note the outage and run it on memory."""

    @functools.wraps(function)
    def run(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except Exception as exc:
            shared = _storage()
            found = getattr(shared, "base_exceptions", ())
            if shared is _Outage.memory or not isinstance(exc, (StorageError, *_as_tuple(found))):
                raise
            _Outage.until = time.monotonic() + _Outage.RETRY
            seclog.event("throttle_storage_unreachable", error=type(exc).__name__, retry=_Outage.RETRY)
            return function(*args, **kwargs)

    return run


def _as_tuple(found) -> tuple:
    return found if isinstance(found, tuple) else (found,)


def _ids(*parts: str) -> tuple[str, ...]:
    return (current_app.config.get("RATELIMIT_KEY_PREFIX") or "grv", "login", *parts)


def _fixed() -> FixedWindowRateLimiter:
    return FixedWindowRateLimiter(_storage())


def _moving() -> MovingWindowRateLimiter:
    return MovingWindowRateLimiter(_storage())


def delay_after(failures: int) -> int:
    """Seconds an untrusted browser must wait before the next try, after `failures` wrong passwords."""
    if failures < FREE_FAILURES:
        return 0
    return min(MAX_DELAY, FIRST_DELAY * 2 ** (failures - FREE_FAILURES))


def failures(account: str) -> int:
    """Wrong passwords tried for the account within WINDOW."""
    stats = _fixed().get_window_stats(ACCOUNT_FAILURES, *_ids("account", account))
    return ACCOUNT_FAILURES.amount - stats.remaining


def _gate(seconds: int) -> RateLimitItemPerSecond:
    return RateLimitItemPerSecond(1, seconds)


@_survives_outage
def begin(email: str) -> Attempt:
    """Decide whether this password may be checked now; reserve what the attempt uses."""
    attempt = Attempt(account=account_key(email))
    if not enabled():
        return attempt
    attempt.trusted = _trusted_nonce(attempt.account)
    if attempt.trusted is not None:
        if _fixed().test(DEVICE_FAILURES, *_ids("device", attempt.trusted)):
            return attempt
        attempt.trusted = None  # too many failures from this browser: an ordinary one again
    fixed, client = _fixed(), client_key()
    for item in CLIENT_LIMITS:
        ids = _ids("client", client)
        if not fixed.hit(item, *ids):
            return _refuse(attempt, "client", fixed.get_window_stats(item, *ids).reset_time)
        attempt.reserved.append((item, ids))
    wait = delay_after(failures(attempt.account))
    if wait:
        moving, ids = _moving(), _ids("gate", attempt.account)
        if not moving.hit(_gate(wait), *ids):
            _refund(attempt)  # a refusal is not a failure: it must not make the owner wait longer
            return _refuse(attempt, "account", moving.get_window_stats(_gate(wait), *ids).reset_time)
    return attempt


def _refuse(attempt: Attempt, reason: str, reset_time: float) -> Attempt:
    attempt.reason = reason
    attempt.wait = max(1, int(reset_time - time.time()) + 1)  # the window admits again strictly after its end
    seclog.event("login_throttled", reason=reason, wait=attempt.wait)
    return attempt


def _refund(attempt: Attempt) -> None:
    storage = _storage()
    for item, ids in attempt.reserved:
        # incr by -1 is what every storage has (Redis has no decr); a window that ended
        # meanwhile comes back as -1 for its own length, one extra try in the next window.
        storage.incr(item.key_for(*ids), item.get_expiry(), amount=-1)
    attempt.reserved = []


@_survives_outage
def failed(attempt: Attempt) -> int:
    """Count a wrong password; returns the account's failures within WINDOW."""
    if not enabled():
        return 0
    fixed = _fixed()
    if attempt.trusted is not None:
        fixed.hit(DEVICE_FAILURES, *_ids("device", attempt.trusted))
    fixed.hit(ACCOUNT_FAILURES, *_ids("account", attempt.account))
    count = failures(attempt.account)
    wait = delay_after(count)
    if wait:
        # The next untrusted try waits `wait` seconds from now (its gate is the one for `count`).
        _moving().hit(_gate(wait), *_ids("gate", attempt.account))
    return count


@_survives_outage
def succeeded(attempt: Attempt) -> int:
    """The password was right: refund the address's reservation; returns failures to tell the owner of."""
    if not enabled():
        return 0
    _refund(attempt)
    return failures(attempt.account)


def starts_delay(count: int) -> bool:
    """True for the failure that starts the account's delay: the moment to tell its owner."""
    return count == FREE_FAILURES


# --- the owner's browsers -------------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="grievance.trusted-browser")


def _devices() -> list[list[str]]:
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw:
        return []
    try:
        value = _serializer().loads(raw, max_age=DEVICE_DAYS * 86400)
    except BadSignature:
        return []
    if not isinstance(value, list):
        return []
    return [
        pair for pair in value if isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair)
    ]


def _trusted_nonce(account: str) -> str | None:
    return next((nonce for acct, nonce in _devices() if acct == account), None)


def trust_this_browser(response, email: str):
    """After a successful login: this browser is the owner's (see the module docstring)."""
    if not enabled():
        return response  # nothing is throttled, so nothing needs to be told apart
    account = account_key(email)
    kept = [pair for pair in _devices() if pair[0] != account][: DEVICES_KEPT - 1]
    value = _serializer().dumps([[account, secrets.token_urlsafe(12)], *kept])
    response.set_cookie(
        DEVICE_COOKIE,
        value,
        max_age=DEVICE_DAYS * 86400,
        path="/auth/",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Strict",
    )
    return response
