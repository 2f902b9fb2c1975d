"""Cases and categories as Open311 GeoReport v2 documents; the public view is redacted."""

from __future__ import annotations

from datetime import datetime

from grievance.domain.calendar import TZ
from grievance.models import Case, Category
from grievance.models.timeutil import from_db
from grievance.services import disclosure

CLOSED_STATUSES = ("resolved", "rejected", "closed")


def iso(value: datetime | None) -> str | None:
    """ISO 8601 in Phnom Penh time, e.g. 2026-04-17T17:00:00+07:00."""
    return None if value is None else from_db(value).astimezone(TZ).isoformat(timespec="seconds")


def open311_status(status: str) -> str:
    return "closed" if status in CLOSED_STATUSES else "open"


def service(category: Category, locale: str, group: str) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name(locale),
        "description": category.name(locale),
        "metadata": True,
        "type": "realtime",
        "group": group,
    }


def public_request(case: Case, locale: str) -> dict:
    """What anyone may read: no names, phones or programme numbers; numbers in the text masked."""
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
        "address": None,
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
        "extended_attributes": {
            "detailed_status": case.status,
            "channel": case.channel,
            "people_affected": case.people_affected,
            "province_code": case.province_code,
            "district_code": case.district_code,
            "acknowledge_by": iso(case.ack_due_at),
            "fund_code": case.fund.code,
        },
    }
