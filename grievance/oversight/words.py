"""Names of the dashboard's figures and of the vulnerable groups, in both languages."""

from flask_babel import lazy_gettext as _l

FIGURES = {
    "received": _l("Complaints received"),
    "ack_due": _l("Acknowledgements due"),
    "ack_on_time": _l("Acknowledged on time"),
    "resolve_due": _l("Answers due"),
    "resolve_on_time": _l("Resolved on time"),
    "resolved": _l("Resolved (first answer)"),
    "backlog_total": _l("Open at the end of the period"),
    "breached_cases": _l("Cases with a breach"),
    "breach_acknowledge": _l("Acknowledgement deadline breached"),
    "breach_resolve": _l("Answer deadline breached"),
    "breach_keep_in_loop": _l("Keep-in-the-loop deadline breached"),
    "escalations": _l("Escalated to the council"),
    "transfers": _l("Transferred to another fund"),
    "transfers_in": _l("Transferred in"),
    "transfers_out": _l("Transferred out"),
    "reopened": _l("Reopened"),
    "finished": _l("Answered (resolved or rejected)"),
    "feedback": _l("Complainants who answered"),
    "satisfied": _l("Complainants satisfied"),
}
GROUPS = {
    "women": _l("Women"),
    "disability": _l("Persons with disabilities"),
    "idpoor": _l("IDPoor households"),
    "informal_worker": _l("Informal workers"),
    "indigenous": _l("Indigenous people"),
}
