"""Open311 GeoReport v2 at /open311/v2: every endpoint in XML and JSON, chosen by the extension.

discovery, services, services/{code}, requests (GET and POST), requests/{id}, tokens/{token},
and servicerequestupdates (the GET Service Request Updates extension FixMyStreet polls). What
each kind of caller may do is in purposes.py, the filing and retry rules in service.py, the
reads in feed.py, the documents in present.py and formats.py.
"""

from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, request, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from grievance.api import feed, formats, keys, payload, present, purposes, service
from grievance.api.openapi import document as openapi_document
from grievance.domain.calendar import TZ
from grievance.extensions import csrf, db, limiter
from grievance.i18n import current_locale
from grievance.intake.presenter import SITUATIONS
from grievance.models.timeutil import to_db
from grievance.security import client_key
from grievance.services import reference

bp = Blueprint("api", __name__)
csrf.exempt(bp)

FMT = "<any(xml, json):fmt>"
MAX_PAGE = 10_000
MAX_REQUESTS = 1000  # the specification's "first 1000 requests"
MAX_UPDATES = 5000
# Keyless filing is for a person's own app: a few an hour. A platform with a key relays a
# whole district's complaints after a failed payment round, so it is limited per key instead.
KEYLESS_FILING = "5/hour;2/minute"
KEYED_FILING = "6000/hour;300/minute"


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    return formats.http_error(exc)


@bp.errorhandler(payload.PayloadError)
def _payload_error(exc: payload.PayloadError):
    return formats.error(exc.status, exc.message)


@bp.errorhandler(feed.QueryRefused)
def _query_refused(exc: feed.QueryRefused):
    return formats.error(400, str(exc))


# --- the caller's key: read once, refused (403) before anything else is checked -------------


def _body() -> dict:
    # Kept in the WSGI environ, which belongs to this request alone (g can outlive it in tests).
    if "grievance.api_body" not in request.environ:
        try:
            request.environ["grievance.api_body"] = _read_body()
        except payload.PayloadError as exc:
            request.environ["grievance.api_body"] = exc
    body = request.environ["grievance.api_body"]
    if isinstance(body, payload.PayloadError):
        raise body
    return body


def _read_body() -> dict:
    if request.mimetype == "application/x-www-form-urlencoded":
        return payload.from_form(payload.parse_urlencoded(request.get_data(cache=True)))
    if request.mimetype == "application/json":
        return payload.parse_json(request.get_data(cache=True))
    if request.mimetype == "multipart/form-data":
        return payload.from_form(request.form)
    raise payload.PayloadError("send application/x-www-form-urlencoded (or application/json)", 415)


def _supplied_key():
    """The api_key the caller sent (POST body, or query string), None if none or empty."""
    supplied = request.args.get("api_key")
    if request.method == "POST":
        try:
            supplied = _body().get("api_key", supplied)
        except payload.PayloadError:
            pass  # the view reports the body's problem
    return None if supplied in (None, "") else supplied


def _key_row():
    if "grievance.api_key_row" not in request.environ:
        supplied = _supplied_key()
        request.environ["grievance.api_key_row"] = keys.find(supplied) if isinstance(supplied, str) else None
    return request.environ["grievance.api_key_row"]


def _has_valid_key() -> bool:
    return _key_row() is not None


def _has_no_key() -> bool:
    return _key_row() is None


def _key_limit_id() -> str:
    row = _key_row()
    return f"apikey:{row.id}" if row is not None else client_key()


@bp.before_request
def _check_key():
    if request.method == "POST":
        request.max_content_length = payload.MAX_BODY
    if _supplied_key() is not None and _key_row() is None:
        return formats.error(403, "api_key is not valid")
    return None


def _caller() -> purposes.Caller:
    return purposes.caller_for(_key_row())


# --- discovery and services --------------------------------------------------------------------


@bp.get(f"/discovery.{FMT}")
def discovery(fmt: str):
    base = url_for("api.discovery", fmt=fmt, _external=True).rsplit("/", 1)[0] + "/"
    return formats.document("discovery", None, present.discovery(base), fmt)


@bp.get("/openapi.json")
def openapi():
    return formats.document("openapi", None, openapi_document(), "json")


@bp.get(f"/services.{FMT}")
@limiter.limit("120/minute")
def services(fmt: str):
    groups = {key: str(label) for key, label in SITUATIONS}
    locale = current_locale()
    items = [present.service(c, locale, groups.get(c.situation, "")) for c in reference.active_categories()]
    return formats.document("services", "service", items, fmt)


def _active_code(code: str) -> bool:
    return any(c.code == code for c in reference.active_categories())


@bp.get(f"/services/<service_code>.{FMT}")
@limiter.limit("120/minute")
def service_definition(service_code: str, fmt: str):
    if not _active_code(service_code):
        return formats.error(404, "service_code not found: see services.xml")
    definition = present.service_definition(service_code, _caller(), current_locale())
    return formats.document("service_definition", None, definition, fmt)


# --- reading requests and updates ----------------------------------------------------------


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isascii() or not raw.isdecimal() or len(raw) > 6 or not low <= int(raw) <= high:
        raise payload.PayloadError(f"{name} must be a whole number from {low} to {high}")
    return int(raw)


def _date_arg(name: str):
    raw = request.args.get(name)
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw[:40].replace("Z", "+00:00"))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=TZ)
        return to_db(moment)
    except (ValueError, OverflowError):
        raise payload.PayloadError(f"{name} must be a W3C date-time, e.g. 2026-04-01T00:00:00Z") from None


def _list_arg(name: str, limit: int) -> list[str]:
    raw = request.args.get(name) or ""
    values = [v.strip() for v in raw.split(",") if v.strip()]
    if len(values) > limit or any(len(v) > 32 for v in values):
        raise payload.PayloadError(f"{name}: at most {limit} values of 32 characters")
    return values


def _span() -> feed.Window:
    now = to_db(datetime.now(timezone.utc))
    return feed.window(_date_arg("start_date"), _date_arg("end_date"), now)


def _status_arg() -> str | None:
    statuses = set(_list_arg("status", 2))
    if not statuses <= {"open", "closed"}:
        raise payload.PayloadError("status must be open, closed or both")
    return statuses.pop() if len(statuses) == 1 else None


@bp.get(f"/requests.{FMT}")
@limiter.limit("60/minute")
def requests_list(fmt: str):
    ids = [i.upper() for i in _list_arg("service_request_id", 100)]
    page = _int_arg("page", 1, 1, MAX_PAGE)
    size = _int_arg("page_size", MAX_REQUESTS, 1, MAX_REQUESTS)
    span = None if ids else _span()
    rows, more = feed.requests_page(
        ids=ids, service_codes=_list_arg("service_code", 20), status=_status_arg(), span=span, page=page, size=size
    )
    locale = current_locale()
    response = formats.document("service_requests", "request", [present.public_request(c, locale) for c in rows], fmt)
    if more:
        args = {**request.args.to_dict(), "page": page + 1}
        response.headers["Link"] = f'<{url_for("api.requests_list", fmt=fmt, **args)}>; rel="next"'
    return response


@bp.get(f"/requests/<request_id>.{FMT}")
@limiter.limit("60/minute")
def request_show(request_id: str, fmt: str):
    case = feed.request_by_reference(request_id[:24])
    if case is None:
        return formats.error(404, "no request with this service_request_id")
    return formats.document("service_requests", "request", [present.public_request(case, current_locale())], fmt)


@bp.get(f"/tokens/<token>.{FMT}")
@limiter.limit("60/minute")
def token_show(token: str, fmt: str):
    found = feed.reference_for_token(token[:32])
    if found is None:
        return formats.error(404, "no request with this token")
    return formats.document("service_requests", "request", [present.token_answer(found, token)], fmt)


@bp.get(f"/servicerequestupdates.{FMT}")
@limiter.limit("60/minute")
def updates(fmt: str):
    size = _int_arg("page_size", MAX_UPDATES, 1, MAX_UPDATES)
    items = feed.updates(_span(), size)
    return formats.document("service_request_updates", "request_update", items, fmt)


# --- filing -------------------------------------------------------------------------------


def _notice(filed: service.Filed) -> str:
    if filed.tracking_code:
        return _("Give the complainant the tracking code: it is shown only here and lets them follow the complaint.")
    return _("Follow the complaint by its service_request_id.")


@bp.post(f"/requests.{FMT}")
@limiter.limit(KEYLESS_FILING, exempt_when=_has_valid_key)
@limiter.limit(KEYED_FILING, key_func=_key_limit_id, exempt_when=_has_no_key)
def requests_create(fmt: str):
    req = payload.read_request(_body())
    key, caller = _key_row(), _caller()
    refused = purposes.refusal(caller, consent_stated=req.consent_stated, consent_given=req.consent_given)
    if refused:
        return formats.error(422, refused)
    if not _active_code(req.service_code):
        return formats.error(404, "service_code not found: see services.xml")
    retry = service.retry_keys(req, key, caller, request.headers.get("Idempotency-Key"))
    filed = _file(req, caller, key, retry)
    answer = present.created(
        filed.reference, filed.token, filed.tracking_code, _notice(filed), filed.expected, filed.agency
    )
    response = formats.document("service_requests", "request", [answer], fmt, 201)
    if filed.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response


def _file(req, caller, key, retry) -> service.Filed:
    """One commit per filing; a retry of an earlier filing answers with that filing instead."""
    language = current_locale()
    for _attempt in range(2):
        try:
            filed = service.file_request(req, caller, key, retry, language=language)
            if key is not None:
                keys.mark_used(key)
            db.session.commit()
            return filed
        except service.DuplicateRequest:
            db.session.rollback()
        first = service.first_filing(retry, caller, language=language)
        db.session.commit()  # a match older than the window was cleared: file anew
        if first is not None:
            return first
    raise RuntimeError("a retried request matched no earlier filing twice")
