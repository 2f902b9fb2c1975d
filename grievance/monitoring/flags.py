"""The council handles a monitor's flag: an instruction to the fund, the fund's answer, notes, an outcome.

A flag (monitoring/service.raise_flag) is not ticked off: the council gives the handling fund an
instruction with a due date in Cambodian working days, the fund's staff read it on the case page and
answer it, council members keep notes on it (the fund does not read them), and the flag is handled
with an outcome (monitoring/service.handle_flag). Each step is an audit event on the case, and the
other side is e-mailed through the outbox in the same transaction, in each reader's language.

Who is "the council" here: its readers (role `oversight`) and the staff of the council's triage
desk (the oversight fund), the same people `notify.council_members` e-mails.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select

from grievance.cases import permissions as case_permissions
from grievance.extensions import db
from grievance.models import Case, CaseFlag, CaseFlagNote, User
from grievance.models.timeutil import from_db, to_db
from grievance.monitoring import notify
from grievance.services import audit, reference
from grievance.services.permits import require

MAX_INSTRUCTION_DAYS = 60


class FlagRefused(Exception):
    """The step is not possible in the flag's state (handled, no instruction yet, empty text)."""


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(timezone.utc)


def is_council(user: User) -> bool:
    """The council's readers and its triage desk's staff."""
    return user is not None and (user.role == "oversight" or case_permissions.is_council_desk(user))


def _open(flag: CaseFlag) -> None:
    if flag.status != "open":
        raise FlagRefused("this flag has already been handled")


def _text(value: str | None, what: str) -> str:
    text = (value or "").strip()
    if not text:
        raise FlagRefused(f"write the {what}")
    return text


def instruct(flag: CaseFlag, actor: User, text: str, days: int, *, now: datetime | None = None) -> datetime:
    """The council instructs the handling fund, due at the end of the `days`-th working day."""
    case = db.session.get(Case, flag.case_id)
    require(is_council(actor), "instruct a fund on a flag", actor, hidden=True)
    _open(flag)
    text = _text(text, "instruction")
    if not 1 <= int(days) <= MAX_INSTRUCTION_DAYS:
        raise FlagRefused(f"give the fund between 1 and {MAX_INSTRUCTION_DAYS} working days")
    now = _now(now)
    due = reference.working_calendar().deadline(now, int(days))
    flag.instruction, flag.instruction_due_at = text, to_db(due)
    flag.instructed_at, flag.instructed_by_id = to_db(now), actor.id
    flag.answer = flag.answered_at = flag.answered_by_id = None  # a new instruction asks for a new answer
    db.session.flush()
    event = audit.append_event(
        "flag_instruction",
        case=case,
        actor=actor,
        actor_label="staff",
        at=now,
        payload={"flag_id": flag.id, "kind": flag.kind, "instruction": text, "due": due.isoformat(), "days": days},
    )
    notify.notify_flag_step(case, flag, "instruction", notify.fund_staff(case), event.seq)
    return due


def answer(flag: CaseFlag, actor: User, text: str, *, now: datetime | None = None) -> None:
    """The handling fund's staff answer the council's instruction."""
    case = db.session.get(Case, flag.case_id)
    require(case_permissions.can_act(actor, case), "answer the council's instruction", actor, hidden=True)
    _open(flag)
    if not flag.instruction:
        raise FlagRefused("the council has not given an instruction on this flag")
    text = _text(text, "answer")
    now = _now(now)
    flag.answer, flag.answered_at, flag.answered_by_id = text, to_db(now), actor.id
    db.session.flush()
    late = flag.instruction_due_at is not None and now > from_db(flag.instruction_due_at)
    event = audit.append_event(
        "flag_answer",
        case=case,
        actor=actor,
        actor_label="staff",
        at=now,
        payload={"flag_id": flag.id, "kind": flag.kind, "answer": text, "late": late},
    )
    notify.notify_flag_step(case, flag, "answer", notify.council_members(), event.seq)


def add_note(flag: CaseFlag, actor: User, text: str, *, now: datetime | None = None) -> CaseFlagNote:
    """A council member's note on the flag."""
    case = db.session.get(Case, flag.case_id)
    require(is_council(actor), "note on a flag", actor, hidden=True)
    text = _text(text, "note")
    now = _now(now)
    note = CaseFlagNote(flag_id=flag.id, author_id=actor.id, text=text, created_at=to_db(now))
    db.session.add(note)
    db.session.flush()
    audit.append_event(
        "flag_note",
        case=case,
        actor=actor,
        actor_label="staff",
        at=now,
        payload={"flag_id": flag.id, "kind": flag.kind, "note_id": note.id},
    )
    return note


def notes(flag: CaseFlag) -> list[CaseFlagNote]:
    return notes_of([flag.id])[flag.id]


def notes_of(flag_ids: list[int]) -> dict[int, list[CaseFlagNote]]:
    """The council's notes on each of these flags, oldest first, in one query (the flags page)."""
    found: dict[int, list[CaseFlagNote]] = {flag_id: [] for flag_id in flag_ids}
    if flag_ids:
        query = select(CaseFlagNote).where(CaseFlagNote.flag_id.in_(flag_ids)).order_by(CaseFlagNote.id)
        for note in db.session.execute(query).scalars():
            found[note.flag_id].append(note)
    return found


def overdue(flag: CaseFlag, now: datetime | None = None) -> bool:
    """An instruction not answered by its due date."""
    if flag.instruction_due_at is None or flag.answered_at is not None:
        return False
    return _now(now) > from_db(flag.instruction_due_at)


def for_case(user: User, case: Case) -> list[CaseFlag]:
    """The flags on a case the fund's staff handle: open ones, with the council's instruction."""
    if not case_permissions.can_view(user, case):
        return []
    query = select(CaseFlag).where(CaseFlag.case_id == case.id, CaseFlag.status == "open").order_by(CaseFlag.id)
    return list(db.session.execute(query).scalars())
