"""Security logging: events with actor and UTC time, control characters escaped.

Nothing personal goes here: no complaint text, names, phone numbers, passwords or tracking
codes; staff are named by their numeric id. Every value is escaped so a CR/LF or an ANSI
escape typed by someone cannot forge a log line.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")

log = logging.getLogger("grievance.security")


def escape(value: object) -> str:
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(value))


class SafeFormatter(logging.Formatter):
    """UTC ISO timestamps; the final message has every control character escaped."""

    converter = time.gmtime

    def __init__(self) -> None:
        super().__init__("%(asctime)sZ %(levelname)s %(name)s %(message)s", "%Y-%m-%dT%H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        record.msg = escape(record.getMessage())
        record.args = ()
        return super().format(record)


class JsonFormatter(logging.Formatter):
    """One JSON object per line (LOG_FORMAT=json): ts (UTC), level, logger, msg; msg still escaped."""

    converter = time.gmtime

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", self.converter(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "msg": escape(record.getMessage()),
        }
        if record.exc_info:
            # The exception type only: messages and tracebacks can quote personal data.
            line["exc"] = record.exc_info[0].__name__ if record.exc_info[0] else None
        return json.dumps(line, ensure_ascii=False)


def formatter() -> logging.Formatter:
    """The formatter LOG_FORMAT asks for: `json` (JSON lines) or plain text (the default)."""
    if os.environ.get("LOG_FORMAT", "").strip().lower() == "json":
        return JsonFormatter()
    return SafeFormatter()


def event(name: str, **fields: object) -> None:
    """Log one security event: `event=name key=value ...` (values escaped)."""
    parts = " ".join(f"{key}={escape(value)}" for key, value in sorted(fields.items()))
    log.info("event=%s %s", name, parts)


def configure() -> None:
    """Send everything under the `grievance` logger through one escaping handler."""
    logger = logging.getLogger("grievance")
    if any(isinstance(h.formatter, SafeFormatter | JsonFormatter) for h in logger.handlers):
        return
    handler = logging.StreamHandler()
    handler.setFormatter(formatter())
    for existing in list(logger.handlers):
        logger.removeHandler(existing)  # Flask's default handler does not escape
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
