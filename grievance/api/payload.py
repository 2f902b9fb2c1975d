"""Reading an Open311 POST safely, and the one mapping from a request to a Submission.

The body is what GeoReport v2 clients send: `application/x-www-form-urlencoded` with
`attribute[code]=value` (FixMyStreet, the specification's example), or the same fields as a
JSON object. Standard fields mean what the specification says: first_name, last_name, email
and phone without any extension attribute are a *confidential* complaint (kept for the handling
fund, never published); lat/long, address_string, address_id, media_url, device_id and
account_id are stored for the handling fund.

Everything here turns bad input into PayloadError (a clear 4xx message), never an exception
that would become a 500: deep nesting, huge or non-finite numbers, duplicate keys, booleans
where text or numbers belong, text that cannot be stored. Fields that are not listed are
ignored: status, fund or assignee cannot be set by adding a field.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field, fields
from datetime import date
from urllib.parse import parse_qsl

from werkzeug.datastructures import MultiDict

from grievance.domain.text import TextRejected, clean_text
from grievance.geo import place_is_consistent
from grievance.intake.service import Submission

MAX_BODY = 64 * 1024
MAX_DEPTH = 8
MAX_FIELDS = 100
DESCRIPTION_MAX = 5000
NAME_MAX = 200
MAX_MEDIA = 10
IDENTITY_MODES = ("anonymous", "confidential", "named")
# The extension attributes (attribute[code]); any other code is ignored.
ATTRIBUTES = (
    "identity_mode",
    "people_affected",
    "province_code",
    "district_code",
    "commune_code",
    "occurred_on",
    "programme_number",
    "consent_given",
    "external_id",
)
# Fields that may be sent more than once: FixMyStreet sends one media_url per photo.
REPEATABLE = ("media_url",)


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
    if not math.isfinite(value):
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
    if raw.count("[") + raw.count("{") <= MAX_DEPTH:
        return True  # cannot nest deeper than the number of brackets (the usual case: no scan)
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
            body.decode("ascii"),
            keep_blank_values=True,
            encoding="utf-8",
            errors="strict",
            max_num_fields=MAX_FIELDS,
        )
    except UnicodeDecodeError:
        raise PayloadError("the body is not valid UTF-8 (or not url-encoded)", 422) from None
    except ValueError:
        raise PayloadError("too many fields") from None
    return MultiDict(pairs)


def from_form(form) -> dict:
    """An Open311 form post as the same shape as the JSON body.

    `attribute[code]=value` becomes {"attribute": {code: value}}; the specification's
    multivaluelist form `attribute[code][]=a&attribute[code][]=b` becomes a list.
    """
    data: dict = {}
    attributes: dict = {}
    for key in form:
        values = form.getlist(key)
        if key.startswith("attribute[") and key.endswith("[]"):
            attributes[key[len("attribute[") : -3]] = values
        elif len(values) > 1 and key not in REPEATABLE:
            raise PayloadError(f"field given more than once: {key[:40]!r}")
        elif key.startswith("attribute[") and key.endswith("]"):
            attributes[key[len("attribute[") : -1]] = values[0]
        else:
            data[key] = values if key in REPEATABLE else values[0]
    if attributes:
        data["attribute"] = attributes
    return data


@dataclass
class Request:
    """A POST Service Request, validated; `content_digest` identifies its content for retries."""

    service_code: str
    description: str
    api_key: str | None = None
    identity_mode: str = "anonymous"
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    email: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    address_string: str | None = None
    address_id: str | None = None
    media_urls: list[str] = field(default_factory=list)
    device_id: str | None = None
    account_id: str | None = None
    programme_number: str | None = None
    people_affected: int = 1
    province_code: str | None = None
    district_code: str | None = None
    commune_code: str | None = None
    occurred_on: date | None = None
    consent_given: bool = False
    consent_stated: bool = False
    external_id: str | None = None

    @property
    def name(self) -> str | None:
        return " ".join(part for part in (self.first_name, self.last_name) if part) or None

    def content_digest(self) -> str:
        """SHA-256 of everything the request says (not the key it came with)."""
        content = [getattr(self, name) for name in _CONTENT_FIELDS]
        canonical = json.dumps(content, default=str, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


_CONTENT_FIELDS = tuple(f.name for f in fields(Request) if f.name != "api_key")


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
    if isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0", "yes", "no"):
        return value.strip().lower() in ("true", "1", "yes")
    raise PayloadError(f"{key} must be true or false")


def _coordinate(data: dict, key: str, limit: float) -> float | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, str) and len(value) <= 32:
        try:
            value = float(value.strip())
        except ValueError:
            raise PayloadError(f"{key} must be a number (WGS84 degrees)") from None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise PayloadError(f"{key} must be a number (WGS84 degrees)")
    if not -limit <= value <= limit:
        raise PayloadError(f"{key} must be between {-limit:g} and {limit:g}", 422)
    return float(value)


def _media_urls(data: dict) -> list[str]:
    raw = data.get("media_url")
    values = raw if isinstance(raw, list) else [raw]
    urls = []
    for value in values:
        url = _text({"media_url": value}, "media_url", 2048)
        if url is None:
            continue
        if not url.lower().startswith(("http://", "https://")) or any(ch.isspace() for ch in url):
            raise PayloadError("media_url must be an http(s) URL", 422)
        urls.append(url)
    if len(urls) > MAX_MEDIA:
        raise PayloadError(f"at most {MAX_MEDIA} media_url", 422)
    return urls


def _attributes(data: dict) -> dict:
    attributes = data.get("attribute") or {}
    if not isinstance(attributes, dict):
        raise PayloadError("attribute must be an object")
    attr = {k: v for k, v in attributes.items() if k in ATTRIBUTES}
    for key, value in attr.items():
        if isinstance(value, list | dict):
            raise PayloadError(f"attribute[{key}] takes a single value")
    return attr


def _identity(data: dict, attr: dict) -> tuple[str, str | None, str | None, str | None, str | None]:
    """(mode, first, last, phone, email) as the complainant chose to be known."""
    first, last = _text(data, "first_name", 100), _text(data, "last_name", 100)
    if first and last and len(first) + 1 + len(last) > NAME_MAX:
        raise PayloadError(f"first_name and last_name together are longer than {NAME_MAX} characters", 422)
    phone = _text(data, "phone", 32)
    if phone is not None and not all(ch.isdigit() or ch in " +-().\u00a0" for ch in phone):
        raise PayloadError("phone must contain digits (and spaces, +, -, brackets) only", 422)
    email = _text(data, "email", 254)
    if email is not None and ("@" not in email or any(ch.isspace() for ch in email)):
        raise PayloadError("email is not an e-mail address", 422)
    given = _text(attr, "identity_mode", 16)
    if given is not None and given not in IDENTITY_MODES:
        raise PayloadError("identity_mode must be anonymous, confidential or named", 422)
    if given is None:
        # A standard request: whoever gives their contact details files confidentially.
        return ("confidential" if (first or last or phone or email) else "anonymous"), first, last, phone, email
    if given == "anonymous":
        # The person asked not to be known: the contact a platform sends anyway is not kept.
        return "anonymous", None, None, None, None
    if given == "named" and not (first or last):
        raise PayloadError("a named request needs first_name or last_name", 422)
    if not (first or last or phone or email):
        raise PayloadError("a confidential request needs a name, phone or email", 422)
    return given, first, last, phone, email


def read_request(data: dict) -> Request:
    """Validate the fields we accept; any other field (status, fund, assignee...) is ignored."""
    attr = _attributes(data)
    service_code = _text(data, "service_code", 32, required=True)
    description = _text(data, "description", DESCRIPTION_MAX, multiline=True, required=True)
    api_key = _text(data, "api_key", 128)
    mode, first, last, phone, email = _identity(data, attr)
    latitude, longitude = _coordinate(data, "lat", 90), _coordinate(data, "long", 180)
    if (latitude is None) != (longitude is None):
        raise PayloadError("lat and long are sent together", 422)
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
    stated = attr.get("consent_given") not in (None, "")
    return Request(
        service_code=service_code,
        description=description,
        api_key=api_key,
        identity_mode=mode,
        first_name=first,
        last_name=last,
        phone=phone,
        email=email,
        latitude=latitude,
        longitude=longitude,
        address_string=_text(data, "address_string", 500),
        address_id=_text(data, "address_id", 100),
        media_urls=_media_urls(data),
        # FixMyStreet names it deviceid when it sends the service as the device.
        device_id=_text(data, "device_id", 100) or _text(data, "deviceid", 100),
        account_id=_text(data, "account_id", 100),
        programme_number=_text(attr, "programme_number", 64),
        people_affected=_integer(attr.get("people_affected", 1), "people_affected", 1, 100_000),
        province_code=province,
        district_code=district,
        commune_code=commune,
        occurred_on=occurred_on,
        consent_given=_boolean(attr["consent_given"], "consent_given") if stated else False,
        consent_stated=stated,
        external_id=_text(attr, "external_id", 100),
    )


def to_submission(req: Request, *, language: str) -> Submission:
    """The one mapping from an Open311 request to the Submission every channel files."""
    return Submission(
        category_code=req.service_code,
        description=req.description,
        channel="api",
        identity_mode=req.identity_mode,
        language=language,
        occurred_on=req.occurred_on,
        province_code=req.province_code,
        district_code=req.district_code,
        commune_code=req.commune_code,
        name=req.name,
        phone=req.phone,
        email=req.email,
        programme_number=req.programme_number,
        consent_given=req.consent_given,
        people_affected=req.people_affected,
    )
