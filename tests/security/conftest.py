"""A small world for the security tests: one case per fund, every kind of account, a flag on each.

Case A belongs to NSAF (Phnom Penh), case B to NSSF (Siem Reap). Each has a complainant with
personal data, an attachment, an event history (acknowledged, a note) and an open monitor flag.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from grievance.cases import service as cases
from grievance.extensions import db as _db
from grievance.frontdesk.offices import office_for_place
from grievance.models import Attachment, Case, CaseFlag, IdentityAlert, InfoPage, MonitorScope, Organisation, User
from grievance.monitoring import service as monitoring
from tests.factories import PASSWORD
from tests.intake.helpers import FreshRequestClient

ROLES = (
    "anonymous",
    "complainant",
    "officer_a",
    "officer_b",
    "supervisor",
    "monitor_in",
    "monitor_out",
    "oversight",
    "admin",
    "frontdesk",
)


@pytest.fixture()
def client(app, db):
    """Each request gets its own locale and user (see FreshRequestClient)."""
    return FreshRequestClient(app, app.response_class, use_cookies=True)


@dataclass
class World:
    cases: dict[str, Case]
    codes: dict[str, str]
    attachments: dict[str, Attachment]
    flags: dict[str, CaseFlag]
    users: dict[str, User]
    scope_row: MonitorScope
    org_in: Organisation
    info_page: InfoPage | None
    extra: dict = field(default_factory=dict)

    def login(self, client, role: str) -> None:
        """Log `client` in as `role` (anonymous and complainant stay logged out)."""
        user = self.users.get(role)
        if user is None:
            return
        response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302, f"login as {role} failed"


def _org(name: str, province: str | None) -> Organisation:
    org = Organisation(name=name, kind="cso")
    _db.session.add(org)
    _db.session.flush()
    if province is not None:
        _db.session.add(MonitorScope(organisation_id=org.id, province_code=province))
    return org


def _attach(case: Case, upload_dir, name: str) -> Attachment:
    stored = f"stored-{case.id}-{name}"
    (upload_dir / stored).write_bytes(b"%PDF-1.4 attachment of " + case.reference.encode())
    row = Attachment(
        case_id=case.id,
        stored_name=stored,
        original_name=name,
        content_type="application/pdf",
        size=30,
        sha256="0" * 64,
    )
    _db.session.add(row)
    return row


@pytest.fixture()
def world(app, db, make, tmp_path, monkeypatch) -> World:
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(uploads))
    now = datetime.now(timezone.utc)
    case_a, code_a = make.case(
        "NSAF-CT-MISSING",
        now=now,
        identity_mode="confidential",
        name="Sok Canary-A",
        phone="012 111 222",
        province_code="12",
    )
    case_b, code_b = make.case(
        "NSSF-CONTRIB",
        now=now,
        identity_mode="confidential",
        name="Chan Canary-B",
        phone="012 333 444",
        province_code="17",
    )
    org_in = _org("In-scope CSO", "12")  # watches Phnom Penh: sees case A only
    _org("Out-of-scope CSO", "02")  # watches Battambang: sees neither
    wide = _org("Wide CSO", None)  # one any/any scope row: watches every case (raises the flags)
    _db.session.add(MonitorScope(organisation_id=wide.id))
    _db.session.commit()
    desk = office_for_place("1204", "120401")  # a Phnom Penh office: case A's province
    users = {
        "officer_a": make.user("officer", fund="NSAF"),
        "officer_b": make.user("officer", fund="NSSF"),
        "supervisor": make.user("supervisor", fund="NSAF"),
        "monitor_in": make.user("monitor", org="In-scope CSO"),
        "monitor_out": make.user("monitor", org="Out-of-scope CSO"),
        "oversight": make.user("oversight"),
        "admin": make.user("admin"),
        "frontdesk": make.user("frontdesk", office_id=desk.id),
    }
    flagger = make.user("monitor", org=wide.name)
    officers = {"a": users["officer_a"], "b": users["officer_b"]}
    attachments, flags = {}, {}
    for key, case in (("a", case_a), ("b", case_b)):
        attachments[key] = _attach(case, uploads, f"card-{key}.pdf")
        cases.acknowledge(case, officers[key], "We have your complaint.")
        cases.add_note(case, officers[key], "Called the commune office.")
        flags[key] = monitoring.raise_flag(case, flagger, "no_contact", "Nobody called back.")
    _db.session.commit()
    # One identity-access alert for the council's page: a limit of 0 views an hour, once.
    monkeypatch.setitem(app.config, "IDENTITY_VIEWS_PER_HOUR", 0)
    cases.record_identity_view(case_a, users["officer_a"], reason="contact")
    monkeypatch.setitem(app.config, "IDENTITY_VIEWS_PER_HOUR", 30)
    alert = _db.session.execute(select(IdentityAlert)).scalar_one()
    _db.session.commit()
    scope_row = _db.session.execute(select(MonitorScope).where(MonitorScope.organisation_id == org_in.id)).scalar_one()
    info_page = _db.session.execute(select(InfoPage).order_by(InfoPage.id)).scalars().first()
    extra = _admin_settings(org_in, desk, now)
    extra["incident"] = _incident(users["supervisor"], case_a, now)
    return World(
        cases={"a": case_a, "b": case_b},
        codes={"a": code_a, "b": code_b},
        attachments=attachments,
        flags=flags,
        users=users,
        scope_row=scope_row,
        org_in=org_in,
        info_page=info_page,
        extra={**extra, "alert": alert},
    )


def _admin_settings(org: Organisation, office, now: datetime) -> dict:
    """One of each thing the admin area edits by id: a routing rule, an API key, a closure day in the
    future, terms scheduled for next year."""
    from datetime import timedelta

    from grievance.api.keys import issue
    from grievance.models import ClosureDay, RoutingRule, SlaPolicy

    _key, api_key = issue(org, "assisted")
    closure = ClosureDay(day=(now + timedelta(days=400)).date(), reason_en="Flood", reason_km="ទឹកជំនន់")
    terms = SlaPolicy(
        scope="*", effective_from=(now + timedelta(days=366)).replace(tzinfo=None), ack_days=3, resolve_days=20
    )
    _db.session.add_all([closure, terms])
    _db.session.commit()
    rule = _db.session.execute(select(RoutingRule).order_by(RoutingRule.position)).scalars().first()
    from grievance.admin import replies

    reply = replies.create(None, title_km="ចម្លើយ", title_en="Reply", body_km="អត្ថបទ", body_en="Text")
    _db.session.commit()
    return {
        "rule": rule,
        "office": office,
        "api_key": api_key,
        "closure": closure,
        "scheduled_terms": terms,
        "reply_template": reply,
    }


def _incident(supervisor: User, case: Case, now: datetime):
    """An incident of case A's fund (NSAF), declared by its supervisor, with case A linked."""
    from grievance.cases import incidents

    incident = incidents.declare(
        supervisor, title="Payment round failed", period_start=now.date(), period_end=now.date(), now=now
    )
    incidents.link(incident, supervisor, case, now=now)
    _db.session.commit()
    return incident
