"""Words shown for codes (statuses, service-level states, clocks, events), in both languages."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from grievance.domain import dates
from grievance.domain.calendar import TZ
from grievance.geo import province_name
from grievance.models.timeutil import from_db

STATUS = {
    "received": _l("Received"),
    "acknowledged": _l("Acknowledged"),
    "in_progress": _l("In progress"),
    "awaiting_info": _l("Awaiting information"),
    "resolved": _l("Resolved"),
    "rejected": _l("Rejected"),
    "closed": _l("Closed"),
    "reopened": _l("Reopened"),
}
SLA = {
    "on_track": _l("On track"),
    "at_risk": _l("At risk"),
    "breached": _l("Breached"),
    "escalated": _l("Escalated"),
}
CLOCK = {
    "acknowledge": _l("Acknowledge"),
    "resolve": _l("Resolve"),
    "keep_in_loop": _l("Keep in the loop"),
    "appeal": _l("Appeal decision"),
}
EVENT = {
    "received": _l("Received"),
    "acknowledge": _l("Acknowledged"),
    "start": _l("Work started"),
    "assign": _l("Assigned"),
    "request_info": _l("Information requested"),
    "provide_info": _l("Information provided"),
    "public_update": _l("Public update"),
    "note": _l("Note"),
    "resolve": _l("Resolved"),
    "reject": _l("Rejected"),
    "close": _l("Closed"),
    "reopen": _l("Reopened"),
    "transfer": _l("Transferred"),
    "escalate": _l("Escalated"),
    "escalated": _l("Escalated"),
    "feedback": _l("Complainant feedback"),
    "sla_warning": _l("Service level at risk"),
    "sla_breach": _l("Service level breached"),
    "request_extension": _l("Extension requested"),
    "decide_extension": _l("Extension decided"),
    "due_extended": _l("New answer date told to the complainant"),
    "monitor_follow": _l("Followed by a monitor"),
    "monitor_unfollow": _l("No longer followed by a monitor"),
    "monitor_flag": _l("Flagged by a monitor"),
    "flag_handled": _l("Flag handled"),
    "flag_instruction": _l("The council's instruction on a flag"),
    "flag_answer": _l("The fund answered the council"),
    "flag_note": _l("Council note on a flag"),
    "monitor_comment": _l("Comment from a monitoring organisation"),
    "in_person": _l("Filed at a front desk"),
    "visit": _l("Visit to the front desk"),
    "code_reissued": _l("New tracking code issued"),
    "identity_checked": _l("Identity checked at a front desk"),
    "identity_view": _l("Personal data opened"),
    "identity_alert": _l("Identity-access alert"),
    "identity_alert_handled": _l("Identity-access alert handled"),
    "attachments_added": _l("Files attached"),
    "state_recorded": _l("Record keyed"),
    "admin_change": _l("Settings changed"),
    "due_moved": _l("Due dates moved by a closure day"),
    "appeal": _l("Appeal opened"),
    "appeal_decided": _l("Appeal decided"),
    "appeal_warning": _l("Appeal decision at risk"),
    "appeal_breach": _l("Appeal decision late"),
    "referral": _l("Referred to an outside body"),
    "recategorise": _l("Category corrected"),
    "duplicate": _l("Marked as a duplicate"),
    "duplicate_linked": _l("A duplicate was linked to this case"),
    "incident_linked": _l("Linked to an incident"),
    "incident_unlinked": _l("No longer linked to an incident"),
}
# Bodies outside the system a case may be referred to (cases/appeals.OUTSIDE_BODIES).
OUTSIDE_BODY = {
    "ssr": _l("Social Security Regulator"),
    "arbitration": _l("Arbitration Council"),
    "labour": _l("Ministry of Labour and Vocational Training"),
    "acu": _l("Anti-Corruption Unit"),
    "court": _l("A court"),
    "other": _l("Another body"),
}
APPEAL_OUTCOME = {"upheld": _l("The first answer was upheld"), "overturned": _l("The first answer was overturned")}
REVIEWER_BODY = {
    "fund": _l("The fund (a reviewer other than the first officer)"),
    "council": _l("The National Social Protection Council"),
}
CHANNEL = {
    "web": _l("Web form"),
    "api": _l("Partner tool (API)"),
    "assisted": _l("Filed by an organisation"),
    "in_person": _l("In person at an office"),
    "phone": _l("Phone"),
    "sms": _l("SMS"),
    "telegram": _l("Telegram"),
}
ACTOR = {
    "complainant": _l("Complainant"),
    "system": _l("System"),
    "staff": _l("Staff"),
    "monitor": _l("Monitor"),
}
# Why someone opens a complainant's personal data (models.case.IDENTITY_VIEW_REASONS), on record.
IDENTITY_REASON = {
    "contact": _l("To contact the complainant about this complaint"),
    "verify": _l("To check eligibility or programme records"),
    "investigate": _l("To investigate the complaint"),
    "legal": _l("A legal or audit request"),
}
IDENTITY_OUTPUT = {
    "panel": _l("Contact details on screen"),
    "case_file": _l("Case file (PDF)"),
    "attachment": _l("Attached file"),
    "export": _l("Export"),
}
IDENTITY = {
    "anonymous": _l("anonymous"),
    "confidential": _l("confidential"),
    "named": _l("named"),
}


def localtime(value):
    return None if value is None else from_db(value).astimezone(TZ)


def khmer_digits_chosen() -> bool:
    """Whether an administrator chose Khmer digits for dates and numbers read in Khmer (admin settings page)."""
    from grievance.admin.settings import khmer_digits

    return khmer_digits()


def _lang(lang: str | None) -> str:
    from grievance.i18n import current_locale

    return lang or current_locale()


def day(value, lang: str | None = None) -> str:
    """Template filter: a calendar day for the reader (Khmer month names; Khmer digits if chosen)."""
    return dates.day(value, _lang(lang), khmer=khmer_digits_chosen())


def moment(value, lang: str | None = None) -> str:
    """Template filter: a day and time of day for the reader."""
    return dates.moment(value, _lang(lang), khmer=khmer_digits_chosen())


def number(value, lang: str | None = None) -> str:
    """Template filter: a count for the reader (Khmer digits if chosen)."""
    return dates.number(value, _lang(lang), khmer=khmer_digits_chosen())


def _shown_text(case, text: str | None) -> str:
    """Text about a case as the signed-in reader may see it (services.disclosure decides)."""
    from flask_login import current_user

    from grievance.services import disclosure

    return disclosure.text_for(current_user, case, text)


def _category_name(code: str | None) -> str:
    """A category's name in the reader's language, from its code (the code itself if unknown)."""
    from grievance.i18n import current_locale
    from grievance.services import reference

    category = reference.category_by_code(code) if code else None
    return (code or "—") if category is None else category.name(current_locale())


def init_app(app: Flask) -> None:
    app.jinja_env.filters["localtime"] = localtime
    app.jinja_env.filters["day"] = day
    app.jinja_env.filters["moment"] = moment
    app.jinja_env.filters["number"] = number
    app.jinja_env.globals.update(
        status_label=lambda code: STATUS.get(code, code),
        sla_label=lambda code: SLA.get(code, code),
        clock_label=lambda code: CLOCK.get(code, code),
        event_label=lambda code: EVENT.get(code, code),
        identity_label=lambda code: IDENTITY.get(code, code),
        channel_label=lambda code: CHANNEL.get(code, code),
        actor_label=lambda name: ACTOR.get(name, name),
        reason_label=lambda code: IDENTITY_REASON.get(code, code or "—"),
        output_label=lambda code: IDENTITY_OUTPUT.get(code, code or "—"),
        shown_text=_shown_text,
        province_name=province_name,
        category_name=_category_name,
        status_labels=STATUS.items(),
        month_name=lambda n, lang=None: dates.month_name(n, _lang(lang)),
        sla_labels=SLA.items(),
    )
