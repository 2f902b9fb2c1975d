"""Words for the admin area's codes, in both languages: roles, kinds, terms, fields of the change log."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from grievance.intake.presenter import SITUATIONS

ROLE = {
    "admin": _l("Administrator"),
    "oversight": _l("Council (oversight)"),
    "supervisor": _l("Supervisor"),
    "officer": _l("Officer"),
    "monitor": _l("Monitor"),
    "frontdesk": _l("Front desk"),
}
ORG_KIND = {"cso": _l("Civil-society organisation"), "union": _l("Union"), "platform": _l("Platform")}
KEY_PURPOSE = {
    "relay": _l("Relay: a platform passing on people's own reports"),
    "assisted": _l("Assisted: filing on someone's behalf, with their consent"),
}
PRIORITY = {"normal": _l("Normal"), "urgent": _l("Urgent")}
SITUATION = dict(SITUATIONS)  # the groups of the public form
LEVEL = {"district": _l("District office"), "commune": _l("Commune (sangkat) office")}
LANGUAGE = {"km": "ភាសាខ្មែរ", "en": "English"}

# The clock terms (domain.sla.TERMS): a new term needs its words here.
TERM = {
    "ack_days": _l("Acknowledge within (working days)"),
    "resolve_days": _l("Resolve within (working days)"),
    "loop_days": _l("Keep in the loop: an update at least every (working days)"),
    "warn_percent": _l("Warn at (per cent of the time)"),
    "escalate_after_days": _l("Escalate to the council after a breach (working days)"),
    "reopen_window_days": _l("Complainant may reopen within (days)"),
    "appeal_days": _l("Decide an appeal within (working days)"),
}
TERM_SHORT = {
    "ack_days": _l("Acknowledge"),
    "resolve_days": _l("Resolve"),
    "loop_days": _l("Keep in the loop"),
    "warn_percent": _l("Warn at (per cent)"),
    "escalate_after_days": _l("Escalate after"),
    "reopen_window_days": _l("Reopen within"),
    "appeal_days": _l("Appeal"),
}

ENTITY = {
    "user": _l("Account"),
    "organisation": _l("Organisation"),
    "api_key": _l("API key"),
    "category": _l("Category"),
    "routing_rule": _l("Routing rule"),
    "routing_table": _l("Order of the routing rules"),
    "service_level": _l("Service levels"),
    "closure_day": _l("Closure day"),
    "office": _l("Office"),
    "info_page": _l("Information page"),
    "monitor_scope": _l("Monitoring scope"),
    "setting": _l("Setting"),
    "reply_template": _l("Reply template"),
}
FIELD = {
    "khmer_digits": _l("Khmer digits"),
    "email": _l("E-mail"),
    "name": _l("Name"),
    "role": _l("Role"),
    "fund_id": _l("Fund"),
    "default_fund_id": _l("Fund"),
    "organisation_id": _l("Organisation"),
    "organisation": _l("Organisation"),
    "office_id": _l("Office"),
    "locale": _l("Language"),
    "active": _l("Active"),
    "kind": _l("Kind"),
    "purpose": _l("Purpose"),
    "prefix": _l("Key prefix"),
    "code": _l("Code"),
    "name_km": _l("Name in Khmer"),
    "name_en": _l("Name in English"),
    "priority": _l("Priority"),
    "sensitive": _l("Sensitive"),
    "situation": _l("Place on the form"),
    "position": _l("Order"),
    "category_id": _l("Category"),
    "province_code": _l("Province"),
    "district_code": _l("District"),
    "commune_code": _l("Commune"),
    "channel": _l("Channel"),
    "office": _l("Office"),
    "order": _l("Order"),
    "day": _l("Day"),
    "reason_en": _l("Reason in English"),
    "reason_km": _l("Reason in Khmer"),
    "level": _l("Level"),
    "two_step": _l("Two-step login"),
    "slug": _l("Address"),
    "title_km": _l("Title in Khmer"),
    "title_en": _l("Title in English"),
    "body_km": _l("Text in Khmer"),
    "body_en": _l("Text in English"),
    **TERM_SHORT,
}
NOTE = {
    "invited": _l("invited"),
    "invitation sent again": _l("invitation sent again"),
    "password link sent": _l("password link sent"),
}
DUE = {
    "ack_due_at": _l("Acknowledgement due"),
    "resolve_due_at": _l("Answer due"),
    "loop_due_at": _l("Next update due"),
}
