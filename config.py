"""Configuration read from the environment.

Every setting has a safe default for development; production refuses to start
without a real SECRET_KEY (see ProductionConfig.validate).
"""

import logging
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("GRIEVANCE_INSTANCE", BASE_DIR / "instance"))


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _count(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit():
        raise RuntimeError(f"{name} must be a whole number (of proxy hops), not {value!r}")
    return int(value)


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{INSTANCE_DIR / 'grievance.sqlite'}"
    # Heroku-style URLs name the old driver; SQLAlchemy 2 wants psycopg (v3).
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://") :]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _roles(name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    value = os.environ.get(name)
    if value is None:
        return default
    return tuple(part.strip() for part in value.split(",") if part.strip())


# The development fallback; production refuses it (see ProductionConfig.validate).
DEV_SECRET_KEY = "dev-only-not-secret"  # noqa: S105 - a known placeholder, refused in production


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    # Key for the keyed hash of tracking codes; defaults to one derived from SECRET_KEY.
    TRACKING_CODE_KEY = os.environ.get("TRACKING_CODE_KEY")
    # Key of the audit chain's HMAC, kept outside the database (an insider who can rewrite the
    # database cannot rehash it). Required in production; development derives one from SECRET_KEY.
    AUDIT_KEY = os.environ.get("AUDIT_KEY")
    # Where `flask audit checkpoint` appends the signed chain head (one JSON line per run).
    AUDIT_CHECKPOINT_FILE = os.environ.get("AUDIT_CHECKPOINT_FILE", str(INSTANCE_DIR / "audit-checkpoints.jsonl"))
    # More identity views than this by one user within an hour raise a flag for the council.
    IDENTITY_VIEWS_PER_HOUR = int(os.environ.get("IDENTITY_VIEWS_PER_HOUR", "30"))
    SQLALCHEMY_DATABASE_URI = _database_url()
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    TIMEZONE = "Asia/Phnom_Penh"
    BABEL_DEFAULT_LOCALE = "km"
    BABEL_DEFAULT_TIMEZONE = "Asia/Phnom_Penh"
    LANGUAGES = ("km", "en")
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    # The council dashboard serves the current month's stored figures for this long before
    # computing them again (ended months are recomputed only when a write reaches back into them).
    # `flask dashboard refresh` after each 5-minute sweep keeps them fresher than this.
    DASHBOARD_LIVE_SECONDS = int(os.environ.get("DASHBOARD_LIVE_SECONDS", "600"))
    MAX_FORM_MEMORY_SIZE = 200 * 1024
    MAX_FORM_PARTS = 200
    WTF_CSRF_TIME_LIMIT = 4 * 3600
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    SESSION_COOKIE_NAME = "grv_session"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SECURE = True
    PERMANENT_SESSION_LIFETIME = 12 * 3600
    IDLE_TIMEOUT_SECONDS = 30 * 60
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    # Keeps this deployment's counters apart from another's in a shared Redis.
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "")
    RATELIMIT_HEADERS_ENABLED = False
    RATELIMIT_ENABLED = True
    # When Redis cannot be reached, each worker counts the same limits in its own memory until it
    # answers again (checked with a growing interval), instead of answering 500 to every form and
    # login in the country. The login throttle does the same (auth/throttle.py).
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    # How many proxies in front of the app add X-Forwarded-For / X-Forwarded-Proto (Werkzeug's
    # ProxyFix): 1 behind one nginx. 0 (the default) trusts no header, so a client cannot choose
    # the address its rate limits are counted under. docs/deploy.md shows the nginx side.
    TRUSTED_PROXIES = _count("TRUSTED_PROXIES", 0)
    # Filing from one client address (a person, or a family sharing a phone); a refused form does not count.
    INTAKE_RATE_LIMIT = os.environ.get("INTAKE_RATE_LIMIT", "20/hour;5/minute")
    # A session works only from the client it was created on: its user agent, and its address
    # (IPv4 exactly, IPv6 by its /64) unless SESSION_BIND_ADDRESS is false.
    SESSION_BIND_ADDRESS = _bool("SESSION_BIND_ADDRESS", True)
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR", str(INSTANCE_DIR / "uploads"))
    REPORTS_DIR = os.environ.get("REPORTS_DIR", str(BASE_DIR / "reports"))
    SMTP_HOST = os.environ.get("SMTP_HOST")
    SMTP_PORT = int(os.environ.get("SMTP_PORT", "25"))
    MAIL_FROM = os.environ.get("MAIL_FROM", "noreply@grievance.local")
    SMS_GATEWAY_URL = os.environ.get("SMS_GATEWAY_URL")
    SMS_GATEWAY_TOKEN = os.environ.get("SMS_GATEWAY_TOKEN")
    # Shared secret the SMS gateway sends in X-Gateway-Secret on inbound messages; unset = refuse all.
    SMS_INBOUND_SECRET = os.environ.get("SMS_INBOUND_SECRET")
    # The number people text to check a complaint (printed on receipts when set).
    SMS_PUBLIC_NUMBER = os.environ.get("SMS_PUBLIC_NUMBER")
    # Telegram bot (webhook at /telegram/webhook): the token BotFather gave, the secret Telegram sends
    # back in X-Telegram-Bot-Api-Secret-Token (set by `flask telegram set-webhook`), its @name for receipts.
    TELEGRAM_BOT_TOKEN = os.environ.get("TELEGRAM_BOT_TOKEN")
    TELEGRAM_WEBHOOK_SECRET = os.environ.get("TELEGRAM_WEBHOOK_SECRET")
    TELEGRAM_BOT_NAME = os.environ.get("TELEGRAM_BOT_NAME")
    TELEGRAM_API_URL = os.environ.get("TELEGRAM_API_URL", "https://api.telegram.org")
    # An SMS or Telegram exchange is forgotten this long after its last message; the web form's answers after a day.
    CHAT_SESSION_MINUTES = int(os.environ.get("CHAT_SESSION_MINUTES", "30"))
    INTAKE_DRAFT_HOURS = int(os.environ.get("INTAKE_DRAFT_HOURS", "24"))
    # Khmer digits (១២៣) instead of 123 in dates and counts read in Khmer: an administrator's choice.
    KHMER_DIGITS = _bool("KHMER_DIGITS", False)
    # Days a Social Security Fund complainant has to take a final answer to the Social Security
    # Regulator; told with every NSSF appeal decision. Confirm it against the regulator's rules.
    NSSF_REGULATOR_DAYS = int(os.environ.get("NSSF_REGULATOR_DAYS", "30"))
    PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105 - a method name, not a password
    SQLITE_BUSY_TIMEOUT_MS = 15000
    # The address people reach the app at (https://...): e-mailed invitation and password links
    # point there, and receipts print it for following a complaint. Never taken from a request's
    # Host header, which a caller can forge.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL")
    # Roles that must log in with a second factor (TOTP); they enrol at their first login.
    TWO_STEP_ROLES = _roles("TWO_STEP_ROLES", ("admin", "supervisor", "oversight"))

    @classmethod
    def validate(cls) -> None:
        """Refuse configurations that would be unsafe; development has none."""


class DevelopmentConfig(Config):
    DEBUG = False
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    # Off by default so the demo accounts log in with their password alone; set
    # TWO_STEP_ROLES=admin,supervisor,oversight to try it as production runs.
    TWO_STEP_ROLES = _roles("TWO_STEP_ROLES", ())
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_SECURE = False


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key"  # noqa: S105 - tests only
    AUDIT_KEY = "test-audit-key-kept-outside-the-database"  # noqa: S105 - tests only
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL") or "sqlite://"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    # Low work factor so hundreds of tests stay fast; production uses scrypt defaults.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # noqa: S105 - a method name
    RATELIMIT_ENABLED = False
    DASHBOARD_LIVE_SECONDS = 0  # figures of the current month always computed (tests change data between views)
    WTF_CSRF_ENABLED = False
    PUBLIC_BASE_URL = "http://localhost"
    # Tests log in with a password alone; tests/auth/test_two_step.py and the admin browser test
    # switch the production rule on.
    TWO_STEP_ROLES: tuple[str, ...] = ()


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True

    @classmethod
    def validate(cls) -> None:
        key = os.environ.get("SECRET_KEY", "")
        if len(key) < 32 or key == DEV_SECRET_KEY:
            raise RuntimeError(
                "SECRET_KEY must be set to a random value of at least 32 characters "
                "in production (for example: python -c 'import secrets; print(secrets.token_hex(32))')."
            )
        audit_key = os.environ.get("AUDIT_KEY", "")
        if len(audit_key) < 32 or audit_key == key:
            raise RuntimeError(
                "AUDIT_KEY must be set to a random value of at least 32 characters, different from SECRET_KEY, "
                "in production: it keys the audit chain and is kept outside the database "
                "(for example: python -c 'import secrets; print(secrets.token_hex(32))'). See docs/security.md."
            )
        check_limiter_storage(cls, worker_count())


def worker_count() -> int:
    """Worker processes serving the app: GRIEVANCE_WORKERS (set by gunicorn.conf.py) or WEB_CONCURRENCY."""
    raw = os.environ.get("GRIEVANCE_WORKERS") or os.environ.get("WEB_CONCURRENCY") or "1"
    return int(raw) if raw.strip().isdigit() else 1


def check_limiter_storage(config, workers: int) -> None:
    """Refuse per-process rate-limit counters (memory://) when several workers serve the app.

    Each worker would count on its own, so "10 logins a minute" would become 10 per worker. With
    one worker memory:// is correct but fragile (a second worker added later would multiply the
    limits), so it is allowed with a loud warning.
    """
    if not config.RATELIMIT_ENABLED or not config.RATELIMIT_STORAGE_URI.startswith("memory://"):
        return
    if workers > 1:
        raise RuntimeError(
            f"RATELIMIT_STORAGE_URI is memory:// but {workers} worker processes serve the app: each would "
            "keep its own counters and multiply every rate limit. Use shared storage, "
            "e.g. RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379/0."
        )
    logging.getLogger("grievance.security").warning(
        "RATELIMIT_STORAGE_URI is memory://: rate limits hold only while a single worker process serves the app"
    )


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestConfig,
    "production": ProductionConfig,
}


def config_from_env():
    name = os.environ.get("GRIEVANCE_ENV", "development").strip().lower()
    if name not in CONFIGS:
        raise RuntimeError(f"GRIEVANCE_ENV must be one of {sorted(CONFIGS)}, not {name!r}")
    return CONFIGS[name]
