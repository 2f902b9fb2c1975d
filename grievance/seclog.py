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


_IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.])")
# IPv6 in any spelling that cannot be a time of day: with "::", or with seven colons.
_IPV6 = re.compile(
    r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])"
    r"|(?<![\w:])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){7}(?![\w:])"
)


def scrub_addresses(text: str) -> str:
    """Every IPv4 and IPv6 address in `text` replaced by <address>."""
    text = _IPV4.sub("<address>", text)
    return _IPV6.sub(_ipv6, text)


def _ipv6(match: re.Match) -> str:
    found = match.group()
    tail = ":" if found.endswith(":") and not found.endswith("::") else ""  # "ip=2001:db8::1: error"
    found = found[: len(found) - len(tail)]
    return "<address>" + tail if "::" in found or found.count(":") >= 7 else match.group()


class NoAddresses(logging.Filter):
    """For gunicorn's error log: it names the client of a malformed request ("Invalid request from
    ip=…") and writes request URIs with their query strings. Addresses become <address>, query
    strings go; the line saying where gunicorn listens is the server's own and stays."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if not message.startswith("Listening at:"):
            message = scrub_addresses(message)
            message = re.sub(r"(Error handling request \S+ [^?\s]*)\?\S*", r"\1", message)
        record.msg, record.args = message, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = scrub_addresses(logging.Formatter().formatException(record.exc_info))
        return True


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
