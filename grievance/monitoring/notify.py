"""E-mails about monitoring, written to the outbox in the same transaction as their event.

Bodies carry the case reference and what happened, never free text a person typed.
"""

from __future__ import annotations

from sqlalchemy import select

from grievance.extensions import db
from grievance.models import Case, CaseFlag, CaseFollow, Fund, User
from grievance.monitoring import permissions
from grievance.notifications import outbox

FOLLOWER_EMAIL = {
    "en": (
        "Update on case {ref}",
        "Case {ref} ({fund}) you follow has a new public update: {what}.\n/monitor/cases/{id}",
    ),
    "km": (
        "ព័ត៌មានថ្មីអំពីករណី {ref}",
        "ករណី {ref} ({fund}) ដែលអ្នកតាមដាន មានព័ត៌មានថ្មីជាសាធារណៈ៖ {what}។\n/monitor/cases/{id}",
    ),
}
FLAG_EMAIL = {
    "en": ("Case flagged by a monitor: {ref}", "{org} flagged case {ref} ({fund}): {what}.\n/oversight/flags"),
    "km": ("ករណីត្រូវបានសម្គាល់ដោយអ្នកតាមដាន៖ {ref}", "{org} បានសម្គាល់ករណី {ref} ({fund})៖ {what}។\n/oversight/flags"),
}
EVENT_WORDS = {
    "en": {
        "acknowledge": "acknowledged",
        "public_update": "news from the fund",
        "request_info": "information requested",
        "provide_info": "information provided",
        "note": "information from the complainant",
        "resolve": "resolved",
        "reject": "rejected",
        "reopen": "reopened",
        "transfer": "transferred to another fund",
        "due_extended": "more time to answer, a new answer date",
        "appeal": "appealed: the complainant says the answer did not solve the problem",
        "appeal_decided": "appeal decided",
        "referral": "referred to an outside body",
    },
    "km": {
        "acknowledge": "បានទទួលស្គាល់",
        "public_update": "ព័ត៌មានពីមូលនិធិ",
        "request_info": "ស្នើសុំព័ត៌មាន",
        "provide_info": "បានផ្តល់ព័ត៌មាន",
        "note": "ព័ត៌មានពីអ្នកប្តឹង",
        "resolve": "បានដោះស្រាយ",
        "reject": "បានបដិសេធ",
        "reopen": "បានបើកឡើងវិញ",
        "transfer": "បានផ្ទេរទៅមូលនិធិផ្សេង",
        "due_extended": "ពេលបន្ថែមដើម្បីឆ្លើយតប និងថ្ងៃឆ្លើយតបថ្មី",
        "appeal": "បានប្តឹងឧទ្ធរណ៍៖ អ្នកប្តឹងថាចម្លើយមិនបានដោះស្រាយបញ្ហា",
        "appeal_decided": "បានសម្រេចលើបណ្តឹងឧទ្ធរណ៍",
        "referral": "បានបញ្ជូនទៅស្ថាប័នខាងក្រៅ",
    },
}
FLAG_WORDS = {
    "en": {
        "retaliation": "retaliation",
        "disputed": "resolution disputed",
        "no_contact": "no contact from the fund",
        "other": "other concern",
    },
    "km": {
        "retaliation": "ការសងសឹក",
        "disputed": "មិនឯកភាពនឹងដំណោះស្រាយ",
        "no_contact": "មូលនិធិមិនបានទាក់ទង",
        "other": "កង្វល់ផ្សេងទៀត",
    },
}


def _lang(user: User) -> str:
    return user.locale if user.locale in ("km", "en") else "km"


def notify_followers(case: Case, event_kind: str, event_seq: int) -> int:
    """E-mail each monitor following `case` (and still allowed to see it) about a public event."""
    followers = (
        select(User)
        .join(CaseFollow, CaseFollow.user_id == User.id)
        .where(CaseFollow.case_id == case.id, User.active.is_(True), User.role == "monitor")
    )
    count = 0
    for user in db.session.execute(followers.order_by(User.id)).scalars():
        still_visible = db.session.execute(
            permissions.visible_cases(user).with_only_columns(Case.id).where(Case.id == case.id)
        ).first()
        if still_visible is None:
            continue
        lang = _lang(user)
        subject, body = FOLLOWER_EMAIL[lang]
        what = EVENT_WORDS[lang].get(event_kind, event_kind)
        count += outbox.enqueue(
            channel="email",
            recipient=user.email,
            subject=subject.format(ref=case.reference),
            body=body.format(ref=case.reference, fund=case.fund.code, what=what, id=case.id),
            key=outbox.idempotency_key("follower", user.id, case.id, event_seq),
            case=case,
            language=lang,
        )
    return count


def council_members():
    """The council: its readers (role oversight) and its triage desk (staff of the oversight fund)."""
    desk = select(Fund.id).where(Fund.kind == "oversight")
    return select(User).where(
        User.active.is_(True),
        (User.role == "oversight") | (User.role.in_(["officer", "supervisor"]) & User.fund_id.in_(desk)),
    )


def notify_flag(case: Case, flag: CaseFlag, organisation_name: str) -> int:
    """E-mail a new flag, each reader in their language, queued in the flag's own transaction.

    A retaliation flag goes to the council's members at once, and not to the fund's supervisors:
    the fund's staff lose access to the complainant while it is open, and the person retaliating
    may be one of them. Every other kind goes to the supervisors of the fund handling the case.
    """
    if flag.kind == "retaliation":
        readers = council_members()
    else:
        readers = select(User).where(User.active.is_(True), User.role == "supervisor", User.fund_id == case.fund_id)
    count = 0
    for user in db.session.execute(readers.order_by(User.id)).scalars():
        lang = _lang(user)
        subject, body = FLAG_EMAIL[lang]
        count += outbox.enqueue(
            channel="email",
            recipient=user.email,
            subject=subject.format(ref=case.reference),
            body=body.format(
                ref=case.reference, fund=case.fund.code, org=organisation_name, what=FLAG_WORDS[lang][flag.kind]
            ),
            key=outbox.idempotency_key("flag", user.id, flag.id),
            case=case,
            language=lang,
        )
    return count
