"""The operator's commands: seed, users create, sla sweep, audit verify."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from grievance.demo import DEMO_EXTRA_ACCOUNTS, DEMO_USERS
from grievance.extensions import db
from grievance.models import Case, Fund, User
from grievance.seed_data import CATEGORIES, FUNDS
from tests.conftest import _truncate_all
from tests.factories import PASSWORD


def row_counts() -> dict[str, int]:
    db.session.expire_all()
    return {
        table.name: db.session.execute(select(func.count()).select_from(table)).scalar_one()
        for table in db.metadata.sorted_tables
    }


def added_numbers(output: str) -> list[int]:
    return [int(n) for n in re.findall(r"(\d+) \w+ added", output)]


# --- seed ---------------------------------------------------------------------------------


def test_seed_loads_reference_data_once(runner):
    _truncate_all()
    db.session.expire_all()

    first = runner.invoke(args=["seed"])
    assert first.exit_code == 0, first.output
    assert sum(added_numbers(first.output)) > 0
    after_first = row_counts()
    assert after_first["funds"] == len(FUNDS)
    assert after_first["categories"] == len(CATEGORIES)

    second = runner.invoke(args=["seed"])
    assert second.exit_code == 0, second.output
    assert added_numbers(second.output) and set(added_numbers(second.output)) == {0}
    assert row_counts() == after_first


def test_seed_demo_twice_creates_nothing_new(runner):
    first = runner.invoke(args=["seed", "--demo", "--cases", "30"])
    assert first.exit_code == 0, first.output
    assert "Demo cases: 30 created" in first.output
    assert "admin@demo.grievance.kh" in first.output
    after_first = row_counts()
    assert after_first["cases"] == 30
    # including one front-desk account per office, and the admin demo's invited and disabled accounts
    assert after_first["users"] == len(DEMO_USERS) + len(DEMO_EXTRA_ACCOUNTS)

    second = runner.invoke(args=["seed", "--demo", "--cases", "30"])
    assert second.exit_code == 0, second.output
    assert "already present, nothing changed" in second.output
    assert set(added_numbers(second.output)) == {0}
    assert row_counts() == after_first


def test_audit_verify_passes_after_demo_seeding(runner):
    assert runner.invoke(args=["seed", "--demo", "--cases", "30"]).exit_code == 0

    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    checked = int(re.search(r"Audit record OK: (\d+) events verified", result.output).group(1))
    assert checked >= 30  # at least one event per case
    assert "30 cases match their history" in result.output


# --- users create -------------------------------------------------------------------------


def _create(runner, *args: str, password: str = PASSWORD):
    return runner.invoke(args=["users", "create", *args], input=password + "\n")


def test_users_create_reads_the_password_from_stdin(runner, app):
    result = _create(runner, "Sophea@Example.org", "--role", "officer", "--fund", "nsaf", "--name", "Sophea")
    assert result.exit_code == 0, result.output
    assert "Created officer sophea@example.org" in result.output
    assert PASSWORD not in result.output

    user = db.session.execute(select(User).where(User.email == "sophea@example.org")).scalar_one()
    assert user.fund == db.session.execute(select(Fund).where(Fund.code == "NSAF")).scalar_one()
    assert user.password_hash != PASSWORD
    login = app.test_client().post("/auth/login", data={"email": "sophea@example.org", "password": PASSWORD})
    assert login.status_code == 302


def test_users_create_monitor_needs_and_gets_an_organisation(runner):
    assert _create(runner, "cso@example.org", "--role", "monitor").exit_code != 0
    result = _create(runner, "cso@example.org", "--role", "monitor", "--org", "Village Network")
    assert result.exit_code == 0, result.output
    user = db.session.execute(select(User).where(User.email == "cso@example.org")).scalar_one()
    assert user.organisation.name == "Village Network"


def test_users_create_rejects_a_short_password(runner):
    before = row_counts()
    result = _create(runner, "short@example.org", "--role", "admin", password="elevenchars")
    assert result.exit_code != 0
    assert "Passwords must be 12 to 128 characters long." in result.output
    assert row_counts() == before


def test_users_create_rejects_an_unknown_fund(runner):
    before = row_counts()
    result = _create(runner, "nobody@example.org", "--role", "officer", "--fund", "BOGUS")
    assert result.exit_code != 0
    assert "No fund with code 'BOGUS'" in result.output
    assert row_counts() == before


def test_users_create_rejects_a_duplicate_email(runner):
    assert _create(runner, "dup@example.org", "--role", "admin").exit_code == 0
    result = _create(runner, "DUP@example.org", "--role", "admin")
    assert result.exit_code != 0
    assert "already exists" in result.output


# --- sla sweep ----------------------------------------------------------------------------


def test_sla_sweep_records_breaches_once(runner, make):
    now = datetime.now(timezone.utc).replace(microsecond=0)
    case, _code = make.case(now=now - timedelta(days=40))
    make.case(now=now)  # fresh: nothing due yet
    at = now.isoformat()

    first = runner.invoke(args=["sla", "sweep", "--now", at])
    assert first.exit_code == 0, first.output
    assert "nothing new" not in first.output
    assert "breach:acknowledge=1" in first.output

    second = runner.invoke(args=["sla", "sweep", "--now", at])
    assert second.exit_code == 0, second.output
    assert second.output.strip().endswith("nothing new")

    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert case.ack_breached_at is not None
    assert case.sla_state in ("breached", "escalated")
