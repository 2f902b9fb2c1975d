"""Case handling: every state change is a verb here that checks, changes, audits and flushes.

Each verb takes the version of the case the actor saw; if the case changed meanwhile the
verb raises CaseConflict ("this case changed, reload") instead of acting twice. Each refuses
(services.permits.NotPermitted) an actor whose role may not do it (cases/permissions.py): a
staff actor must handle the case; the complainant and the sweep act with actor None.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import select, update

from grievance.cases import permissions
from grievance.domain import codes, sla
from grievance.domain.workflow import Action, Status, TransitionRefused, next_status
from grievance.extensions import db
from grievance.models import Case, ExtensionRequest, Fund, IdentityView, User
from grievance.models.timeutil import from_db, to_db
from grievance.monitoring import notify as monitoring_notify
from grievance.notifications import outbox
from grievance.services import audit, identity, reference, touches
from grievance.services.identity import IdentityRefused
from grievance.services.permits import require

__all__ = [
    "CaseConflict",
    "IdentityRefused",
    "TransitionRefused",
    "acknowledge",
    "add_note",
    "assign",
    "close",
    "escalate",
    "provide_info",
    "recategorise",
    "public_update",
    "reject",
    "reissue_tracking_code",
    "reopen",
    "request_info",
    "resolve",
    "start",
    "transfer",
]


class CaseConflict(Exception):
    """The case changed since the actor loaded it; nothing was done."""


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(timezone.utc)


def _apply(case: Case, expected_version: int | None, **values: Any) -> None:
    """Conditional UPDATE: succeeds only if the case is still at the version the actor saw."""
    version = case.version if expected_version is None else expected_version
    if expected_version is not None and expected_version != case.version:
        raise CaseConflict()
    touches.note_update(case, values)
    values["version"] = version + 1
    result = db.session.execute(
        update(Case)
        .where(Case.id == case.id, Case.version == version)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise CaseConflict()
    db.session.refresh(case)


def _require_handler(case: Case, actor: User | None, action: str, allowed: bool | None = None) -> None:
    """Staff act only on cases they handle (404 for one they may not even see)."""
    if actor is None:
        return
    allowed = permissions.can_act(actor, case) if allowed is None else allowed
    require(allowed, action, actor, hidden=not permissions.can_view(actor, case))


def _actor_label(actor: User | None) -> str:
    if actor is None:
        return "complainant"
    return "monitor" if actor.role == "monitor" else "staff"


def _transition(
    case: Case,
    action: Action,
    actor: User | None,
    *,
    expected_version: int | None,
    now: datetime,
    public: bool,
    payload: dict[str, Any],
    values: dict[str, Any] | None = None,
) -> None:
    _require_handler(case, actor, action.value)
    new_status = next_status(
        action,
        Status(case.status),
        now=now,
        finished_at=from_db(case.finished_at),
        reopen_window_days=reference.reopen_window_days(case),
    )
    values = dict(values or {})
    if new_status != case.status:
        values["status"] = new_status.value
        payload = {"from": case.status, "to": new_status.value, **payload}
    if public and actor is not None and actor.role != "monitor":
        values.update(_public_update_values(case, now, new_status))
    _apply(case, expected_version, **values)
    event = audit.append_event(
        action.value,
        case=case,
        actor=actor,
        actor_label=_actor_label(actor),
        public=public,
        at=now,
        payload=payload,
    )
    if public and actor is not None and actor.role != "monitor":
        outbox.notify_complainant(case, action.value, event.seq)
    if public:
        monitoring_notify.notify_followers(case, action.value, event.seq)


def _public_update_values(case: Case, now: datetime, new_status: Status) -> dict[str, Any]:
    """A public update by the fund: it acknowledges (first time) and restarts keep-in-loop."""
    values: dict[str, Any] = {"last_public_at": to_db(now)}
    if case.acknowledged_at is None:
        values["acknowledged_at"] = to_db(now)
    if new_status in (
        Status.RESOLVED,
        Status.REJECTED,
        Status.CLOSED,
        Status.AWAITING_INFO,
    ):
        values["loop_due_at"] = None
    else:
        policy = reference.case_policy(case)
        values["loop_due_at"] = to_db(sla.loop_due(now, policy, reference.working_calendar()))
    return values


def acknowledge(
    case: Case,
    actor: User,
    message: str,
    *,
    expected_version: int | None = None,
    now=None,
) -> None:
    """Acknowledge receipt with a public message to the complainant."""
    _transition(
        case,
        Action.ACKNOWLEDGE,
        actor,
        expected_version=expected_version,
        now=_now(now),
        public=True,
        payload={"message": message},
    )


def start(case: Case, actor: User, *, expected_version: int | None = None, now=None) -> None:
    """Mark an acknowledged case as being worked on."""
    _transition(
        case,
        Action.START,
        actor,
        expected_version=expected_version,
        now=_now(now),
        public=False,
        payload={},
    )


def public_update(
    case: Case,
    actor: User,
    message: str,
    *,
    expected_version: int | None = None,
    now=None,
) -> None:
    """Tell the complainant where things stand; restarts the keep-in-loop clock."""
    _transition(
        case,
        Action.PUBLIC_UPDATE,
        actor,
        expected_version=expected_version,
        now=_now(now),
        public=True,
        payload={"message": message},
    )


def add_note(case: Case, actor: User, text: str, *, expected_version: int | None = None, now=None) -> None:
    """An internal note, never shown to the complainant or to monitors."""
    _transition(
        case,
        Action.NOTE,
        actor,
        expected_version=expected_version,
        now=_now(now),
        public=False,
        payload={"note": text},
    )


def request_info(
    case: Case,
    actor: User,
    question: str,
    *,
    expected_version: int | None = None,
    now=None,
) -> None:
    """Ask the complainant for information; the resolve clock pauses until they answer."""
    now = _now(now)
    _transition(
        case,
        Action.REQUEST_INFO,
        actor,
        expected_version=expected_version,
        now=now,
        public=True,
        payload={"message": question},
        values={"paused_at": to_db(now)},
    )


def provide_info(
    case: Case,
    actor: User | None,
    text: str,
    *,
    expected_version: int | None = None,
    now=None,
) -> None:
    """The complainant (or staff for them) answers; the resolve clock resumes, its due date moved out."""
    now = _now(now)
    values: dict[str, Any] = {}
    payload: dict[str, Any] = {"message": text}
    if case.paused_at is not None:
        resumed = sla.resume(
            from_db(case.paused_at),
            now,
            from_db(case.resolve_due_at),
            from_db(case.resolve_warn_at),
            reference.working_calendar(),
        )
        values = {
            "paused_at": None,
            "paused_seconds": case.paused_seconds + resumed.paused_seconds,
            "resolve_due_at": to_db(resumed.resolve_due),
            "resolve_warn_at": to_db(resumed.resolve_warn),
        }
        policy = reference.case_policy(case)
        values["loop_due_at"] = to_db(sla.loop_due(now, policy, reference.working_calendar()))
        payload["paused_working_seconds"] = resumed.paused_seconds
        payload["resolve_due"] = resumed.resolve_due.isoformat()
    _transition(
        case,
        Action.PROVIDE_INFO,
        actor,
        expected_version=expected_version,
        now=now,
        public=True,
        payload=payload,
        values=values,
    )


def add_information(case: Case, text: str, *, now=None) -> None:
    """Information from the complainant through the tracking page: resumes a paused case."""
    if case.status == Status.AWAITING_INFO:
        provide_info(case, None, text, now=now)
    else:
        _transition(
            case,
            Action.NOTE,
            None,
            expected_version=None,
            now=_now(now),
            public=True,
            payload={"message": text, "from": "complainant"},
        )


def resolve(
    case: Case,
    actor: User,
    outcome: str,
    explanation: str,
    *,
    expected_version: int | None = None,
    now=None,
) -> None:
    """Resolve with an outcome and a public explanation."""
    now = _now(now)
    _refuse_during_appeal(case, Action.RESOLVE)
    values: dict[str, Any] = {"outcome": outcome, "finished_at": to_db(now)}
    if case.first_resolved_at is None:
        values["first_resolved_at"] = to_db(now)
    _transition(
        case,
        Action.RESOLVE,
        actor,
        expected_version=expected_version,
        now=now,
        public=True,
        payload={"outcome": outcome, "message": explanation},
        values=values,
    )


def reject(
    case: Case,
    actor: User,
    reason: str,
    *,
    expected_version: int | None = None,
    now=None,
) -> None:
    """Reject with a public reason (counts as the first resolution)."""
    now = _now(now)
    _refuse_during_appeal(case, Action.REJECT)
    values: dict[str, Any] = {"finished_at": to_db(now)}
    if case.first_resolved_at is None:
        values["first_resolved_at"] = to_db(now)
    _transition(
        case,
        Action.REJECT,
        actor,
        expected_version=expected_version,
        now=now,
        public=True,
        payload={"message": reason},
        values=values,
    )


def close(case: Case, actor: User, *, expected_version: int | None = None, now=None) -> None:
    """Close a resolved or rejected case."""
    now = _now(now)
    _transition(
        case,
        Action.CLOSE,
        actor,
        expected_version=expected_version,
        now=now,
        public=False,
        payload={},
        values={"closed_at": to_db(now)},
    )


def reopen(
    case: Case,
    actor: User | None,
    reason: str,
    *,
    expected_version: int | None = None,
    now=None,
    appeal=False,
) -> None:
    """Reopen a resolved/rejected case within the window (an appeal when the complainant says 'no')."""
    now = _now(now)
    policy = reference.case_policy(case)
    _transition(
        case,
        Action.REOPEN,
        actor,
        expected_version=expected_version,
        now=now,
        public=True,
        payload={"message": reason, "appeal": appeal},
        values={
            "reopen_count": case.reopen_count + 1,
            "loop_due_at": to_db(sla.loop_due(now, policy, reference.working_calendar())),
        },
    )


def transfer(
    case: Case,
    actor: User,
    to_fund: Fund,
    reason: str,
    *,
    expected_version: int | None = None,
    now=None,
) -> None:
    """Hand the case to another fund; every clock keeps running from the original receipt."""
    _require_handler(case, actor, Action.TRANSFER.value)
    if to_fund.id == case.fund_id:
        raise TransitionRefused(Action.TRANSFER, Status(case.status), "the case is already with that fund")
    if case.category.sensitive and to_fund.kind != "oversight":
        raise TransitionRefused(
            Action.TRANSFER, Status(case.status), "complaints about officials' misconduct stay with the council"
        )
    from_code = case.fund.code
    _transition(
        case,
        Action.TRANSFER,
        actor,
        expected_version=expected_version,
        now=_now(now),
        public=True,
        payload={"from_fund": from_code, "to_fund": to_fund.code, "reason": reason},
        values={
            "fund_id": to_fund.id,
            "transfer_count": case.transfer_count + 1,
            "assignee_id": None,
        },
    )
    db.session.refresh(case, ["fund"])


def recategorise(
    case: Case,
    actor: User,
    category_code: str,
    reason: str,
    *,
    expected_version: int | None = None,
    now=None,
) -> Fund:
    """Correct the case's category, with a reason; routing is checked again, the clocks keep running.

    The case keeps its receipt, its due dates and the service-level terms it was received under.
    If the routing table sends the new category elsewhere, the case moves to that fund in the same
    change, with a public `transfer` event beside the internal `recategorise` one (so everything
    that replays transfers counts it). Only the council's desk moves a case out of a category kept
    with the council (complaints about officials), and a case moved into one goes to the council.
    Returns the fund handling the case afterwards.
    """
    _require_handler(case, actor, Action.RECATEGORISE.value)
    now = _now(now)
    status = Status(case.status)
    reason = (reason or "").strip()
    if not reason:
        raise TransitionRefused(Action.RECATEGORISE, status, "say why the category is corrected")
    category = reference.category_by_code(category_code)
    if category is None or not category.active:
        raise TransitionRefused(Action.RECATEGORISE, status, "choose an active category")
    if category.id == case.category_id:
        raise TransitionRefused(Action.RECATEGORISE, status, "the case already has that category")
    old_category, old_fund = case.category, case.fund
    if old_category.sensitive and not permissions.is_council_desk(actor):
        raise TransitionRefused(
            Action.RECATEGORISE, status, "complaints about officials' misconduct stay with the council"
        )
    fund, office = reference.routing_decision(category, case.province_code, case.channel)
    if category.sensitive and fund.kind != "oversight":
        fund = db.session.execute(select(Fund).where(Fund.kind == "oversight").order_by(Fund.id)).scalars().first()
        office = None
    moves = fund.id != case.fund_id
    values: dict[str, Any] = {"category_id": category.id}
    if moves:
        values.update(fund_id=fund.id, office=office, transfer_count=case.transfer_count + 1, assignee_id=None)
        values.update(_public_update_values(case, now, status))
    payload = {
        "from_category": old_category.code,
        "to_category": category.code,
        "reason": reason,
        "routed_to": fund.code,
    }
    _transition(
        case,
        Action.RECATEGORISE,
        actor,
        expected_version=expected_version,
        now=now,
        public=False,
        payload=payload,
        values=values,
    )
    db.session.refresh(case, ["category", "fund"])
    if moves:
        event = audit.append_event(
            Action.TRANSFER.value,
            case=case,
            actor=actor,
            actor_label=_actor_label(actor),
            public=True,
            at=now,
            payload={"from_fund": old_fund.code, "to_fund": fund.code, "reason": reason, "recategorised": True},
        )
        outbox.notify_complainant(case, Action.TRANSFER.value, event.seq)
        monitoring_notify.notify_followers(case, Action.TRANSFER.value, event.seq)
    return case.fund


def assign(
    case: Case,
    actor: User,
    assignee: User | None,
    *,
    expected_version: int | None = None,
    now=None,
) -> None:
    """Claim (assignee = actor) or assign the case to an officer of its fund (a supervisor's)."""
    _require_handler(case, actor, Action.ASSIGN.value, permissions.can_assign(actor, case, assignee))
    if assignee is not None and assignee.fund_id != case.fund_id:
        raise TransitionRefused(
            Action.ASSIGN,
            Status(case.status),
            "the officer does not belong to this fund",
        )
    _transition(
        case,
        Action.ASSIGN,
        actor,
        expected_version=expected_version,
        now=_now(now),
        public=False,
        payload={"assignee_id": None if assignee is None else assignee.id},
        values={"assignee_id": None if assignee is None else assignee.id},
    )


def escalate(
    case: Case,
    actor: User | None,
    reason: str,
    *,
    expected_version: int | None = None,
    now=None,
) -> None:
    """Escalate to the oversight council's queue."""
    _require_handler(case, actor, Action.ESCALATE.value)
    now = _now(now)
    if case.escalated_at is not None:
        raise TransitionRefused(Action.ESCALATE, Status(case.status), "the case is already escalated")
    _transition(
        case,
        Action.ESCALATE,
        actor,
        expected_version=expected_version,
        now=now,
        public=False,
        payload={"reason": reason},
        values={"escalated_at": to_db(now), "sla_state": "escalated"},
    )


def get_case(case_id: int) -> Case | None:
    return db.session.execute(select(Case).where(Case.id == case_id)).scalar_one_or_none()


def record_feedback(
    case: Case,
    solved: bool,
    *,
    now=None,
    council: bool = False,
    via: str = "web",
    actor: User | None = None,
) -> None:
    """The complainant's answer to 'did this solve your problem?' (web, SMS, Telegram, front desk).

    'No' in time reopens the case as an appeal with its own clock (cases/appeals.py), reviewed by
    the fund or, when the complainant asks (`council`), by the council. After an appeal was
    decided the answer is final: a further 'no' is recorded and reopens nothing. `actor` is the
    front-desk officer who records the answer for a person present.
    """
    from grievance.cases import appeals

    now = _now(now)
    if case.status not in (Status.RESOLVED, Status.REJECTED):
        raise TransitionRefused(
            Action.REOPEN,
            Status(case.status),
            "the case has no answer to give feedback on yet",
        )
    _apply(case, None, satisfied=solved)
    payload: dict[str, Any] = {"solved": solved, "via": via}
    if not solved and council:
        payload["council"] = True
    audit.append_event(
        "feedback",
        case=case,
        actor=actor,
        actor_label="complainant" if actor is None else "staff",
        public=True,
        at=now,
        payload=payload,
    )
    if solved or any(a.decided_at is not None for a in appeals.appeals_of(case)):
        return
    try:
        reopen(
            case,
            None,
            "The complainant says the answer did not solve the problem.",
            now=now,
            appeal=True,
        )
    except TransitionRefused:
        return  # past the window: the answer is recorded, the case stays as it is
    appeals.start(case, by="council" if council else "fund", via=via, now=now)


def _refuse_during_appeal(case: Case, action: Action) -> None:
    """While an appeal waits, only its reviewer answers the case again (cases/appeals.decide)."""
    if case.status == Status.REOPENED:
        from grievance.cases import appeals

        if appeals.open_appeal(case) is not None:
            raise TransitionRefused(
                action, Status(case.status), "the case is under appeal: a reviewer decides it (Decide the appeal)"
            )


def request_extension(
    case: Case, actor: User, extra_days: int, reason: str, *, expected_version: int | None = None, now=None
) -> ExtensionRequest:
    """An officer asks for more working days on the resolve clock; a supervisor decides."""
    _require_handler(case, actor, Action.REQUEST_EXTENSION.value)
    now = _now(now)
    pending = db.session.execute(
        select(ExtensionRequest.id).where(ExtensionRequest.case_id == case.id, ExtensionRequest.status == "pending")
    ).first()
    if pending:
        raise TransitionRefused(
            Action.REQUEST_EXTENSION, Status(case.status), "an extension request is already pending"
        )
    if case.first_resolved_at is not None:
        raise TransitionRefused(
            Action.REQUEST_EXTENSION, Status(case.status), "the resolve clock has already stopped for this case"
        )
    request = ExtensionRequest(
        case_id=case.id, requested_by_id=actor.id, extra_days=extra_days, reason=reason, created_at=to_db(now)
    )
    db.session.add(request)
    db.session.flush()
    _transition(
        case,
        Action.REQUEST_EXTENSION,
        actor,
        expected_version=expected_version,
        now=now,
        public=False,
        payload={"request_id": request.id, "extra_days": extra_days, "reason": reason},
    )
    outbox.notify_staff(case, "extension_requested", request.id, roles=("supervisor",), fund_id=case.fund_id)
    return request


def decide_extension(
    request: ExtensionRequest,
    supervisor: User,
    approve: bool,
    note: str,
    *,
    expected_version: int | None = None,
    now=None,
) -> None:
    """A supervisor of the handling fund approves (the due date moves) or refuses an extension.

    An approved extension is an event of its own; a breach already recorded stays recorded.
    """
    now = _now(now)
    case = db.session.get(Case, request.case_id)
    _require_handler(
        case, supervisor, Action.DECIDE_EXTENSION.value, permissions.can_decide_extension(supervisor, case)
    )
    decided = db.session.execute(
        update(ExtensionRequest)
        .where(ExtensionRequest.id == request.id, ExtensionRequest.status == "pending")
        .values(
            status="approved" if approve else "refused",
            decided_by_id=supervisor.id,
            decided_at=to_db(now),
            decision_note=note,
        )
        .execution_options(synchronize_session=False)
    )
    if decided.rowcount != 1:
        raise CaseConflict()
    values: dict[str, Any] = {}
    payload: dict[str, Any] = {"request_id": request.id, "approved": approve, "note": note}
    if approve:
        cal = reference.working_calendar()
        new_due = sla.extend(from_db(case.resolve_due_at), request.extra_days, cal)
        warn_percent = reference.case_policy(case).warn_percent
        values = {
            "resolve_due_at": to_db(new_due),
            "resolve_warn_at": to_db(sla.warn_instant(from_db(case.received_at), new_due, warn_percent, cal)),
            "extended_days": case.extended_days + request.extra_days,
        }
        payload["resolve_due"] = new_due.isoformat()
        payload["extra_days"] = request.extra_days
    _transition(
        case,
        Action.DECIDE_EXTENSION,
        supervisor,
        expected_version=expected_version,
        now=now,
        public=False,
        payload=payload,
        values=values,
    )
    if approve:
        _tell_extension(case, supervisor, request, now)
    db.session.refresh(request)


EXTENSION_TOLD = "due_extended"


def _tell_extension(case: Case, supervisor: User, request: ExtensionRequest, now: datetime) -> None:
    """The complainant's news of an approved extension: the new date and the officer's reason.

    A public event of its own after the internal decision, so the supervisor's note stays internal
    (public readers show a public event's message, reason and note). It is not a public update: it
    neither acknowledges the case nor restarts the keep-in-loop clock (asking for more time must not
    keep a case "in the loop"). Every reader masks the reason (disclosure.redact) when showing it.
    """
    event = audit.append_event(
        EXTENSION_TOLD,
        case=case,
        actor=supervisor,
        actor_label="staff",
        public=True,
        at=now,
        payload={
            "request_id": request.id,
            "extra_days": request.extra_days,
            "resolve_due": from_db(case.resolve_due_at).isoformat(),
            "reason": request.reason,
        },
    )
    outbox.notify_complainant(case, EXTENSION_TOLD, event.seq, due=from_db(case.resolve_due_at))
    monitoring_notify.notify_followers(case, EXTENSION_TOLD, event.seq)


def pending_extensions(case: Case) -> list[ExtensionRequest]:
    return list(
        db.session.execute(
            select(ExtensionRequest).where(ExtensionRequest.case_id == case.id, ExtensionRequest.status == "pending")
        ).scalars()
    )


def reissue_tracking_code(case: Case, actor: User | None, *, key: bytes, how: str, now=None) -> str:
    """A new tracking code for a complainant who lost theirs; the old one stops working at once.

    `how` says how the person proved who they are ("sms": a one-time code sent to the phone on
    record; "front_desk": identity checked by staff). The public history shows that a new code
    was issued, so the complainant would notice one they did not ask for.
    """
    code = codes.new_tracking_code()
    _apply(case, None, tracking_hash=codes.tracking_hash(code, key))
    audit.append_event(
        "code_reissued",
        case=case,
        actor=actor,
        actor_label=_actor_label(actor),
        public=True,
        at=_now(now),
        payload={"how": how},
    )
    return code


def record_identity_view(
    case: Case, viewer: User, *, reason: str | None, output: str = "panel", now=None
) -> IdentityView:
    """Put on record that `viewer` opens the complainant's personal data, and why (raises IdentityRefused).

    Every output carrying identity calls this first: the identity panel, the case-file PDF,
    attachment downloads, exports (`output`). The rules and the council's alert live in
    services/identity.
    """
    return identity.record_view(case, viewer, reason=reason, output=output, now=now)
