"""The app as gunicorn serves it for tests/security/test_shared_limits.py — never in production.

Test settings with the rate limits on, the database and the limiter storage taken from the
environment, and two test-only additions on this instance alone: an X-Worker header naming the
process that answered, and a short pause in each login so that concurrent requests spread over
every worker.
"""

import os
import time

from flask import request

from config import TestConfig
from grievance import create_app


class ServedConfig(TestConfig):
    SQLALCHEMY_DATABASE_URI = os.environ["DATABASE_URL"]
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = os.environ["RATELIMIT_STORAGE_URI"]
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "")


app = create_app(ServedConfig)


@app.before_request
def _slow_login():
    if request.method == "POST" and request.path == "/auth/login":
        time.sleep(0.05)


@app.after_request
def _worker(response):
    response.headers["X-Worker"] = str(os.getpid())
    return response
