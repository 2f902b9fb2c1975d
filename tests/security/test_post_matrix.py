"""Role × action: every POST endpoint of the app, posted directly by every role, with valid data.

The table POSTS below names, for every POST endpoint in app.url_map (and every page action of
cases.act), who may do it. A route nobody declared fails `test_every_post_endpoint_is_in_the_table`,
so a route added later must say who may post it. Each (endpoint, role, case) is then posted:

- by a role the table allows, on a case freshly put in a state where the action is possible:
  the action must take effect (its event, row or answer is checked);
- by every other role, on such a case, with data that passes the form: the answer is 403, or
  404 where the role may not even know the case exists (or 401 when logged out), and not one
  row of the database changes.

The forms are valid, so a refusal here is the role's, not the form's: it comes from the view's
check or, where a page would have let the role through (an officer assigning a colleague), from
the service itself (services/permits.py). `test_services_refuse_the_roles_directly` calls the
verbs without any page at all.

Cases: A (NSAF, Phnom Penh), B (NSSF, Siem Reap), C (a council triage case, Phnom Penh) and M (a
misconduct complaint, Phnom Penh, held by the council's desk). Roles: those of
tests/security/conftest.py and the council's triage desk (an officer of NSPC).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pytest
from flask import current_app
from sqlalchemy import func, select

from grievance.cases import service as cases
from grievance.cases.actions import ACTIONS, WORKFLOW_ACTION
from grievance.extensions import db
from grievance.models import (
    Attachment,
    Case,
    CaseFlag,
    Event,
    IdentityAlert,
    IdentityView,
    InfoPage,
    MonitorScope,
    OutboxMessage,
    User,
)
from grievance.monitoring import flags as flag_service
from grievance.monitoring import service as monitoring
from tests.factories import PASSWORD
from tests.intake.helpers import FreshRequestClient, complaint_data
from tests.security.conftest import ROLES as WORLD_ROLES
from tests.security.routes import changed_tables, db_state, routes

ROLES = (*WORLD_ROLES, "council_desk")
LOGGED_OUT = {"anonymous", "complainant"}
STAFF = set(ROLES) - LOGGED_OUT
KINDS = ("a", "b", "c", "m")
CATEGORY = {"a": "NSAF-CT-MISSING", "b": "NSSF-CONTRIB", "c": "OTHER", "m": "MISCONDUCT"}
PROVINCE = {"a": "12", "b": "17", "c": "12", "m": "12"}
HANDLERS = {"a": {"officer_a", "supervisor"}, "b": {"officer_b"}, "c": {"council_desk"}, "m": {"council_desk"}}
SUPERVISORS = {"a": {"supervisor"}, "b": set(), "c": set(), "m": set()}
CASE_VIEWERS = {k: HANDLERS[k] | {"oversight", "admin"} for k in KINDS}
MONITOR_SEES = {"a": {"monitor_in"}, "b": set(), "c": {"monitor_in"}, "m": {"monitor_in"}}
DESK_SEES = {"a": {"frontdesk"}, "b": set(), "c": {"frontdesk"}, "m": set()}  # never misconduct
MONITORS = {"monitor_in", "monitor_out"}
NOW = datetime.now(timezone.utc)
ROOT = Path(__file__).resolve().parents[2]


# --- the table --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """Who may post an endpoint, per case kind; how the others are refused; how to try it."""

    allowed: Callable[[str], set]
    attempt: Callable  # (ctx, kind, role) -> Attempt, on fresh data where the action is possible
    kinds: tuple = ("a",)
    hidden: Callable[[str], set] = lambda kind: set()  # refused with 404: may not know it exists
    refused_status: int = 403
    public: bool = False  # logged-out roles are not refused by the login gate
    # The allowed roles' effects are proved in this test file (whose verbs need data this world
    # does not build); here every other role is refused with nothing changed.
    effects_in: str | None = None

    def expected(self, role: str, kind: str):
        if role in self.allowed(kind):
            return "ok"
        if role in LOGGED_OUT and not self.public:
            return 401
        if role in self.hidden(kind):
            return 404
        return self.refused_status


@dataclass
class Attempt:
    url: str
    data: dict | bytes | None = None
    effect: Callable | None = None  # (response) -> problem or None, for an allowed role
    headers: dict = field(default_factory=dict)
    json: dict | None = None
    client: object = None  # a throwaway client of its own (the attempt changes its session)


def every(_kind=None) -> set:
    return set(ROLES)


def only(*roles) -> Callable[[str], set]:
    return lambda kind: set(roles)


def _event_added(ctx, case, kind: str):
    def check(response):
        if response.status_code >= 400:
            return f"answered {response.status_code}"
        found = db.session.execute(
            select(func.count()).select_from(Event).where(Event.case_id == case.id, Event.kind == kind)
        ).scalar()
        return None if found else f"no {kind!r} event on the case (answer {response.status_code})"

    return check


def _status(*codes):
    def check(response):
        return None if response.status_code in codes else f"answered {response.status_code}, not {codes}"

    return check


def _rows_added(model, before: int):
    def check(response):
        db.session.expire_all()
        now = db.session.execute(select(func.count()).select_from(model)).scalar()
        ok = now > before and response.status_code < 400
        return None if ok else f"{model.__tablename__}: {before} -> {now} rows, answer {response.status_code}"

    return check


def _count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar()


# cases.act: the page actions. State each needs, and the data that passes its form.
PRECONDITION = {
    "acknowledge": "received",
    "start": "acknowledged",
    "claim": "in_progress",
    "assign": "in_progress",
    "request_info": "in_progress",
    "public_update": "in_progress",
    "note": "in_progress",
    "resolve": "in_progress",
    "reject": "in_progress",
    "transfer": "in_progress",
    "close": "resolved",
    "reopen": "resolved",
    "request_extension": "in_progress",
    "decide_extension": "extension_pending",
    "escalate": "in_progress",
    "recategorise": "in_progress",
    "mark_duplicate": "in_progress",
}
ACT_ALLOWED = {name: (lambda kind: HANDLERS[kind]) for name in ACTIONS}
ACT_ALLOWED["assign"] = lambda kind: SUPERVISORS[kind]  # officers claim; giving a case to a colleague is a supervisor's
ACT_ALLOWED["decide_extension"] = lambda kind: SUPERVISORS[kind]
ACT_KINDS = {name: KINDS for name in ACTIONS}
ACT_KINDS["transfer"] = (
    "a",
    "b",
    "c",
)  # a misconduct complaint cannot leave the council (a rule of the case, not of roles)
TRANSFER_TO = {"a": "NSSF", "b": "NSAF", "c": "NSAF"}
# A correction that keeps the case with its handler (a misconduct complaint is corrected by the desk).
RECATEGORISE_TO = {"a": "NSAF-CT-AMOUNT", "b": "NSSF-INJURY", "c": "MISCONDUCT", "m": "OTHER"}


def _act_attempt(action: str):
    def attempt(ctx, kind, role):
        case = ctx.fresh(kind, PRECONDITION[action])
        data = {"version": case.version, "message": "matrix check", "outcome": "remedied", "extra_days": "3"}
        if action == "transfer":
            data["fund"] = TRANSFER_TO[kind]
        if action == "recategorise":
            data["category"] = RECATEGORISE_TO[kind]
        if action == "mark_duplicate":  # an original of the same kind, which the handler may open
            data["original"] = ctx.fresh(kind, "in_progress").reference
        if action == "assign":
            data["assignee"] = str(ctx.colleague[kind].id)
        if action == "decide_extension":
            data.update(decision="approve", request_id=str(cases.pending_extensions(case)[0].id))
        event = {"mark_duplicate": "duplicate"}.get(action, WORKFLOW_ACTION[action])
        return Attempt(f"/cases/{case.id}/{action}", data, _event_added(ctx, case, event))

    return attempt


def _case_bound(path: str, kind_effect: Callable, **data):
    """An attempt on a fresh in-progress case of the kind: `path` has {id}."""

    def attempt(ctx, kind, role):
        case = ctx.fresh(kind, "in_progress")
        return Attempt(path.format(id=case.id), dict(data), kind_effect(ctx, case))

    return attempt


def _identity(ctx, kind, role):
    case = ctx.fresh(kind, "in_progress")
    before = _count(IdentityView)
    return Attempt(f"/cases/{case.id}/identity", {"reason": "contact"}, _rows_added(IdentityView, before))


def _phone_search(ctx, kind, role):
    """The queue's phone search for a fresh case's complainant: an identity view for each case shown."""
    phone = f"097 {next(_PHONES):06d}"  # this case's alone: the search finds no earlier attempt's case
    ctx.fresh(kind, "in_progress", phone=phone)
    before = _count(IdentityView)
    return Attempt("/cases/search/phone", {"phone": phone, "reason": "contact"}, _rows_added(IdentityView, before))


FUND_STAFF = {"officer_a", "supervisor", "officer_b", "council_desk"}
_PHONES = itertools.count(1)


def _case_file_with_identity(ctx, kind, role):
    case = ctx.fresh(kind, "in_progress")
    before = _count(IdentityView)
    return Attempt(f"/reports/case/{case.id}.pdf", {"reason": "legal"}, _rows_added(IdentityView, before))


def _attachment(ctx, kind, role):
    case = ctx.fresh(kind, "in_progress")
    row = Attachment(
        case_id=case.id, stored_name=f"matrix-{case.id}.pdf", original_name="matrix.pdf", content_type="application/pdf"
    )
    row.size, row.sha256 = 4, "0" * 64
    (Path(current_app.config["UPLOAD_DIR"]) / row.stored_name).write_bytes(b"%PDF")
    db.session.add(row)
    db.session.commit()
    before = _count(IdentityView)
    return Attempt(f"/cases/{case.id}/attachments/{row.id}", {"reason": "verify"}, _rows_added(IdentityView, before))


def _handle_identity_alert(ctx, kind, role):
    viewer = ctx.users["officer_a"]
    alert = IdentityAlert(user_id=viewer.id, raised_at=datetime.now(timezone.utc), views=2, view_limit=1)
    alert.status = "open"
    db.session.add(alert)
    db.session.commit()

    def handled(response):
        db.session.expire_all()
        status = db.session.get(IdentityAlert, alert.id).status
        return None if status == "handled" else f"alert still {status}, answer {response.status_code}"

    return Attempt(f"/oversight/identity-access/alerts/{alert.id}/handle", {}, handled)


def _appeal_decide(ctx, kind):
    case = ctx.fresh(kind, "appealed")
    data = {"version": case.version, "decision": "upheld", "new_outcome": "", "reason": "The payment was made."}
    return Attempt(f"/cases/{case.id}/appeal/decide", data, _event_added(ctx, case, "appeal_decided"))


def _desk_feedback(ctx, kind):
    case = ctx.fresh(kind, "resolved")
    return Attempt(f"/frontdesk/cases/{case.id}/feedback", {"solved": "no"}, _event_added(ctx, case, "feedback"))


def _monitor(path: str, event: str, **data):
    return _case_bound(path, lambda ctx, case: _event_added(ctx, case, event), **data)


def _handle_flag(ctx, kind, role):
    case = ctx.fresh(kind, "in_progress")
    flag = monitoring.raise_flag(case, ctx.flagger, "no_contact", "matrix")
    db.session.commit()
    return Attempt(f"/oversight/flags/{flag.id}/handle", {"outcome": "matrix"}, _event_added(ctx, case, "flag_handled"))


def _flag_step(step: str, event: str, data: dict, instructed: bool = False):
    def attempt(ctx, kind, role):
        case = ctx.fresh(kind, "in_progress")
        flag = monitoring.raise_flag(case, ctx.flagger, "no_contact", "matrix")
        if instructed:
            flag_service.instruct(flag, ctx.users["oversight"], "Call the complainant back", 5)
        db.session.commit()
        path = f"/cases/{case.id}/flags/{flag.id}/{step}" if step == "answer" else f"/oversight/flags/{flag.id}/{step}"
        return Attempt(path, dict(data), _event_added(ctx, case, event))

    return attempt


def _add_scope(ctx, kind, role):
    before = _count(MonitorScope)
    return Attempt(
        f"/admin/organisations/{ctx.world.org_in.id}/scope", {"province": "03"}, _rows_added(MonitorScope, before)
    )


def _remove_scope(ctx, kind, role):
    row = MonitorScope(organisation_id=ctx.world.org_in.id, province_code="05")
    db.session.add(row)
    db.session.commit()
    row_id = row.id

    def gone(response):
        db.session.expire_all()
        return None if db.session.get(MonitorScope, row_id) is None else f"still there ({response.status_code})"

    return Attempt(f"/admin/organisations/{ctx.world.org_in.id}/scope/{row_id}/delete", {}, gone)


def _info_edit(ctx, kind, role):
    page = ctx.world.info_page
    title = f"Matrix {role}"

    def saved(response):
        db.session.expire_all()
        return None if db.session.get(InfoPage, page.id).title_en == title else f"not saved ({response.status_code})"

    return Attempt(
        f"/admin/info/{page.id}",
        {"title_km": "ទំព័រ", "title_en": title, "body_km": "អត្ថបទ", "body_en": "Text", "version": page.version},
        saved,
    )


def _filing(path: str, **fields):
    """An attempt that files a complaint through the form at `path` (a new case for an allowed role)."""

    def attempt(ctx, kind, role):
        before = _count(Case)
        data = {"category": "NSAF-CT-MISSING", "description": "គាត់មិនទាន់បានទទួលប្រាក់។", "consent": "y"}
        return Attempt(path, {**data, **fields, "form_token": ctx.token()}, _rows_added(Case, before))

    return attempt


def _is_pdf(response):
    return None if response.mimetype == "application/pdf" else f"{response.status_code} {response.mimetype}"


def _desk_receipt(ctx, kind, role):
    case, code = ctx.world.cases["a"], ctx.world.codes["a"]
    return Attempt("/frontdesk/receipt.pdf", {"reference": case.reference, "code": code, "language": "en"}, _is_pdf)


def _page_status(path: str, status: int, **data):
    return lambda ctx, kind, role: Attempt(path, dict(data), _status(status))


def _page(path: str, data: dict | None = None):
    return lambda ctx, kind, role: Attempt(path, dict(data or {}), _status(200))


def _desk_identity(ctx, kind, role):
    case = ctx.fresh(kind, "in_progress")
    before = _count(IdentityView)
    return Attempt(f"/frontdesk/cases/{case.id}/identity", {}, _rows_added(IdentityView, before))


def _desk_new_code(ctx, kind, role):
    case = ctx.fresh(kind, "in_progress")
    data = {"document": "id_card", "checked": "y"}
    return Attempt(f"/frontdesk/cases/{case.id}/new-code", data, _event_added(ctx, case, "code_reissued"))


# --- mass incidents (cases/incidents.py) ---


def _incident(ctx, kind: str, *, linked: str | None = None):
    """A fresh incident: of NSAF (case A's fund) by its supervisor, or of every fund by the council
    (kind b); with `linked`, a fresh case of the kind in that state linked to it."""
    from datetime import timedelta

    from grievance.cases import incidents

    start, end = (NOW - timedelta(days=2)).date(), (NOW + timedelta(days=2)).date()
    declarer = ctx.supervisor if kind == "a" else ctx.users["oversight"]
    incident = incidents.declare(
        declarer,
        title="Matrix incident",
        period_start=start,
        period_end=end,
        now=NOW,
        province_code=PROVINCE[kind],
    )
    case = None
    if linked is not None:
        case = ctx.fresh(kind, linked)
        incidents.link(incident, declarer, case, now=NOW)
    db.session.commit()
    return incident, case


def _declare_incident(ctx, kind, role):
    from grievance.models import Incident

    before = _count(Incident)
    day = NOW.date().isoformat()
    data = {"title": "Payment round failed", "period_start": day, "period_end": day, "fund": ""}
    return Attempt("/incidents/", data, _rows_added(Incident, before))


def _link_case(ctx, kind, role):
    incident, _ = _incident(ctx, kind)
    case = ctx.fresh(kind, "in_progress")
    return Attempt(
        f"/incidents/{incident.id}/link", {"case_id": str(case.id)}, _event_added(ctx, case, "incident_linked")
    )


def _link_filter(ctx, kind, role):
    from grievance.models import CaseIncident

    incident, _ = _incident(ctx, kind)
    ctx.fresh(kind, "in_progress")
    before = _count(CaseIncident)
    from grievance.domain.calendar import TZ

    day = NOW.astimezone(TZ).date().isoformat()  # the filter's days are Phnom Penh's
    data = {"category": "", "province": PROVINCE[kind], "received_from": day, "received_to": day}
    return Attempt(f"/incidents/{incident.id}/link-filter", data, _rows_added(CaseIncident, before))


def _incident_case_action(path: str, event: str, **data):
    def attempt(ctx, kind, role):
        incident, case = _incident(ctx, kind, linked="in_progress")
        return Attempt(
            f"/incidents/{incident.id}/{path}", {"case_id": str(case.id), **data}, _event_added(ctx, case, event)
        )

    return attempt


def _close_incident(ctx, kind, role):
    from grievance.models import Incident

    incident, _ = _incident(ctx, kind)

    def closed(response):
        db.session.expire_all()
        status = db.session.get(Incident, incident.id).status
        return None if status == "closed" else f"incident {status}, answer {response.status_code}"

    return Attempt(f"/incidents/{incident.id}/close", {}, closed)


# --- public endpoints: anyone, logged in or not ---


def _intake_submit(ctx, kind, role):
    before = _count(Case)
    return Attempt("/", complaint_data(ctx.token()), _rows_added(Case, before))


def _track(ctx, kind, role):
    case, code = ctx.world.cases["a"], ctx.world.codes["a"]
    found = lambda r: None if r.status_code == 200 and case.reference in r.get_data(as_text=True) else r.status_code  # noqa: E731
    return Attempt("/track", {"reference": case.reference, "code": code}, found)


def _add_information(ctx, kind, role):
    case, code = ctx.fresh(kind, "in_progress", with_code=True)
    data = {"reference": case.reference, "code": code, "message": "I went to the commune office."}
    return Attempt("/track/information", data, _event_added(ctx, case, "note"))


def _feedback(ctx, kind, role):
    case, code = ctx.fresh(kind, "resolved", with_code=True)
    return Attempt(
        "/track/feedback",
        {"reference": case.reference, "code": code, "solved": "yes"},
        _event_added(ctx, case, "feedback"),
    )


def _receipt(ctx, kind, role):
    case, code = ctx.world.cases["a"], ctx.world.codes["a"]
    return Attempt("/reports/receipt.pdf", {"reference": case.reference, "code": code}, _is_pdf)


def _api_create(ctx, kind, role):
    before = _count(Case)
    body = {"service_code": "OTHER", "description": "ខ្ញុំមានបញ្ហា", "attribute": {}}
    return Attempt("/open311/v2/requests.json", json=body, effect=_rows_added(Case, before))


def _sms(ctx, kind, role):
    before = _count(OutboxMessage)
    data = {"from": "+855 12 000 111", "text": "STATUS GRV-2026-000001"}
    return Attempt(
        "/sms/inbound",
        json=data,
        effect=lambda r: None if r.status_code == 403 and _count(OutboxMessage) == before else r.status_code,
    )


def _login(ctx, kind, role):
    other = ctx.make.user("officer", fund="NSAF")
    lands = lambda r: None if r.status_code == 302 and not r.headers["Location"].startswith("/auth/") else r.status_code  # noqa: E731
    return Attempt("/auth/login", {"email": other.email, "password": PASSWORD}, lands, client=ctx.throwaway(role))


def _nothing_pending(path: str):
    def back(r):
        return None if r.status_code == 302 and r.headers["Location"].startswith("/auth/login") else r.status_code

    return lambda ctx, kind, role: Attempt(path, {"code": "123456"}, back, client=ctx.throwaway(role))


def _forgot(ctx, kind, role):
    sent = lambda r: None if r.status_code == 200 else r.status_code  # noqa: E731
    return Attempt("/auth/forgot", {"email": "nobody@example.org"}, sent)


def _admin_post(endpoint: str):
    """The endpoint's URL with every id 1: the administration refuses other roles before any lookup."""

    def attempt(ctx, kind, role):
        rule = next(r.rule for r in routes(ctx.app) if r.endpoint == endpoint and r.method == "POST")
        url = rule.build(dict.fromkeys(rule.arguments, 1), append_unknown=False)[1]
        return Attempt(url, {"version": "1", "name": "x", "email": "x@example.org", "role": "officer"})

    return attempt


# The administration (issue 15): each verb's effect as an administrator is in tests/admin.
ADMIN_POSTS = (
    "admin.add_closure",
    "admin.add_rule",
    "admin.cancel_terms",
    "admin.category",
    "admin.disable_user",
    "admin.enable_user",
    "admin.invite",
    "admin.issue_key",
    "admin.move_rule",
    "admin.new_category",
    "admin.new_office",
    "admin.new_reply",
    "admin.office",
    "admin.organisation",
    "admin.organisations",
    "admin.preview_closure",
    "admin.preview_removal",
    "admin.remove_closure",
    "admin.reply",
    "admin.resend_invitation",
    "admin.reset_two_step",
    "admin.revoke_key",
    "admin.rule",
    "admin.send_password_link",
    "admin.settings",
    "admin.terms",
    "admin.user",
)


# --- one's own account ---


def _password(ctx, kind, role):
    client, user = ctx.own_account(role)
    new = "a brand new password for the matrix"

    def changed(response):
        db.session.expire_all()
        return None if db.session.get(User, user.id).password_changed_at is not None else response.status_code

    return Attempt("/auth/password", {"current": PASSWORD, "new": new, "confirm": new}, changed, client=client)


def _totp_setup(ctx, kind, role):
    from grievance.domain import totp

    client, user = ctx.own_account(role)
    client.get("/auth/totp/setup")
    with client.session_transaction() as sess:
        secret = sess.get("totp_setup", totp.new_secret())
    code = totp.code_at(secret, int(datetime.now(timezone.utc).timestamp() // 30))

    def on(response):
        db.session.expire_all()
        return None if db.session.get(User, user.id).totp_secret == secret else response.status_code

    return Attempt("/auth/totp/setup", {"code": code, "proof": PASSWORD}, on, client=client)


def _logout(ctx, kind, role):
    client, user = ctx.own_account(role)
    token = user.session_token if user else None

    def ended(response):
        db.session.expire_all()
        return None if db.session.get(User, user.id).session_token != token else response.status_code

    return Attempt("/auth/logout", {}, ended, client=client)


POSTS: dict[str, Rule] = {
    # fund staff: the page actions are in ACTION_RULES below
    "cases.identity": Rule(
        lambda kind: HANDLERS[kind], _identity, KINDS, hidden=lambda kind: STAFF - CASE_VIEWERS[kind]
    ),
    # outputs carrying identity: the handling fund only, each an identity view on record
    "cases.attachment": Rule(
        lambda kind: HANDLERS[kind], _attachment, KINDS, hidden=lambda kind: STAFF - HANDLERS[kind]
    ),
    "reports.case_file_with_identity": Rule(
        lambda kind: HANDLERS[kind], _case_file_with_identity, KINDS, hidden=lambda kind: STAFF - HANDLERS[kind]
    ),
    # the queue's phone search: the handling fund finds the case (identity views on record); the
    # other funds' staff find nothing (404); everyone else is refused by the service (403)
    "cases.search_phone": Rule(
        lambda kind: HANDLERS[kind], _phone_search, KINDS, hidden=lambda kind: FUND_STAFF - HANDLERS[kind]
    ),
    # the council looks into an identity-access alert
    "oversight.handle_identity_alert": Rule(only("oversight", "admin"), _handle_identity_alert),
    # monitors, on cases in their organisation's scope
    "monitoring.follow": Rule(
        lambda kind: MONITOR_SEES[kind],
        _monitor("/monitor/cases/{id}/follow", "monitor_follow"),
        KINDS,
        hidden=lambda kind: MONITORS - MONITOR_SEES[kind],
    ),
    "monitoring.flag": Rule(
        lambda kind: MONITOR_SEES[kind],
        _monitor("/monitor/cases/{id}/flag", "monitor_flag", kind="other", note="x"),
        KINDS,
        hidden=lambda kind: MONITORS - MONITOR_SEES[kind],
    ),
    "monitoring.comment": Rule(
        lambda kind: MONITOR_SEES[kind],
        _monitor("/monitor/cases/{id}/comment", "monitor_comment", message="x"),
        KINDS,
        hidden=lambda kind: MONITORS - MONITOR_SEES[kind],
    ),
    # identity only for a named complainant of a case the organisation filed: none of these
    "monitoring.identity": Rule(
        only(),
        _case_bound("/monitor/cases/{id}/identity", lambda ctx, case: None),
        KINDS,
        hidden=lambda kind: MONITORS - MONITOR_SEES[kind],
    ),
    "assisted.create": Rule(
        only(*MONITORS),
        _filing(
            "/assisted/new",
            filed_for="person",
            people_affected="1",
            province="12",
            identity_mode="confidential",
            name="សុខ ស្រីមុំ",
        ),
    ),
    "assisted.choose_place": Rule(only(*MONITORS), _page("/assisted/place", {"province": "12"})),
    # the council's readers (and administrators) handle flags, a fund's supervisor its own fund's
    "oversight.handle_flag": Rule(
        lambda kind: {"oversight", "admin"} | SUPERVISORS[kind],
        _handle_flag,
        KINDS,
        hidden=lambda kind: {"supervisor"} - SUPERVISORS[kind],
    ),
    # the council (its readers, its triage desk's supervisor) instructs the fund and keeps notes
    "oversight.instruct_flag": Rule(
        only("oversight"),
        _flag_step("instruct", "flag_instruction", {"instruction": "Call the complainant back", "days": "5"}),
        KINDS,
        hidden=lambda kind: {"supervisor", "admin"},  # past the council's pages, refused by the service
    ),
    "oversight.note_flag": Rule(
        only("oversight"),
        _flag_step("note", "flag_note", {"text": "The union says they were threatened"}),
        KINDS,
        hidden=lambda kind: {"supervisor", "admin"},
    ),
    # the handling fund's staff answer the council's instruction on the case page
    "flags.answer": Rule(
        lambda kind: HANDLERS[kind],
        _flag_step("answer", "flag_answer", {"answer": "We called her on Monday"}, instructed=True),
        KINDS,
        hidden=lambda kind: STAFF - HANDLERS[kind],
    ),
    # administrators
    "monitor_admin.add_scope": Rule(only("admin"), _add_scope),
    "monitor_admin.remove_scope": Rule(only("admin"), _remove_scope),
    "info_admin.edit": Rule(only("admin"), _info_edit),
    # the front desk
    "frontdesk.file": Rule(only("frontdesk"), _filing("/frontdesk/file", language="km", identity_mode="anonymous")),
    "frontdesk.receipt_pdf": Rule(only("frontdesk"), _desk_receipt),
    "frontdesk.visit": Rule(
        lambda kind: DESK_SEES[kind],
        _case_bound(
            "/frontdesk/cases/{id}/visit", lambda ctx, case: _event_added(ctx, case, "visit"), note="came back"
        ),
        KINDS,
        hidden=lambda kind: {"frontdesk"} - DESK_SEES[kind],
    ),
    # appeals: decided by the fund's staff other than the officer who answered (the handler here),
    # so on case A its supervisor; a referral outside is recorded by the handlers and the council
    "appeals.decide": Rule(
        lambda kind: SUPERVISORS[kind],
        lambda ctx, kind, role: _appeal_decide(ctx, kind),
        KINDS,
        hidden=lambda kind: STAFF - CASE_VIEWERS[kind],
    ),
    "appeals.refer": Rule(
        lambda kind: HANDLERS[kind] | {"oversight"},
        _case_bound(
            "/cases/{id}/appeal/refer",
            lambda ctx, case: _event_added(ctx, case, "referral"),
            body="ssr",
            referred_on=NOW.date().isoformat(),
            note="matrix",
        ),
        KINDS,
        hidden=lambda kind: STAFF - CASE_VIEWERS[kind],
    ),
    "frontdesk.feedback": Rule(
        lambda kind: DESK_SEES[kind],
        lambda ctx, kind, role: _desk_feedback(ctx, kind),
        KINDS,
        hidden=lambda kind: {"frontdesk"} - DESK_SEES[kind],
    ),
    # mass incidents: a fund's supervisor for their fund, the council (its members and its desk)
    # for any fund (case A: an NSAF incident; case B: an every-fund incident of the council). A
    # case is linked only by those who may act on it (or the council's members); telling all and
    # resolving together is fund staff's, each case checked again by the case service.
    "incidents.declare": Rule(only("supervisor", "oversight", "council_desk"), _declare_incident),
    "incidents.link_case": Rule(
        lambda kind: {"a": {"officer_a", "supervisor", "oversight"}, "b": {"officer_b", "oversight"}}[kind],
        _link_case,
        ("a", "b"),
        hidden=lambda kind: {"a": {"officer_b", "council_desk"}, "b": {"officer_a", "supervisor", "council_desk"}}[
            kind
        ],
    ),
    # by filter on case A only: on an every-fund incident a supervisor's filter takes only their
    # own fund's cases (tests/cases/test_incidents.py shows it), so on case B it links nothing
    "incidents.link_filter": Rule(only("supervisor", "oversight"), _link_filter, hidden=lambda kind: {"officer_b"}),
    "incidents.unlink_case": Rule(
        only("supervisor", "oversight"),
        _incident_case_action("unlink", "incident_unlinked"),
        hidden=lambda kind: {"officer_b"},
    ),
    "incidents.update_all": Rule(
        only("supervisor"),
        _incident_case_action("update", "public_update", message="The payment is made again on Monday."),
        hidden=lambda kind: {"officer_b"},
    ),
    "incidents.resolve_all": Rule(
        only("supervisor"),
        _incident_case_action("resolve", "resolve", outcome="remedied", message="Paid again."),
        hidden=lambda kind: {"officer_b"},
    ),
    "incidents.close": Rule(only("supervisor", "oversight"), _close_incident, hidden=lambda kind: {"officer_b"}),
    # one's own account
    "auth.password": Rule(lambda kind: STAFF, _password),
    "auth.totp_setup": Rule(only("admin", "oversight", "supervisor"), _totp_setup),
    "auth.logout": Rule(lambda kind: STAFF, _logout),
    # public: anyone, logged in or not
    "frontdesk.identity": Rule(
        lambda kind: DESK_SEES[kind], _desk_identity, KINDS, hidden=lambda kind: {"frontdesk"} - DESK_SEES[kind]
    ),
    "frontdesk.new_code": Rule(
        lambda kind: DESK_SEES[kind], _desk_new_code, KINDS, hidden=lambda kind: {"frontdesk"} - DESK_SEES[kind]
    ),
    # the form in steps: the first step starts a draft (303 to the next); "Send" without one starts again
    "intake.save_step": Rule(every, _page_status("/complaint/what", 303, category="NSAF-CT-MISSING"), public=True),
    "intake.send": Rule(every, _page_status("/complaint/check", 303), public=True),
    # Telegram holds a shared secret, no role does (tests/telegram: with the secret)
    "telegram.webhook": Rule(only(), _page_status("/telegram/webhook", 403), public=True),
    "auth.login": Rule(every, _login, public=True),
    "auth.totp": Rule(every, _nothing_pending("/auth/totp"), public=True),
    "auth.totp_enrol": Rule(every, _nothing_pending("/auth/totp/enrol"), public=True),
    "auth.forgot": Rule(every, _forgot, public=True),
    # without a link's token: 410 for everyone (a link's use is in tests/admin/test_users.py)
    "auth.set_password": Rule(
        every, lambda ctx, kind, role: Attempt("/auth/set-password", {"token": "x"}, _status(410)), public=True
    ),
    "intake.submit": Rule(every, _intake_submit, public=True),
    "intake.choose_place": Rule(every, _page("/place", {"province": "12"}), public=True),
    "intake.track_lookup": Rule(every, _track, public=True),
    "intake.add_information": Rule(every, _add_information, public=True),
    "intake.feedback": Rule(every, _feedback, public=True),
    "reports.receipt_pdf": Rule(every, _receipt, public=True),
    "api.requests_create": Rule(every, _api_create, public=True),
    # the SMS gateway holds a shared secret, no role does (tests/sms: with the secret)
    "sms.inbound": Rule(only(), _sms, public=True),
}
POSTS.update({name: Rule(only("admin"), _admin_post(name), effects_in="tests/admin") for name in ADMIN_POSTS})
ACTION_RULES: dict[str, Rule] = {
    name: Rule(ACT_ALLOWED[name], _act_attempt(name), ACT_KINDS[name], hidden=lambda kind: STAFF - CASE_VIEWERS[kind])
    for name in ACTIONS
}


# --- the world ------------------------------------------------------------------------------


class Ctx:
    """The security world, plus the council's desk, colleagues to assign to and fresh cases on demand."""

    def __init__(self, app, make, world) -> None:
        self.app, self.make, self.world = app, make, world
        self.users = dict(world.users)
        self.users["council_desk"] = make.user("officer", fund="NSPC")
        self.colleague = {
            "a": make.user("officer", fund="NSAF"),
            "b": make.user("officer", fund="NSSF"),
            "c": make.user("officer", fund="NSPC"),
            "m": make.user("officer", fund="NSPC"),
        }
        self.flagger = make.user("monitor", org="Wide CSO")
        self.handler = {"a": self.users["officer_a"], "b": self.users["officer_b"], "c": self.users["council_desk"]}
        self.handler["m"] = self.users["council_desk"]
        self.supervisor = self.users["supervisor"]
        self._clients: dict[str, object] = {}
        self._tokens = 0

    def client(self, role: str):
        if role not in self._clients:
            client = FreshRequestClient(self.app, self.app.response_class, use_cookies=True)
            self._login(client, self.users.get(role))
            self._clients[role] = client
        return self._clients[role]

    def throwaway(self, role: str):
        client = FreshRequestClient(self.app, self.app.response_class, use_cookies=True)
        self._login(client, self.users.get(role))
        return client

    def own_account(self, role: str):
        """A new account of the role (its changes touch no one else), logged in on its own client."""
        if role in LOGGED_OUT:
            return FreshRequestClient(self.app, self.app.response_class, use_cookies=True), None
        model = self.users[role]
        user = self.make.user(
            model.role,
            fund=model.fund.code if model.fund else None,
            org=model.organisation.name if model.organisation else None,
            office_id=model.office_id,
        )
        client = FreshRequestClient(self.app, self.app.response_class, use_cookies=True)
        self._login(client, user)
        return client, user

    @staticmethod
    def _login(client, user) -> None:
        if user is not None:
            response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
            assert response.status_code == 302, f"login as {user.role} failed"

    def token(self) -> str:
        self._tokens += 1
        return f"matrix-form-token-{self._tokens:06d}"

    def fresh(self, kind: str, state: str, with_code: bool = False, phone: str = "012 999 888"):
        """A new case of the kind, brought to `state` by its handler through the services."""
        case, code = self.make.case(
            CATEGORY[kind],
            now=NOW,
            province_code=PROVINCE[kind],
            identity_mode="confidential",
            name="Sok Dara",
            phone=phone,
        )
        handler = self.handler[kind]
        if state != "received":
            cases.acknowledge(case, handler, "We have your complaint.")
        if state in ("in_progress", "resolved", "extension_pending"):
            cases.start(case, handler)
        if state == "resolved":
            cases.resolve(case, handler, "remedied", "Paid.")
        if state == "extension_pending":
            cases.request_extension(case, handler, 3, "more time")
        if state == "appealed":  # the handler answered, the complainant said "not solved"
            cases.start(case, handler)
            cases.resolve(case, handler, "remedied", "Paid.")
            cases.record_feedback(case, False)
        db.session.commit()
        return (case, code) if with_code else case


@pytest.fixture()
def ctx(app, make, world):
    return Ctx(app, make, world)


def _post(client, attempt: Attempt):
    if attempt.json is not None:
        return client.post(attempt.url, json=attempt.json, headers=attempt.headers)
    return client.post(attempt.url, data=attempt.data, headers=attempt.headers)


def _try(ctx, name: str, rule: Rule, failures: list) -> int:
    tried = 0
    for kind in rule.kinds:
        shared = None  # one attempt serves every refused role: a refusal changes nothing
        for role in ROLES:
            expected = rule.expected(role, kind)
            if expected == "ok" and rule.effects_in:
                assert (ROOT / rule.effects_in).exists(), f"{name}: {rule.effects_in} is gone"
                continue
            if expected == "ok":
                attempt = rule.attempt(ctx, kind, role)  # fresh, so that each allowed role really acts
            else:
                attempt = shared or rule.attempt(ctx, kind, role)
                shared = shared or (attempt if attempt.client is None else None)
            client = attempt.client or (ctx.client(role) if role not in LOGGED_OUT else ctx.client("anonymous"))
            before = db_state() if expected != "ok" else None
            response = _post(client, attempt)
            tried += 1
            where = f"{name} on case {kind.upper()} as {role}"
            if response.status_code >= 500:
                failures.append(f"{where}: {response.status_code}")
            elif expected == "ok":
                problem = attempt.effect(response) if attempt.effect else None
                if response.status_code in (401, 403, 404) or problem:
                    failures.append(f"{where}: allowed, but {problem or response.status_code}")
            else:
                if response.status_code != expected and not (expected == 401 and response.status_code in (401, 403)):
                    failures.append(f"{where}: expected {expected}, got {response.status_code}")
                elif changed := changed_tables(before, db_state()):
                    failures.append(f"{where} was refused but changed {changed}")
    return tried


# --- the tests ------------------------------------------------------------------------------


def test_every_post_endpoint_is_in_the_table(app):
    posted = {r.endpoint for r in routes(app) if r.method == "POST"}
    missing = posted - set(POSTS) - {"cases.act"}
    assert not missing, (
        f"POST endpoints nobody declared: {sorted(missing)}. Say who may post each in POSTS in {__file__} "
        "(and make its service refuse everyone else)."
    )
    assert not set(POSTS) - posted, f"POSTS names endpoints that no longer exist: {sorted(set(POSTS) - posted)}"
    assert set(ACTION_RULES) == set(ACTIONS), "every page action of cases.act needs its rule"


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_every_case_action_as_every_role(ctx, action):
    failures: list[str] = []
    tried = _try(ctx, f"cases.act {action}", ACTION_RULES[action], failures)
    assert tried >= len(ROLES) * 3
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("endpoint", sorted(POSTS))
def test_every_post_endpoint_as_every_role(ctx, endpoint):
    failures: list[str] = []
    rule = POSTS[endpoint]
    tried = _try(ctx, endpoint, rule, failures)
    assert tried >= len(ROLES) - (len(rule.allowed("a")) if rule.effects_in else 0)
    assert not failures, "\n".join(failures)


def test_the_council_readers_act_on_no_council_case_but_its_desk_does(ctx):
    """The finding: the read-only oversight role could act on council-triage cases."""
    case = ctx.fresh("c", "received")
    council = ctx.client("oversight")
    assert (
        council.post(f"/cases/{case.id}/acknowledge", data={"version": case.version, "message": "x"}).status_code == 403
    )
    desk = ctx.client("council_desk")
    assert desk.post(f"/cases/{case.id}/acknowledge", data={"version": case.version, "message": "x"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Case, case.id).status == "acknowledged"


def test_an_officer_cannot_assign_a_colleague_by_posting_the_supervisors_form(ctx):
    case = ctx.fresh("a", "in_progress")
    officer = ctx.client("officer_a")
    data = {"version": case.version, "assignee": str(ctx.colleague["a"].id)}
    assert officer.post(f"/cases/{case.id}/assign", data=data).status_code == 403
    db.session.expire_all()
    assert db.session.get(Case, case.id).assignee_id is None
    assert officer.post(f"/cases/{case.id}/claim", data={"version": case.version}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Case, case.id).assignee_id == ctx.users["officer_a"].id


def test_the_front_desk_cannot_open_a_misconduct_case_in_its_province(ctx):
    case, code = ctx.fresh("m", "in_progress", with_code=True)
    desk = ctx.client("frontdesk")
    assert desk.get(f"/frontdesk/cases/{case.id}").status_code == 404
    assert desk.get("/frontdesk/lookup", query_string={"reference": case.reference}).status_code == 404
    assert case.reference not in desk.get("/frontdesk/").get_data(as_text=True)
    # An ordinary complaint of the same province it does see.
    other = ctx.fresh("a", "in_progress")
    assert desk.get(f"/frontdesk/cases/{other.id}").status_code == 200


def test_the_front_desk_prints_the_receipt_of_a_misconduct_complaint_it_filed(ctx):
    desk = ctx.client("frontdesk")
    data = {
        "category": "MISCONDUCT",
        "description": "មន្ត្រីម្នាក់បានទារប្រាក់។",
        "language": "km",
        "identity_mode": "confidential",
        "name": "សុខ ស្រីមុំ",
        "consent": "y",
        "form_token": ctx.token(),
    }
    page = desk.post("/frontdesk/file", data=data).get_data(as_text=True)
    reference = re.search(r"GRV-\d{4}-\d{6}", page).group(0)
    code = re.search(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", page).group(0)
    receipt = desk.post("/frontdesk/receipt.pdf", data={"reference": reference, "code": code, "language": "km"})
    assert receipt.mimetype == "application/pdf"
    case = db.session.execute(select(Case).where(Case.reference == reference)).scalar_one()
    assert desk.get(f"/frontdesk/cases/{case.id}").status_code == 404  # by id, still not


# --- the services, with no page at all -----------------------------------------------------


def test_services_refuse_the_roles_directly(ctx):
    from grievance.auth import service as accounts
    from grievance.frontdesk import service as desk
    from grievance.info import service as info
    from grievance.intake import service as intake
    from grievance.models import Fund, Office
    from grievance.services.permits import NotPermitted

    users = ctx.users
    a = ctx.fresh("a", "in_progress")
    c = ctx.fresh("c", "received")
    m = ctx.fresh("m", "received")
    nssf = db.session.execute(select(Fund).where(Fund.code == "NSSF")).scalar_one()
    office = db.session.get(Office, users["frontdesk"].office_id)
    flag = monitoring.raise_flag(a, ctx.flagger, "no_contact", "x")
    db.session.commit()
    attempts = {
        "the council's reader acknowledges a triage case": lambda: cases.acknowledge(c, users["oversight"], "x"),
        "an administrator resolves a case": lambda: cases.resolve(a, users["admin"], "remedied", "x"),
        "another fund's officer adds a note": lambda: cases.add_note(a, users["officer_b"], "x"),
        "a monitor transfers a case": lambda: cases.transfer(a, users["monitor_in"], nssf, "x"),
        "the front desk escalates": lambda: cases.escalate(a, users["frontdesk"], "x"),
        "an officer assigns a colleague": lambda: cases.assign(a, users["officer_a"], ctx.colleague["a"]),
        "an officer asks for an extension on another fund's case": lambda: cases.request_extension(
            a, users["officer_b"], 3, "x"
        ),
        "the council's reader opens the identity": lambda: cases.record_identity_view(
            a, users["oversight"], reason="contact"
        ),
        "an out-of-scope monitor follows": lambda: monitoring.follow(a, users["monitor_out"]),
        "an officer flags as a monitor": lambda: monitoring.raise_flag(a, users["officer_a"], "other", "x"),
        "an officer comments as a monitor": lambda: monitoring.comment(a, users["officer_a"], "x"),
        "another fund's officer handles a flag": lambda: monitoring.handle_flag(flag, users["officer_b"]),
        "a supervisor changes a monitor scope": lambda: monitoring.add_scope(
            ctx.world.org_in, users["supervisor"], "03", None
        ),
        "the council's reader edits an information page": lambda: info.update_page(
            ctx.world.info_page,
            users["oversight"],
            title_km="x",
            title_en="x",
            body_km="x",
            body_en="x",
            expected_version=ctx.world.info_page.version,
        ),
        "a monitor files at a front desk": lambda: desk.file_in_person(
            intake.Submission(category_code="OTHER", description="x", consent_given=True),
            office,
            users["monitor_in"],
            key=b"k" * 32,
        ),
        "the front desk records a visit on a misconduct case": lambda: desk.record_visit(m, users["frontdesk"], "x"),
        "an officer files on someone's behalf": lambda: intake.submit(
            intake.Submission(category_code="OTHER", description="x"), key=b"k" * 32, actor=users["officer_a"]
        ),
        "a monitor files for another organisation": lambda: intake.submit(
            intake.Submission(category_code="OTHER", description="x"),
            key=b"k" * 32,
            actor=users["monitor_out"],
            organisation=ctx.world.org_in,
        ),
        "an officer turns on two-step login": lambda: accounts.enable_totp(
            users["officer_a"], "A" * 32, "123456", proof=PASSWORD
        ),
    }
    for what, attempt in attempts.items():
        before = db_state()
        with pytest.raises(NotPermitted):
            attempt()
        db.session.rollback()
        assert changed_tables(before, db_state()) == [], f"{what}: refused, but something changed"
    assert db.session.execute(select(func.count()).select_from(CaseFlag).where(CaseFlag.status == "open")).scalar() >= 1
