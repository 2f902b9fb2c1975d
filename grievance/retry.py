"""What a person is told when a rate limit refuses them: when to try again, in their language.

Flask-Limiter (or the login throttle) decides; this module turns the wait into a plain sentence
and a `Retry-After` header, so every refusal — the complaint form, tracking, login, any other
page — says the same thing the same way.
"""

from __future__ import annotations

import math
import time
from datetime import datetime, timezone

from flask_babel import gettext as _

from grievance.domain.calendar import TZ


def breached_wait_seconds() -> int:
    """Seconds until the limit this request broke lets the client in again (at least 1)."""
    from grievance.extensions import limiter

    current = limiter.current_limit
    if current is None:
        return 60
    try:
        reset_at = current.reset_at
    except Exception:  # noqa: BLE001 - the storage is unreachable: a minute is a fair guess
        return 60
    return max(1, int(math.ceil(reset_at - time.time())))


def try_again_message(seconds: int) -> str:
    """'Please try again after 14:05 (in about 12 minutes).' in the reader's language."""
    at = datetime.fromtimestamp(time.time() + seconds, timezone.utc).astimezone(TZ)
    if seconds < 60:
        return _("Please try again in %(seconds)s seconds.", seconds=seconds)
    minutes = int(math.ceil(seconds / 60))
    if minutes < 120:
        return _(
            "Please try again after %(time)s (in about %(minutes)s minutes).",
            time=at.strftime("%H:%M"),
            minutes=minutes,
        )
    return _("Please try again after %(time)s on %(day)s.", time=at.strftime("%H:%M"), day=at.strftime("%d/%m/%Y"))


def refused(body, seconds: int):
    """A 429 response for `body` that tells clients (and browsers) when to come back."""
    return body, 429, {"Retry-After": str(seconds)}
