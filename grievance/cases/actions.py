"""The table of case actions: which form each takes and which service verb it calls."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from grievance.cases import forms
from grievance.cases import service as svc
from grievance.extensions import db
from grievance.i18n import current_locale
from grievance.models import ExtensionRequest, Fund, User
from grievance.services import reference


def _noop(form, case) -> None:
    return None


def _fund_choices(form, case) -> None:
    funds = db.session.execute(
        select(Fund).where(Fund.active.is_(True), Fund.id != case.fund_id).order_by(Fund.id)
    ).scalars()
    form.fund.choices = [(f.code, f.name(current_locale())) for f in funds]


def _transfer(case, user, form) -> None:
    fund = db.session.execute(select(Fund).where(Fund.code == form.fund.data)).scalar_one()
    svc.transfer(case, user, fund, form.message.data, expected_version=form.version.data)


def _category_choices(form, case) -> None:
    locale = current_locale()
    form.category.choices = [
        (c.code, c.name(locale)) for c in reference.active_categories() if c.id != case.category_id
    ]


def _recategorise(case, user, form) -> None:
    svc.recategorise(case, user, form.category.data, form.message.data, expected_version=form.version.data)


def _mark_duplicate(case, user, form) -> None:
    from grievance.cases import duplicates

    original = duplicates.find_original(user, form.original.data)
    if original is None:
        raise svc.TransitionRefused("mark_duplicate", case.status, "no case with that reference that you may open")
    duplicates.mark_duplicate(case, user, original, form.message.data, expected_version=form.version.data)


def _officer_choices(form, case) -> None:
    query = select(User).where(
        User.active.is_(True), User.role.in_(["officer", "supervisor"]), User.fund_id == case.fund_id
    )
    form.assignee.choices = [(str(u.id), u.name) for u in db.session.execute(query.order_by(User.name)).scalars()]


def _assign(case, user, form) -> None:
    assignee = db.session.execute(
        select(User).where(User.id == int(form.assignee.data), User.fund_id == case.fund_id, User.active.is_(True))
    ).scalar_one_or_none()
    if assignee is None:
        raise svc.TransitionRefused("assign", case.status, "choose an officer of this fund")
    svc.assign(case, user, assignee, expected_version=form.version.data)


def _decide_extension(case, user, form) -> None:
    request = db.session.execute(
        select(ExtensionRequest).where(ExtensionRequest.id == form.request_id.data, ExtensionRequest.case_id == case.id)
    ).scalar_one_or_none()
    if request is None:
        raise svc.TransitionRefused("decide_extension", case.status, "no such extension request on this case")
    svc.decide_extension(
        request, user, form.decision.data == "approve", form.message.data, expected_version=form.version.data
    )


@dataclass(frozen=True)
class ActionSpec:
    label: object
    form: type
    run: Callable
    done: object
    prepare: Callable = field(default=_noop)
    danger: bool = False

    def done_message(self) -> str:
        return str(self.done)


ACTIONS: dict[str, ActionSpec] = {
    "acknowledge": ActionSpec(
        _l("Acknowledge"),
        forms.MessageForm,
        lambda c, u, f: svc.acknowledge(c, u, f.message.data, expected_version=f.version.data),
        _l("Acknowledged; the complainant can see your message."),
    ),
    "start": ActionSpec(
        _l("Start work"),
        forms.PlainActionForm,
        lambda c, u, f: svc.start(c, u, expected_version=f.version.data),
        _l("Marked as in progress."),
    ),
    "claim": ActionSpec(
        _l("Claim"),
        forms.PlainActionForm,
        lambda c, u, f: svc.assign(c, u, u, expected_version=f.version.data),
        _l("The case is assigned to you."),
    ),
    "assign": ActionSpec(
        _l("Assign to an officer"),
        forms.AssignForm,
        _assign,
        _l("The case is assigned."),
        prepare=_officer_choices,
    ),
    "request_info": ActionSpec(
        _l("Request information"),
        forms.MessageForm,
        lambda c, u, f: svc.request_info(c, u, f.message.data, expected_version=f.version.data),
        _l("Question sent; the resolution clock is paused until the complainant answers."),
    ),
    "public_update": ActionSpec(
        _l("Public update"),
        forms.MessageForm,
        lambda c, u, f: svc.public_update(c, u, f.message.data, expected_version=f.version.data),
        _l("Update sent to the complainant."),
    ),
    "note": ActionSpec(
        _l("Internal note"),
        forms.NoteForm,
        lambda c, u, f: svc.add_note(c, u, f.message.data, expected_version=f.version.data),
        _l("Note added."),
    ),
    "resolve": ActionSpec(
        _l("Resolve"),
        forms.ResolveForm,
        lambda c, u, f: svc.resolve(c, u, f.outcome.data, f.message.data, expected_version=f.version.data),
        _l("Resolved; the complainant can see your explanation."),
    ),
    "reject": ActionSpec(
        _l("Reject"),
        forms.MessageForm,
        lambda c, u, f: svc.reject(c, u, f.message.data, expected_version=f.version.data),
        _l("Rejected; the complainant can see your reason."),
        danger=True,
    ),
    "transfer": ActionSpec(
        _l("Transfer"),
        forms.TransferForm,
        _transfer,
        _l("Transferred; the clocks keep running."),
        prepare=_fund_choices,
    ),
    "recategorise": ActionSpec(
        _l("Correct the category"),
        forms.RecategoriseForm,
        _recategorise,
        _l("Category corrected; routing was checked again and the clocks keep running."),
        prepare=_category_choices,
    ),
    "mark_duplicate": ActionSpec(
        _l("Mark as a duplicate"),
        forms.DuplicateForm,
        _mark_duplicate,
        _l("Marked as a duplicate; the complainant is told which complaint answers it."),
        danger=True,
    ),
    "close": ActionSpec(
        _l("Close"),
        forms.PlainActionForm,
        lambda c, u, f: svc.close(c, u, expected_version=f.version.data),
        _l("Closed."),
    ),
    "reopen": ActionSpec(
        _l("Reopen"),
        forms.MessageForm,
        lambda c, u, f: svc.reopen(c, u, f.message.data, expected_version=f.version.data),
        _l("Reopened."),
    ),
    "request_extension": ActionSpec(
        _l("Request an extension"),
        forms.ExtensionForm,
        lambda c, u, f: svc.request_extension(c, u, f.extra_days.data, f.message.data, expected_version=f.version.data),
        _l("Extension requested; a supervisor of your fund will decide."),
    ),
    "decide_extension": ActionSpec(
        _l("Decide on the extension"),
        forms.DecideExtensionForm,
        _decide_extension,
        _l("Decision recorded."),
    ),
    "escalate": ActionSpec(
        _l("Escalate to the council"),
        forms.EscalateForm,
        lambda c, u, f: svc.escalate(c, u, f.message.data, expected_version=f.version.data),
        _l("Escalated to the oversight council."),
        danger=True,
    ),
}

# Which workflow action each page action corresponds to (to show only what is allowed).
WORKFLOW_ACTION = {
    "acknowledge": "acknowledge",
    "start": "start",
    "claim": "assign",
    "assign": "assign",
    "request_info": "request_info",
    "public_update": "public_update",
    "note": "note",
    "resolve": "resolve",
    "reject": "reject",
    "transfer": "transfer",
    "recategorise": "recategorise",
    "mark_duplicate": "mark_duplicate",
    "close": "close",
    "reopen": "reopen",
    "request_extension": "request_extension",
    "decide_extension": "decide_extension",
    "escalate": "escalate",
}
