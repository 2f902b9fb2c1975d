"""One way from any channel to a case: every channel's answers become a Submission here.

The web form (whole or in steps), the front desk, assisted filing, Open311 (api/payload.py), SMS
and Telegram all hand their answers over under the same field names, and `to_submission` applies
the rules they share once: only the fields listed reach the case, blank is "not said", an
anonymous complainant leaves no name, phone or e-mail, SMS updates need a phone, a yes/no
question is True or "not said".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from grievance.intake.service import Submission

FIELDS = (
    "category",
    "description",
    "occurred_on",
    "province",
    "district",
    "commune",
    "identity_mode",
    "name",
    "phone",
    "email",
    "programme_number",
    "consent",
    "sms_opt_in",
    "gender",
    "age_band",
    "disability",
    "idpoor",
    "informal_worker",
    "indigenous",
    "people_affected",
    "form_token",
)
FLAGS = ("disability", "idpoor", "informal_worker", "indigenous")


def _text(values: Mapping[str, Any], name: str) -> str | None:
    value = values.get(name)
    if isinstance(value, str):
        value = value.strip()
    return value if value not in (None, "") else None


def to_submission(values: Mapping[str, Any], *, channel: str, language: str) -> Submission:
    """The Submission for these answers, whichever channel gave them (fields not in FIELDS are ignored)."""
    mode = _text(values, "identity_mode") or "anonymous"
    known = mode != "anonymous"
    phone = _text(values, "phone") if known else None
    flags = {name: True if values.get(name) else None for name in FLAGS}
    return Submission(
        category_code=values["category"],
        description=values["description"],
        channel=channel,
        identity_mode=mode,
        language=language if language in ("km", "en") else "km",
        occurred_on=values.get("occurred_on") or None,
        province_code=_text(values, "province"),
        district_code=_text(values, "district"),
        commune_code=_text(values, "commune"),
        name=_text(values, "name") if known else None,
        phone=phone,
        email=_text(values, "email") if known else None,
        sms_opt_in=bool(phone and values.get("sms_opt_in")),
        programme_number=_text(values, "programme_number"),
        consent_given=bool(values.get("consent")),
        gender=_text(values, "gender"),
        age_band=_text(values, "age_band"),
        people_affected=int(values.get("people_affected") or 1),
        form_token=_text(values, "form_token"),
        **flags,
    )


def form_values(form, **overrides: Any) -> dict[str, Any]:
    """The answers a WTForms form holds, under the shared field names (a form may lack some)."""
    values = {name: form[name].data for name in FIELDS if name in form}
    values.update(overrides)
    return values


def from_form(form, *, channel: str, language: str, **overrides: Any) -> Submission:
    """A Submission from a filled-in form of any blueprint."""
    return to_submission(form_values(form, **overrides), channel=channel, language=language)
