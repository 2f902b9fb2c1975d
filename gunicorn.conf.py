"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py wsgi:app`.

Everything can be set from the environment (see docs/deploy.md):

    WEB_CONCURRENCY   worker processes (default 2 x cores + 1)
    GUNICORN_BIND     address to listen on (default 127.0.0.1:8000; the load balancer's side)
    GUNICORN_TIMEOUT  seconds a request may take before its worker is replaced (default 60)
    LOG_FORMAT        `json` for JSON lines (the app's own logs and gunicorn's), else text

The access log records method, path WITHOUT query string, status, size and duration: never
the client's address, user agent, referrer or query string, so the public side keeps no
record of who complained (docs/security: identity and data minimisation). The error log has
every address scrubbed (seclog.NoAddresses): gunicorn names the client of a malformed request.
"""

import multiprocessing
import os

workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
bind = [b.strip() for b in os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",") if b.strip()]
worker_class = "sync"
# Each worker builds its own app (and its own database pool) after the fork: no connection
# or lock is ever shared between processes, and a new code release reloads cleanly.
preload_app = False
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
# Recycle workers now and then so slow leaks cannot grow; jitter keeps them from restarting together.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = max_requests // 10
# The control socket (gunicorn 24+) defaults to one fixed path per user, which two servers on
# one machine would fight over; it is off unless GUNICORN_CONTROL_SOCKET names a path.
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET") or "gunicorn.ctl"
control_socket_disable = not os.environ.get("GUNICORN_CONTROL_SOCKET")
# Behind nginx on the same host or a private network: trust its X-Forwarded-Proto for HTTPS.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# %(U)s is the path without the query string; no %(h)s (address), %(a)s (agent), %(f)s (referrer).
accesslog = "-"
errorlog = "-"
access_log_format = "%(m)s %(U)s %(s)s %(B)s %(M)sms"

_FORMATTER = (
    "grievance.seclog.JsonFormatter"
    if os.environ.get("LOG_FORMAT", "").strip().lower() == "json"
    else "grievance.seclog.SafeFormatter"
)
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"safe": {"()": _FORMATTER}},
    # gunicorn's error log would name the client of a malformed request: addresses are scrubbed.
    "filters": {"no_addresses": {"()": "grievance.seclog.NoAddresses"}},
    "handlers": {
        "stdout": {"class": "logging.StreamHandler", "formatter": "safe", "stream": "ext://sys.stdout"},
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": "safe",
            "stream": "ext://sys.stderr",
            "filters": ["no_addresses"],
        },
    },
    "root": {"level": "INFO", "handlers": ["stderr"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["stdout"], "propagate": False},
    },
}


def on_starting(server):
    # The workers inherit this (they are forked after it): ProductionConfig.validate() then knows
    # how many processes share the rate limits, whether -w or WEB_CONCURRENCY set the number.
    os.environ["GRIEVANCE_WORKERS"] = str(server.cfg.workers)
