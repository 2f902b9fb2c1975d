"""The real app as gunicorn serves it for the bench and the load test: `bench.benchapp:app`.

The configuration is the one GRIEVANCE_ENV names (production in the bench), read from the
environment like wsgi.py, with two differences: rate limits are off, because every simulated
complainant comes from 127.0.0.1 and would share one address's limit; and SQLite's busy
timeout may be set from SQLITE_BUSY_TIMEOUT_MS.
"""

import os

from config import config_from_env
from grievance import create_app


class BenchConfig(config_from_env()):
    RATELIMIT_ENABLED = False
    # The load test shortens it to provoke "database is locked" within seconds.
    SQLITE_BUSY_TIMEOUT_MS = int(os.environ.get("SQLITE_BUSY_TIMEOUT_MS", "15000"))


app = create_app(BenchConfig)
