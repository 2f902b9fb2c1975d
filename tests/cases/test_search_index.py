"""The description search goes through the trigram index (FTS5 on SQLite, pg_trgm on PostgreSQL),
the index follows every insert, update and delete of a case, and it never reaches past the scope."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select, text

from grievance.cases import search
from grievance.models import Case, Fund, search_index

T0 = datetime(2026, 3, 2, 3, 0, tzinfo=timezone.utc)
SENTENCE = "ខ្ញុំមិនទាន់ទទួលបានប្រាក់ឧបត្ថម្ភទេ"  # "ប្រាក់" (money) in the middle


def _ids(result):
    return [case.id for case in result.cases]


def _plan(db, query) -> str:
    """The database's plan for the search query exactly as the service runs it."""
    engine = db.session.get_bind()
    sql = str(query.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True}))
    if engine.dialect.name == "sqlite":
        rows = db.session.execute(text("EXPLAIN QUERY PLAN " + sql)).all()
        return "\n".join(row[-1] for row in rows)
    # A test database holds a handful of rows, where reading the table is the cheapest plan; with
    # the table reads priced out the planner shows which index can answer the query.
    db.session.execute(text("SET LOCAL enable_seqscan = off"))
    db.session.execute(text("SET LOCAL enable_indexscan = off"))
    try:
        return "\n".join(row[0] for row in db.session.execute(text("EXPLAIN " + sql)))
    finally:
        db.session.rollback()


def test_the_description_match_is_answered_by_the_trigram_index_not_a_scan_of_cases(app, db, make):
    make.case("NSAF-CT-MISSING", now=T0, description=SENTENCE)
    officer = make.user("officer", fund="NSAF")
    dialect = db.session.get_bind().dialect.name
    plan = _plan(db, search.description_query(officer, "ប្រាក់", dialect=dialect))
    if dialect == "sqlite":
        assert "VIRTUAL TABLE INDEX" in plan and search_index.FTS_TABLE in plan, plan
        assert "SEARCH cases USING INTEGER PRIMARY KEY" in plan, plan
        assert "SCAN cases" not in plan.replace(f"SCAN {search_index.FTS_TABLE}", ""), plan
    else:
        # The officer's query may start from the fund's index when the planner thinks the fund
        # small (as in a test database); never from a read of the whole table.
        assert "Seq Scan on cases" not in plan, plan
        # Where the description is the only condition (the council's reader sees every fund),
        # the trigram index answers it.
        reader = make.user("oversight", fund=None)
        plan = _plan(db, search.description_query(reader, "ប្រាក់", dialect=dialect))
        assert f"Bitmap Index Scan on {search_index.PG_INDEX}" in plan, plan
        assert "Seq Scan on cases" not in plan, plan


def test_the_reference_prefix_is_a_search_of_an_index_not_a_scan_of_cases(app, db, make):
    case, _ = make.case("NSAF-CT-MISSING", now=T0)
    officer = make.user("officer", fund="NSAF")
    plan = _plan(db, search.reference_query(officer, case.reference[:9]))
    if db.session.get_bind().dialect.name == "sqlite":
        assert "SEARCH cases USING" in plan and "SCAN cases" not in plan, plan
    else:
        assert "Seq Scan on cases" not in plan, plan


def test_latin_words_are_found_whatever_their_case_and_khmer_inside_a_sentence(app, db, make):
    latin, _ = make.case("NSAF-CT-MISSING", now=T0, description="The Payment did not arrive in March")
    khmer, _ = make.case("NSAF-CT-MISSING", now=T0, description=SENTENCE)
    officer = make.user("officer", fund="NSAF")
    assert _ids(search.search(officer, "PAYMENT")) == [latin.id]
    assert _ids(search.search(officer, "did not arr")) == [latin.id]
    assert _ids(search.search(officer, "ប្រាក់ឧបត្ថម្ភ")) == [khmer.id]
    assert _ids(search.search(officer, "ទទួល")) == [khmer.id]
    assert search.search(officer, "ប្រាក់ខែ").cases == []  # a different word


def test_the_index_follows_an_edited_and_a_deleted_description(app, db, make):
    case, _ = make.case("NSAF-CT-MISSING", now=T0, description="my pension is late")
    officer = make.user("officer", fund="NSAF")
    case.description = SENTENCE
    db.session.commit()
    assert _ids(search.search(officer, "ប្រាក់")) == [case.id]
    assert search.search(officer, "pension").cases == []
    for table in reversed(db.metadata.sorted_tables):  # the case's own rows first, then the case
        if "case_id" in table.c:
            db.session.execute(table.delete().where(table.c.case_id == case.id))
    db.session.execute(text("DELETE FROM cases WHERE id = :id"), {"id": case.id})
    db.session.commit()
    assert search.search(officer, "ប្រាក់").cases == []


def test_sensitive_and_other_funds_cases_with_the_same_word_are_not_reached(app, db, make):
    mine, _ = make.case("NSAF-CT-MISSING", now=T0, description=SENTENCE)
    other_fund, _ = make.case("NSSF-CONTRIB", now=T0, description=SENTENCE)
    sensitive, _ = make.case("MISCONDUCT", now=T0, description=SENTENCE)
    nsaf = db.session.execute(select(Fund).where(Fund.code == "NSAF")).scalar_one()
    sensitive.fund_id = nsaf.id  # held by the fund, still the council's to read
    db.session.commit()
    officer = make.user("officer", fund="NSAF")
    assert _ids(search.search(officer, "ប្រាក់")) == [mine.id]
    reader = make.user("oversight", fund=None)
    assert set(_ids(search.search(reader, "ប្រាក់"))) == {mine.id, other_fund.id, sensitive.id}


def test_fts_syntax_and_like_wildcards_are_literal(app, db, make):
    case, _ = make.case("NSAF-CT-MISSING", now=T0, description='he said "pay_me" OR NOT * 100%')
    make.case("NSAF-CT-MISSING", now=T0, description="payXme and 100 percent")
    officer = make.user("officer", fund="NSAF")
    assert _ids(search.search(officer, '"pay_me"')) == [case.id]
    assert _ids(search.search(officer, "OR NOT *")) == [case.id]
    assert _ids(search.search(officer, "100%")) == [case.id]


def test_newest_first_and_the_limit_holds_for_a_common_word(app, db, make):
    cases = [make.case("NSAF-CT-MISSING", now=T0, description=SENTENCE)[0] for _ in range(4)]
    officer = make.user("officer", fund="NSAF")
    assert _ids(search.search(officer, "ប្រាក់", limit=3)) == [c.id for c in reversed(cases)][:3]


def test_the_index_is_not_a_column_of_cases(app, db):
    assert search_index.FTS_TABLE not in {c.name for c in Case.__table__.columns}
    assert search_index.FTS_TABLE not in db.metadata.tables
