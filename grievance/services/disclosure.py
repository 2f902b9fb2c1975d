"""The one redaction: what any output that is not the handling fund's may show of a case's text.

Every public output (Open311 feed and updates, tracking pages, transparency, error messages) and
every monitor output passes free text through `redact` (or `public_description`), so the public
never sees more than a monitor and a rule added here holds everywhere. The masking itself is the
pure `domain.redaction.mask`; this module knows which identity to hide for a case.
"""

from __future__ import annotations

from grievance.domain.redaction import mask
from grievance.models import Case


def known_identity(case: Case) -> list[str | None]:
    """The stored values that identify this case's complainant: name (and each part of it), phone,
    e-mail, programme number, and the address and account a platform sent with it."""
    known: list[str | None] = []
    person = case.complainant
    if person is not None:
        known += [person.name, person.phone, person.email, person.programme_number]
        # "Dara Keo" is also written "KEO Dara", "Dara-Keo" or "DaraKeo": each part is hidden too.
        known += (person.name or "").split()
    sent = case.api_submission
    if sent is not None:
        known += [sent.address_string, sent.account_id]
    return known


def redact(case: Case, text: str | None) -> str:
    """Text typed about this case, with its complainant's identity and any phone/ID-like runs masked."""
    return mask(text, known_identity(case))


def public_description(case: Case) -> str | None:
    """The description as the public may read it; none at all for a sensitive category (misconduct)."""
    return None if case.category.sensitive else redact(case, case.description)
