"""Reading an Open311 POST safely: strict JSON, typed fields, only the listed fields.

Everything here turns bad input into PayloadError (a clear 4xx message), never an exception
that would become a 500: deep nesting, huge or non-finite numbers, duplicate keys, booleans
where text or numbers belong, text that cannot be stored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from urllib.parse import parse_qsl

from werkzeug.datastructures import MultiDict

from grievance.domain.text import TextRejected, clean_text
from grievance.geo import place_is_consistent

MAX_BODY = 64 * 1024
MAX_DEPTH = 8
DESCRIPTION_MAX = 5000
IDENTITY_MODES = ("anonymous", "confidential", "named")
ATTRIBUTES = (
    "identity_mode",
    "people_affected",
    "province_code",
    "district_code",
    "commune_code",
    "occurred_on",
    "programme_number",
    "consent_given",
)


class PayloadError(Exception):
    """The request body cannot be accepted; `status` is the HTTP code, `message` says why."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def _no_duplicates(pairs):
    result = {}
    for key, value in pairs:
        if key in result:
            raise PayloadError(f"duplicate key in JSON object: {key[:40]!r}")
        result[key] = value
    return result


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise PayloadError("number out of range")
    return value


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > 18:
        raise PayloadError("number out of range")
    return int(text)


def _refuse_constant(name: str):
    raise PayloadError(f"{name} is not valid JSON")


def _depth_ok(raw: str) -> bool:
    """Nesting depth without recursion (brackets inside strings are skipped)."""
    depth = 0
    in_string = escaped = False
    for ch in raw:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return False
        elif ch in "]}":
            depth -= 1
    return True


def parse_json(body: bytes) -> dict:
    """The JSON object in `body`, or PayloadError."""
    try:
        raw = body.decode("utf-8")
    except UnicodeDecodeError:
        raise PayloadError("the body is not valid UTF-8") from None
    if not _depth_ok(raw):
        raise PayloadError(f"JSON nested deeper than {MAX_DEPTH} levels")
    try:
        data = json.loads(
            raw,
            object_pairs_hook=_no_duplicates,
            parse_float=_finite_float,
            parse_int=_bounded_int,
            parse_constant=_refuse_constant,
        )
    except PayloadError:
        raise
    except (ValueError, RecursionError):
        raise PayloadError("the body is not valid JSON") from None
    if not isinstance(data, dict):
        raise PayloadError("the body must be a JSON object")
    return data


def parse_urlencoded(body: bytes) -> MultiDict:
    """A url-encoded body decoded strictly: Werkzeug would keep %FF as literal text or drop raw bytes."""
    try:
        pairs = parse_qsl(
            body.decode("ascii"), keep_blank_values=True, encoding="utf-8", errors="strict", max_num_fields=100
        )
    except UnicodeDecodeError:
        raise PayloadError("the body is not valid UTF-8 (or not url-encoded)", 422) from None
    except ValueError:
        raise PayloadError("too many fields") from None
    return MultiDict(pairs)


def from_form(form) -> dict:
    """An Open311 form post (attribute[name]=value) as the same shape as the JSON body."""
    data: dict = {}
    attributes: dict = {}
    for key in form:
        values = form.getlist(key)
        if len(values) > 1:
            raise PayloadError(f"field given more than once: {key[:40]!r}")
        if key.startswith("attribute[") and key.endswith("]"):
            attributes[key[len("attribute[") : -1]] = values[0]
        else:
            data[key] = values[0]
    if attributes:
        data["attribute"] = attributes
    return data


@dataclass
class Request:
    service_code: str
    description: str
    api_key: str | None
    identity_mode: str
    name: str | None
    phone: str | None
    email: str | None
    programme_number: str | None
    people_affected: int
    province_code: str | None
    district_code: str | None
    commune_code: str | None
    occurred_on: date | None
    consent_given: bool


def _text(data: dict, key: str, max_length: int, *, multiline: bool = False, required: bool = False) -> str | None:
    value = data.get(key)
    if value is None or value == "":
        if required:
            raise PayloadError(f"{key} is required", 422 if key != "service_code" else 400)
        return None
    if not isinstance(value, str):
        raise PayloadError(f"{key} must be a string")
    if "\ufffd" in value:  # what a lenient decoder made of invalid UTF-8 in a form post
        raise PayloadError(f"{key} contains characters that cannot be stored", 422)
    try:
        return clean_text(value, max_length=max_length, multiline=multiline) or None
    except TextRejected as exc:
        raise PayloadError(f"{key}: {exc.message}", 422) from None


def _integer(value, key: str, low: int, high: int) -> int:
    if isinstance(value, str) and value.strip().isdecimal() and len(value.strip()) <= 9:
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        raise PayloadError(f"{key} must be a whole number")
    if not low <= value <= high:
        raise PayloadError(f"{key} must be between {low} and {high}", 422)
    return value


def _boolean(value, key: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
        return value.lower() in ("true", "1")
    raise PayloadError(f"{key} must be true or false")


def read_request(data: dict) -> Request:
    """Validate the fields we accept; any other field (status, fund, assignee...) is ignored."""
    attributes = data.get("attribute") or {}
    if not isinstance(attributes, dict):
        raise PayloadError("attribute must be an object")
    attr = {k: v for k, v in attributes.items() if k in ATTRIBUTES}

    service_code = _text(data, "service_code", 32, required=True)
    description = _text(data, "description", DESCRIPTION_MAX, multiline=True, required=True)
    api_key = _text(data, "api_key", 128)
    mode = _text(attr, "identity_mode", 16) or "anonymous"
    if mode not in IDENTITY_MODES:
        raise PayloadError("identity_mode must be anonymous, confidential or named", 422)
    first, last = _text(data, "first_name", 100), _text(data, "last_name", 100)
    name = " ".join(part for part in (first, last) if part) or None
    phone = _text(data, "phone", 20)
    if phone is not None and not all(ch.isdigit() or ch in " +" for ch in phone):
        raise PayloadError("phone must contain digits only", 422)
    email = _text(data, "email", 254)
    if email is not None and ("@" not in email or " " in email):
        raise PayloadError("email is not an e-mail address", 422)
    if mode == "anonymous" and (name or phone or email):
        raise PayloadError("an anonymous request cannot carry a name, phone or e-mail", 422)
    if mode != "anonymous" and not name:
        raise PayloadError("a confidential or named request needs first_name or last_name", 422)

    people = attr.get("people_affected", 1)
    people = _integer(people, "people_affected", 1, 100_000)
    province, district, commune = (
        _text(attr, "province_code", 2),
        _text(attr, "district_code", 4),
        _text(attr, "commune_code", 6),
    )
    if not place_is_consistent(province, district, commune):
        raise PayloadError("province_code, district_code and commune_code do not match each other", 422)
    occurred = _text(attr, "occurred_on", 10)
    try:
        occurred_on = date.fromisoformat(occurred) if occurred else None
    except ValueError:
        raise PayloadError("occurred_on must be a date like 2026-04-10", 422) from None
    consent = _boolean(attr.get("consent_given", False), "consent_given")
    return Request(
        service_code=service_code,
        description=description,
        api_key=api_key,
        identity_mode=mode,
        name=name,
        phone=phone,
        email=email,
        programme_number=_text(attr, "programme_number", 64),
        people_affected=people,
        province_code=province,
        district_code=district,
        commune_code=commune,
        occurred_on=occurred_on,
        consent_given=consent,
    )
