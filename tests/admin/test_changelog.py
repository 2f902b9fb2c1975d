"""Every admin change is an event of the audit chain and a line of the "changes" list: who, when,
what, before → after, in the reader's language."""

from __future__ import annotations

import json

from sqlalchemy import select, update

from grievance.admin import organisations, users
from grievance.extensions import db
from grievance.models import Event, Fund
from grievance.services.changes import KIND


def _fund(code):
    return db.session.execute(select(Fund).where(Fund.code == code)).scalar_one()


def test_changes_show_who_what_before_and_after_with_names_not_ids(admin_client, admin, make, runner):
    officer = make.user("officer", fund="NSAF")
    data = {
        "version": officer.version,
        "name": officer.name,
        "role": "supervisor",
        "fund": str(_fund("NSSF").id),
        "locale": "en",
    }
    assert admin_client.post(f"/admin/users/{officer.id}", data=data).status_code == 303
    admin_client.post("/admin/organisations/", data={"name": "FixMyStreet Cambodia", "kind": "platform"})
    page = admin_client.get("/admin/changes?lang=en").get_data(as_text=True)
    assert admin.email in page
    assert "Supervisor" in page and "Officer" in page  # role words, before and after
    assert "NSAF" in page and "NSSF" in page  # fund codes, not ids
    assert "FixMyStreet Cambodia" in page and "Platform" in page
    khmer = admin_client.get("/admin/changes?lang=km").get_data(as_text=True)
    assert "គណនី" in khmer or "អង្គការ" in khmer
    only_users = admin_client.get("/admin/changes?entity=user&lang=en").get_data(as_text=True)
    assert "FixMyStreet Cambodia" not in only_users
    # The same changes are events of the chain, and `flask audit verify` checks them.
    events = db.session.execute(select(Event).where(Event.kind == KIND)).scalars().all()
    assert {json.loads(e.payload)["entity"] for e in events} >= {"user", "organisation"}
    assert all(e.actor_id == admin.id for e in events)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "OK" in result.output


def test_no_secret_reaches_a_change_record(admin, make):
    user = users.invite(admin, email="new@example.org", name="New", role="officer", fund=_fund("NSAF"))
    users.send_password_link(admin, make.user("officer"))
    org = organisations.create(admin, name="Union", kind="union")
    key, _row = organisations.issue_key(admin, org, "assisted")
    db.session.commit()
    payloads = " ".join(e.payload for e in db.session.execute(select(Event).where(Event.kind == KIND)).scalars())
    assert key not in payloads and key[4:20] not in payloads
    assert user.password_hash not in payloads and user.session_token not in payloads
    assert "token" not in payloads


def test_rewriting_a_recorded_change_breaks_the_chain(admin, runner):
    organisations.create(admin, name="Honest CSO", kind="cso")
    db.session.commit()
    event = db.session.execute(select(Event).where(Event.kind == KIND)).scalars().first()
    forged = event.payload.replace("Honest CSO", "Other CSO")
    db.session.execute(update(Event).where(Event.seq == event.seq).values(payload=forged))
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and f"#{event.seq}" in result.output
