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

from sqlalchemy import Select, and_, column, literal_column, select, table

from grievance.cases import permissions
from grievance.extensions import db
from grievance.models import search_index
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


def _fts_phrase(text: str) -> str:
    """The text as one FTS5 phrase: a run of consecutive trigrams, i.e. a substring (case-folded)."""
    return '"' + text.replace('"', '""') + '"'


def _next_prefix(prefix: str) -> str:
    """The least string above every string starting with `prefix` (a range an index can seek)."""
    return prefix[:-1] + chr(min(ord(prefix[-1]) + 1, 0x10FFFF))


def reference_query(user: User, text: str, *, limit: int = LIMIT) -> Select:
    """Cases the user may see whose reference starts with `text`, highest reference first: the unique
    index on reference serves both the prefix range and the order (references follow receipt)."""
    prefix = _query_text(text).upper()
    condition = and_(
        Case.reference >= prefix,
        Case.reference < _next_prefix(prefix),
        Case.reference.like(_escape(prefix) + "%", escape="\\"),
    )
    return permissions.visible_cases(user).where(condition).order_by(Case.reference.desc()).limit(limit)


def description_query(user: User, text: str, *, dialect: str, limit: int = LIMIT) -> Select:
    """Cases the user may see whose description holds `text` (at least MIN_WORD characters), newest
    first, through the trigram index (models/search_index): FTS5 MATCH on SQLite, ILIKE on PostgreSQL."""
    text = _query_text(text)
    if dialect == "sqlite":
        fts = table(search_index.FTS_TABLE, column("rowid"))
        query = (
            select(Case)
            .select_from(fts)
            .join(Case, Case.id == fts.c.rowid)
            .where(literal_column(search_index.FTS_TABLE).op("MATCH")(_fts_phrase(text)))
            .order_by(fts.c.rowid.desc())
        )
    else:
        query = select(Case).where(Case.description.ilike(f"%{_escape(text)}%", escape="\\")).order_by(Case.id.desc())
    return permissions.scope(query, user).limit(limit)


def search(user: User, text: str, *, limit: int = LIMIT) -> SearchResult:
    """Cases the user may see whose reference starts with `text` or whose description holds it,
    newest first: two queries each served by an index (reference prefix, trigrams), merged."""
    text = _query_text(text)
    if not text:
        return SearchResult()
    found = {case.id: case for case in db.session.execute(reference_query(user, text, limit=limit)).scalars()}
    short = len(text) < MIN_WORD
    if not short:
        dialect = db.session.get_bind().dialect.name
        for case in db.session.execute(description_query(user, text, dialect=dialect, limit=limit)).scalars():
            found.setdefault(case.id, case)
    cases = sorted(found.values(), key=lambda case: case.id, reverse=True)[:limit]
    return SearchResult(cases, reference_only=short)


def may_search_phone(user: User) -> bool:
    """The fund's staff (officers, supervisors) may look complainants up by phone; nobody else."""
    return user.role in ("officer", "supervisor")


def phone_form(user: User, *, blank: bool = True):
    """The queue's phone search form for one who may use it, else None (blank: not bound to a POST)."""
    if not may_search_phone(user):
        return None
    from grievance.cases.search_forms import PhoneSearchForm

    return PhoneSearchForm(formdata=None) if blank else PhoneSearchForm()


def can_search_phone(user: User, case: Case) -> bool:
    return disclosure.can_see_identity(user, case)


def search_phone(
    user: User, phone: str, *, reason: str = "contact", now: datetime | None = None, limit: int = LIMIT
) -> list[Case]:
    """Cases whose complainant has this phone, for one who may see identity; each shown is an identity view."""
    permits.require(may_search_phone(user), "search complainants by phone", user)
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
