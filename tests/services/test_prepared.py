"""services/prepared: a statement run on the driver's cursor stores and reads what SQLAlchemy Core would."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import exc, insert, select, text

from grievance.extensions import db as _db
from grievance.models import ApiSubmission, Event
from grievance.services.prepared import Prepared

T0 = datetime(2026, 6, 1, 2, 0, tzinfo=timezone.utc)
SUBMISSIONS = ApiSubmission.__table__
COLUMNS = [c.name for c in SUBMISSIONS.columns if c.name != "id"]


def _values(case_id: int, token: str, created_at: datetime) -> dict:
    return {
        "case_id": case_id,
        "api_key_id": None,
        "token": token,
        "external_id": "fms-1",
        "idempotency_digest": None,
        "content_digest": "ab" * 32,
        "replay_secret": None,
        "latitude": 11.5564,
        "longitude": 104.9282,
        "address_string": "ភ្នំពេញ",
        "address_id": None,
        "media_urls": "https://fms.example/p/1.jpeg",
        "device_id": None,
        "account_id": "",
        "created_at": created_at,
    }


def _stored(token: str) -> dict:
    """The row as the driver gives it back (no SQLAlchemy type processing)."""
    names = ", ".join(COLUMNS)
    row = _db.session.execute(text(f"SELECT {names} FROM api_submissions WHERE token = :t"), {"t": token}).one()  # noqa: S608
    return dict(zip(COLUMNS, row, strict=True))


@pytest.mark.parametrize(
    "created_at",
    [datetime(2026, 6, 1, 2, 0), datetime(2026, 6, 1, 2, 0, 0, 123456)],  # microseconds 0 and not
    ids=["whole-second", "microseconds"],
)
def test_an_insert_stores_exactly_what_core_stores(make, created_at):
    first, _ = make.case("NSAF-CT-MISSING", now=T0)
    second, _ = make.case("NSAF-CT-MISSING", now=T0)
    connection = _db.session.connection()
    connection.execute(insert(SUBMISSIONS), _values(first.id, "core", created_at))
    Prepared(insert(SUBMISSIONS), COLUMNS).rowcount(connection, _values(second.id, "prepared", created_at))
    core, prepared = _stored("core"), _stored("prepared")
    for row in (core, prepared):
        row.pop("case_id"), row.pop("token")
    assert prepared == core
    # Read back through the ORM, the value is the one written.
    found = _db.session.execute(select(ApiSubmission.created_at).where(ApiSubmission.token == "prepared")).scalar()
    assert found == created_at


def test_a_select_gives_values_as_core_types_them(make):
    case, _ = make.case("NSAF-CT-MISSING", now=T0)
    connection = _db.session.connection()
    connection.execute(insert(SUBMISSIONS), _values(case.id, "tok", datetime(2026, 6, 1, 2, 0, 0, 5)))
    statement = select(SUBMISSIONS.c.created_at, SUBMISSIONS.c.latitude, SUBMISSIONS.c.token).where(
        SUBMISSIONS.c.case_id == case.id
    )
    expected = tuple(connection.execute(statement).one())
    assert Prepared(statement).first(connection) == expected
    assert isinstance(expected[0], datetime)
    assert Prepared(statement.where(SUBMISSIONS.c.case_id == -1)).first(connection) is None


def test_a_driver_error_is_raised_as_sqlalchemys_and_the_session_recovers(make):
    first, _ = make.case("NSAF-CT-MISSING", now=T0)
    second, _ = make.case("NSAF-CT-MISSING", now=T0)
    _db.session.commit()
    prepared = Prepared(insert(SUBMISSIONS), COLUMNS)
    prepared.rowcount(_db.session.connection(), _values(first.id, "same", datetime(2026, 6, 1)))
    with pytest.raises(exc.IntegrityError):
        prepared.rowcount(_db.session.connection(), _values(second.id, "same", datetime(2026, 6, 1)))
    _db.session.rollback()
    assert _db.session.execute(select(ApiSubmission.id)).all() == []
    prepared.rowcount(_db.session.connection(), _values(second.id, "after", datetime(2026, 6, 1)))
    _db.session.commit()
    assert _db.session.execute(select(ApiSubmission.token)).scalars().all() == ["after"]


def test_a_parameter_the_statement_holds_keeps_its_value(make):
    make.case("NSAF-CT-MISSING", now=T0)  # the year's counter exists
    from grievance.models import ReferenceCounter

    table = ReferenceCounter.__table__
    before = _db.session.execute(select(table.c.last_number).where(table.c.year == 2026)).scalar_one()
    statement = (
        table.update()
        .where(table.c.year == 2026)
        .values(last_number=table.c.last_number + 5)
        .returning(table.c.last_number)
    )
    assert Prepared(statement).scalar(_db.session.connection()) == before + 5


def test_a_column_with_a_python_default_must_be_given(db):
    # Core would compute Event.public's default in its execution context; a prepared statement
    # cannot, so it refuses to be built without it rather than store NULL.
    with pytest.raises(ValueError, match="default"):
        Prepared(insert(Event.__table__), ["seq", "kind"]).rowcount(_db.session.connection(), {"seq": 1, "kind": "x"})
