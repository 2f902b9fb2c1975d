"""Open311 GeoReport v2: discovery, services, requests (public and redacted), filing. JSON only."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, jsonify, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.exceptions import HTTPException

from grievance.api import keys, payload, present
from grievance.api.openapi import document
from grievance.domain import codes
from grievance.domain.calendar import TZ
from grievance.extensions import csrf, db, limiter
from grievance.i18n import current_locale
from grievance.intake import service
from grievance.intake.presenter import SITUATIONS
from grievance.models import Case, Category, Organisation
from grievance.models.timeutil import to_db
from grievance.security import tracking_key
from grievance.services import reference

bp = Blueprint("api", __name__)
csrf.exempt(bp)

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 50
MAX_PAGE = 10_000


def error(status: int, message: str):
    """Open311 errors are a list of {code, description}."""
    response = jsonify([{"code": status, "description": message}])
    response.status_code = status
    return response


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    messages = {
        413: f"the request body is too large (at most {payload.MAX_BODY // 1024} KB)",
        429: "too many requests: wait a little and try again",
    }
    return error(exc.code or 500, messages.get(exc.code, exc.name))


@bp.errorhandler(payload.PayloadError)
def _payload_error(exc: payload.PayloadError):
    return error(exc.status, exc.message)


@bp.before_request
def _bound_body():
    if request.method == "POST":
        request.max_content_length = payload.MAX_BODY


# --- reading the POST body once (the rate limiter needs to know about the key first) ----------


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
    if request.mimetype == "application/json":
        return payload.parse_json(request.get_data(cache=True))
    if request.mimetype == "application/x-www-form-urlencoded":
        return payload.from_form(payload.parse_urlencoded(request.get_data(cache=True)))
    if request.mimetype == "multipart/form-data":
        return payload.from_form(request.form)
    raise payload.PayloadError("send application/json or application/x-www-form-urlencoded", 415)


def _key_row():
    if "grievance.api_key_row" not in request.environ:
        try:
            supplied = _body().get("api_key")
        except payload.PayloadError:
            supplied = None
        request.environ["grievance.api_key_row"] = keys.find(supplied) if isinstance(supplied, str) else None
    return request.environ["grievance.api_key_row"]


def _has_valid_key() -> bool:
    return _key_row() is not None


# --- discovery and services --------------------------------------------------------------------


@bp.get("/discovery.json")
def discovery():
    base = url_for("api.discovery", _external=True).rsplit("/", 1)[0] + "/"
    return jsonify(
        {
            "changeset": "2026-04-01T00:00:00+07:00",
            "contact": "National Social Protection Council",
            "key_service": "Ask the oversight council for an organisation API key.",
            "endpoints": [
                {
                    "specification": "http://wiki.open311.org/GeoReport_v2",
                    "url": base,
                    "changeset": "2026-04-01T00:00:00+07:00",
                    "type": "production",
                    "formats": ["application/json"],
                }
            ],
        }
    )


@bp.get("/openapi.json")
def openapi():
    return jsonify(document())


def _categories():
    return db.session.execute(select(Category).where(Category.active.is_(True)).order_by(Category.position)).scalars()


@bp.get("/services.json")
@limiter.limit("120/minute")
def services():
    groups = {key: str(label) for key, label in SITUATIONS}
    locale = current_locale()
    return jsonify([present.service(c, locale, groups.get(c.situation, "")) for c in _categories()])


@bp.get("/services/<service_code>.json")
@limiter.limit("120/minute")
def service_definition(service_code: str):
    category = db.session.execute(
        select(Category).where(Category.code == service_code[:32], Category.active.is_(True))
    ).scalar_one_or_none()
    if category is None:
        return error(404, "no service with this service_code")
    from grievance.api.openapi import ATTRIBUTE_DEFINITIONS

    return jsonify({"service_code": category.code, "attributes": ATTRIBUTE_DEFINITIONS})


# --- requests ----------------------------------------------------------------------------------


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
        raise payload.PayloadError(f"{name} must be an ISO 8601 date or date-time") from None


def _list_arg(name: str, limit: int) -> list[str]:
    raw = request.args.get(name) or ""
    values = [v.strip() for v in raw.split(",") if v.strip()]
    if len(values) > limit or any(len(v) > 32 for v in values):
        raise payload.PayloadError(f"{name}: at most {limit} values of 32 characters")
    return values


@bp.get("/requests.json")
@limiter.limit("60/minute")
def requests_list():
    query = select(Case).join(Case.category).options(joinedload(Case.category), joinedload(Case.fund))
    if codes_wanted := _list_arg("service_code", 20):
        query = query.where(Category.code.in_(codes_wanted))
    if statuses := _list_arg("status", 2):
        if not set(statuses) <= {"open", "closed"}:
            raise payload.PayloadError("status must be open or closed")
        if statuses == ["open"]:
            query = query.where(Case.status.not_in(present.CLOSED_STATUSES))
        elif statuses == ["closed"]:
            query = query.where(Case.status.in_(present.CLOSED_STATUSES))
    if ids := _list_arg("service_request_id", 50):
        query = query.where(Case.reference.in_([i.upper() for i in ids]))
    if (start := _date_arg("start_date")) is not None:
        query = query.where(Case.received_at >= start)
    if (end := _date_arg("end_date")) is not None:
        query = query.where(Case.received_at <= end)
    page = _int_arg("page", 1, 1, MAX_PAGE)
    size = _int_arg("page_size", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)
    rows = (
        db.session.execute(
            query.order_by(Case.received_at.desc(), Case.id.desc()).offset((page - 1) * size).limit(size + 1)
        )
        .scalars()
        .all()
    )
    locale = current_locale()
    response = jsonify([present.public_request(c, locale) for c in rows[:size]])
    if len(rows) > size:
        args = {**request.args.to_dict(), "page": page + 1}
        response.headers["Link"] = f'<{url_for("api.requests_list", **args)}>; rel="next"'
    return response


@bp.get("/requests/<request_id>.json")
@limiter.limit("60/minute")
def request_show(request_id: str):
    parsed = codes.parse_reference(request_id[:24])
    case = None
    if parsed is not None:
        case = db.session.execute(
            select(Case).where(Case.year == parsed[0], Case.number == parsed[1])
        ).scalar_one_or_none()
    if case is None:
        return error(404, "no request with this service_request_id")
    return jsonify([present.public_request(case, current_locale())])


@bp.post("/requests.json")
@limiter.limit("5/hour;2/minute", exempt_when=_has_valid_key)
@limiter.limit("600/hour")
def requests_create():
    data = _body()
    req = payload.read_request(data)
    key_row = None
    if req.api_key is not None:
        key_row = _key_row()
        if key_row is None:
            return error(403, "api_key is not valid")
        if not req.consent_given:
            return error(422, "an organisation files only with the person's consent: set consent_given to true")
    category = next((c for c in reference.active_categories() if c.code == req.service_code), None)
    if category is None:
        return error(400, "service_code is not a known service")
    organisation = None if key_row is None else db.session.get(Organisation, key_row.organisation_id)
    receipt = service.submit(
        service.Submission(
            category_code=category.code,
            description=req.description,
            channel="api",
            identity_mode=req.identity_mode,
            language=current_locale(),
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
        ),
        key=tracking_key(),
        organisation=organisation,
    )
    if key_row is not None:
        keys.mark_used(key_row)
    case = receipt.case
    # Built before the commit expires the case: answering then reads nothing back from the
    # database (on SQLite that would be a second write-locking transaction).
    response = jsonify(
        [
            {
                "service_request_id": case.reference,
                "token": receipt.tracking_code,
                "service_notice": "Keep the token: it is shown only once and is needed to follow the request.",
                "account_id": None,
                "expected_datetime": present.iso(case.resolve_due_at),
                "agency_responsible": case.fund.name(current_locale()),
            }
        ]
    )
    response.status_code = 201
    db.session.commit()
    return response
