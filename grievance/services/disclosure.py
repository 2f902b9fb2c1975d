"""The one rule on who may see a complainant, and the one redaction for everyone else.

`can_see_identity` decides, for every role, who may see a complainant's personal data and the
text typed about the case unmasked: the handling fund's staff (the council's triage desk for its
own cases) and a monitor for a named complainant its organisation filed. Every other output —
the public ones (Open311 feed and updates, tracking pages and receipts, transparency, error
messages), monitors' pages and e-mails, the council's pages about other funds' cases, the front
desk — passes free text through `redact` (or `text_for`, which applies the rule for a viewer),
so the public never sees more than a monitor and a rule added here holds everywhere. The masking
itself is the pure `domain.redaction.mask`; this module knows which identity to hide for a case.
"""

from __future__ import annotations

from grievance.domain.redaction import mask
from grievance.models import Case, User


def can_see_identity(user: User | None, case: Case) -> bool:
    """The complainant's personal data and the case's text unmasked: the one rule, for every role."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.role in ("officer", "supervisor"):
        # The handling fund's staff (the council's triage desk is the oversight fund's staff);
        # complaints about officials' misconduct stay with that desk whoever holds them. The
        # read-only oversight role reads figures and flags, never a complainant (issue 14).
        if user.fund_id is None or case.fund_id != user.fund_id:
            return False
        if has_open_retaliation_flag(case) and not (user.fund is not None and user.fund.kind == "oversight"):
            # Issue 16: an open retaliation flag locks the complainant to the council (its triage
            # desk is the oversight fund's staff; the fund's own staff lose access while it is open).
            return False
        return not case.category.sensitive or (user.fund is not None and user.fund.kind == "oversight")
    if user.role == "monitor":
        # A named complainant of a case the monitor's organisation filed; never confidential or anonymous.
        return (
            user.organisation_id is not None
            and case.filed_by_org_id == user.organisation_id
            and case.identity_mode == "named"
        )
    return False


def has_open_retaliation_flag(case: Case) -> bool:
    """An open retaliation flag on this case (read live: locking must take effect at once)."""
    from sqlalchemy import select

    from grievance.extensions import db
    from grievance.models import CaseFlag

    if case.id is None:
        return False
    found = db.session.execute(
        select(CaseFlag.id).where(
            CaseFlag.case_id == case.id, CaseFlag.kind == "retaliation", CaseFlag.status == "open"
        )
    ).first()
    return found is not None


def known_identity(case: Case) -> list[str | None]:
    """The stored values that identify this case's complainant: name (and each part of it), phone,
    e-mail, programme number, and the address and account a platform sent with it."""
    known: list[str | None] = []
    person = case.complainant
    if person is not None:
        # "Dara Keo" is also written "KEO Dara", "Dara-Keo" or "DaraKeo", and a part alone: mask()
        # matches the name's parts in any order and spelling, and a distinctive part alone. Passing
        # the parts here as whole values would mask a short Khmer family name inside other words
        # (សុខ in សុខភាព, health).
        known += [person.name, person.phone, person.email, person.programme_number]
    sent = case.api_submission
    if sent is not None:
        known += [sent.address_string, sent.account_id]
    return known


def redact(case: Case, text: str | None) -> str:
    """Text typed about this case, with its complainant's identity and any phone/ID-like runs masked."""
    return mask(text, known_identity(case))


def text_for(viewer: User | None, case: Case, text: str | None) -> str:
    """Text about this case as `viewer` may read it: whole for those who may see the complainant."""
    if can_see_identity(viewer, case):
        return text or ""
    return redact(case, text)


def public_description(case: Case) -> str | None:
    """The description as the public may read it; none at all for a sensitive category (misconduct)."""
    return None if case.category.sensitive else redact(case, case.description)
