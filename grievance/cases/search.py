"""Officer search over the queue: by reference, by words of the description, and (for those who
may see identity, each case shown recorded as an identity view) by phone.

Khmer has no spaces between words, so description search is a substring match (``%word%``), never
a word-token match. Results are always inside `permissions.visible_cases` (the queue's scoping).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import or_

from grievance.cases import permissions
from grievance.extensions import db
from grievance.models.case import Case, Complainant
from grievance.models.user import User
from grievance.services import disclosure, identity, permits

MIN_WORD = 3  # a trigram index cannot serve shorter patterns
LIMIT = 50


@dataclass
class SearchResult:
    cases: list[Case] = field(default_factory=list)
    reference_only: bool = False  # the query was too short for words: reference prefix only


_UNSEARCHABLE = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")


def _query_text(text: str | None) -> str:
    """What was typed, as text a database can compare: NFC, without controls (PostgreSQL refuses NUL)."""
    return unicodedata.normalize("NFC", _UNSEARCHABLE.sub(" ", text or "")).strip()


def _escape(text: str) -> str:
    """The text as a LIKE literal: `%`, `_` and the escape character itself lose their meaning."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search(user: User, text: str, *, limit: int = LIMIT) -> SearchResult:
    """Cases the user may see whose reference starts with `text` or whose description holds it."""
    text = _query_text(text)
    if not text:
        return SearchResult()
    pattern = _escape(text)
    by_reference = Case.reference.like(pattern.upper() + "%", escape="\\")
    if len(text) < MIN_WORD:
        condition, short = by_reference, True
    else:
        condition, short = or_(by_reference, Case.description.ilike(f"%{pattern}%", escape="\\")), False
    query = permissions.visible_cases(user).where(condition).order_by(Case.id.desc()).limit(limit)
    return SearchResult(list(db.session.execute(query).scalars()), reference_only=short)


def can_search_phone(user: User, case: Case) -> bool:
    return disclosure.can_see_identity(user, case)


def search_phone(
    user: User, phone: str, *, reason: str = "contact", now: datetime | None = None, limit: int = LIMIT
) -> list[Case]:
    """Cases whose complainant has this phone, for one who may see identity; each shown is an identity view."""
    permits.require(user.role in ("officer", "supervisor"), "search complainants by phone", user)
    digits = _query_text(phone)
    if len(digits) < 6:
        return []
    query = (
        permissions.visible_cases(user)
        .join(Complainant, Complainant.case_id == Case.id)
        .where(Complainant.phone == digits)
        .order_by(Case.id.desc())
        .limit(limit)
    )
    found = [case for case in db.session.execute(query).scalars() if can_search_phone(user, case)]
    for case in found:
        identity.record_view(case, user, reason=reason, now=now)
    return found
