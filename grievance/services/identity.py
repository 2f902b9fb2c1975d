"""Identity views on record: who opened a complainant's personal data, which case, when, why and how.

Every output that carries identity (the identity panel, the case-file PDF with the complainant,
attachment downloads, exports) records a view here first, with a reason from a short list; each
view is a row the council reads and an "identity_view" event in the audit chain. More views by
one user within an hour than IDENTITY_VIEWS_PER_HOUR raise an alert on the council's page (also
a chain event) and e-mail the council.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from flask import current_app
from sqlalchemy import func, select, update

from grievance import seclog
from grievance.extensions import db
from grievance.models import Case, IdentityAlert, IdentityView, User
from grievance.models.case import IDENTITY_VIEW_OUTPUTS, IDENTITY_VIEW_REASONS
from grievance.models.timeutil import to_db
from grievance.notifications import outbox
from grievance.services import audit, disclosure
from grievance.services.permits import NotPermitted

REASONS = IDENTITY_VIEW_REASONS
OUTPUTS = IDENTITY_VIEW_OUTPUTS
WINDOW = timedelta(hours=1)
COUNCIL_ROLES = ("oversight", "admin")


class IdentityRefused(NotPermitted):
    """Not allowed, or no reason given: nothing was shown and nothing recorded (a service refusal, 404)."""

    def __init__(self, action: str, user=None) -> None:
        super().__init__(action, user, hidden=True)


def view_payload(view: IdentityView, *, recorded_late: bool = False) -> dict:
    """What an identity_view event says about its row (checked against the row by `audit verify`)."""
    payload = {
        "view_id": view.id,
        "reason": view.reason,
        "output": view.output,
        "viewed_at": audit.time_text(view.viewed_at),
    }
    if recorded_late:
        payload["recorded"] = "when the chain was keyed"
    return payload


def record_view(
    case: Case, viewer: User, *, reason: str | None, output: str = "panel", now: datetime | None = None
) -> IdentityView:
    """Check the viewer may see this complainant, then put the view on record (row, chain event, log)."""
    if not (disclosure.can_see_identity(viewer, case) or _desk_checks_a_person(viewer, case, reason)):
        raise IdentityRefused("see this complainant's personal data", viewer)
    if reason not in REASONS:
        raise IdentityRefused("open personal data without choosing why from the list", viewer)
    if output not in OUTPUTS:
        raise ValueError(f"unknown identity output {output!r}")
    now = now or datetime.now(timezone.utc)
    view = IdentityView(case_id=case.id, user_id=viewer.id, viewed_at=to_db(now), reason=reason, output=output)
    db.session.add(view)
    db.session.flush()
    audit.append_event(
        "identity_view",
        case=case,
        actor=viewer,
        actor_label="monitor" if viewer.role == "monitor" else "staff",
        at=now,
        payload=view_payload(view),
    )
    seclog.event("identity_viewed", case=case.id, user=viewer.id, reason=reason, output=output)
    _check_rate(case, viewer, now)
    return view


def _desk_checks_a_person(viewer: User, case: Case, reason: str | None) -> bool:
    """A front desk compares the name on record with a person's document before a new tracking code."""
    if viewer.role != "frontdesk" or reason != "verify":
        return False
    from grievance.frontdesk import service as desk

    return desk.get_case(viewer, case.id) is not None


def views_in_window(user_id: int, now: datetime) -> int:
    return db.session.execute(
        select(func.count())
        .select_from(IdentityView)
        .where(IdentityView.user_id == user_id, IdentityView.viewed_at > to_db(now - WINDOW))
    ).scalar_one()


def _check_rate(case: Case, viewer: User, now: datetime) -> IdentityAlert | None:
    limit = int(current_app.config["IDENTITY_VIEWS_PER_HOUR"])
    views = views_in_window(viewer.id, now)
    if views <= limit:
        return None
    already = db.session.execute(
        select(IdentityAlert.id).where(
            IdentityAlert.user_id == viewer.id, IdentityAlert.raised_at > to_db(now - WINDOW)
        )
    ).first()
    if already:
        return None  # one alert per user per hour is enough to make the council look
    alert = IdentityAlert(user_id=viewer.id, raised_at=to_db(now), views=views, view_limit=limit, status="open")
    db.session.add(alert)
    db.session.flush()
    event = audit.append_event(
        "identity_alert",
        actor_label="system",
        at=now,
        payload={"alert_id": alert.id, "user_id": viewer.id, "views": views, "limit": limit},
    )
    outbox.notify_staff(case, "identity_alert", event.seq, roles=("oversight",), fund_id=None)
    seclog.event("identity_alert", user=viewer.id, views=views, limit=limit)
    return alert


def open_alerts() -> list[tuple[IdentityAlert, User]]:
    return list(
        db.session.execute(
            select(IdentityAlert, User)
            .join(User, User.id == IdentityAlert.user_id)
            .where(IdentityAlert.status == "open")
            .order_by(IdentityAlert.raised_at, IdentityAlert.id)
        ).all()
    )


def recent_views(limit: int = 200) -> list[tuple[IdentityView, User, Case]]:
    return list(
        db.session.execute(
            select(IdentityView, User, Case)
            .join(User, User.id == IdentityView.user_id)
            .join(Case, Case.id == IdentityView.case_id)
            .order_by(IdentityView.viewed_at.desc(), IdentityView.id.desc())
            .limit(limit)
        ).all()
    )


def case_views(case: Case) -> list[tuple[IdentityView, User]]:
    return list(
        db.session.execute(
            select(IdentityView, User)
            .join(User, User.id == IdentityView.user_id)
            .where(IdentityView.case_id == case.id)
            .order_by(IdentityView.viewed_at, IdentityView.id)
        ).all()
    )


def handle_alert(alert: IdentityAlert, actor: User, *, now: datetime | None = None) -> None:
    """The council marks an alert looked into; a second attempt (or a race) is refused."""
    if actor.role not in COUNCIL_ROLES:
        raise IdentityRefused("handle an identity-access alert (the council's)", actor)
    now = now or datetime.now(timezone.utc)
    done = db.session.execute(
        update(IdentityAlert)
        .where(IdentityAlert.id == alert.id, IdentityAlert.status == "open")
        .values(status="handled", handled_by_id=actor.id, handled_at=to_db(now))
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        raise IdentityRefused("handle an alert already handled", actor)
    db.session.refresh(alert)
    audit.append_event("identity_alert_handled", actor=actor, at=now, payload={"alert_id": alert.id})
