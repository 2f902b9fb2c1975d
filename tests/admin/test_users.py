"""Users: invitation by one-time link, disable/enable, role changes, password links, search, the CLI."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from grievance.admin import users as svc
from grievance.admin.editing import Invalid
from grievance.admin.guard import AdminRefused
from grievance.auth import links
from grievance.auth.service import AccountError
from grievance.extensions import db
from grievance.models import Fund, Office, User
from tests.admin.conftest import emails_to, link_token, logged_in
from tests.factories import PASSWORD

NEW_PASSWORD = "a password chosen by its owner"


def _fund(code: str) -> Fund:
    return db.session.query(Fund).filter_by(code=code).one()


def _invite(client, email="dara@nsaf.example.org", role="officer", fund="NSAF", locale="en"):
    return client.post(
        "/admin/users/invite",
        data={"email": email, "name": "Dara", "role": role, "fund": str(_fund(fund).id), "locale": locale},
    )


def test_an_invited_officer_sets_a_password_from_the_link_once_and_logs_in(app, admin_client):
    response = _invite(admin_client)
    assert response.status_code == 303
    user = svc.by_email("dara@nsaf.example.org")
    assert user.role == "officer" and user.fund.code == "NSAF" and svc.invited(user)
    # No password works before the link is used, not even an empty or a guessed one.
    fresh = app.test_client()
    assert fresh.post("/auth/login", data={"email": user.email, "password": user.password_hash}).status_code == 200
    (mail,) = emails_to(user.email)
    assert mail.channel == "email" and "7 days" in mail.body
    token = link_token(mail)
    assert token not in (user.password_hash, user.session_token)
    page = fresh.get(f"/auth/set-password?token={token}")
    assert page.status_code == 200 and b"dara@nsaf.example.org" in page.data
    done = fresh.post("/auth/set-password", data={"token": token, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 303
    again = fresh.post(
        "/auth/set-password", data={"token": token, "new": "another password!!", "confirm": "another password!!"}
    )
    assert again.status_code == 410, "a one-time link worked twice"
    assert fresh.post("/auth/login", data={"email": user.email, "password": NEW_PASSWORD}).status_code == 302
    assert logged_in(fresh)
    db.session.expire_all()
    assert not svc.invited(db.session.get(User, user.id))
    assert db.session.get(User, user.id).last_login_at is not None


def test_a_link_expires_and_a_new_one_retires_the_old(make, admin):
    user = make.user("officer")
    now = datetime.now(timezone.utc)
    first = links.issue(user, "reset", by=admin, now=now)
    second = links.issue(user, "reset", by=admin, now=now)
    assert links.find(first, now) is None, "an older link still worked after a new one was sent"
    assert links.find(second, now) is not None
    assert links.find(second, now + timedelta(hours=1, seconds=1)) is None
    with pytest.raises(links.LinkInvalid):
        links.redeem(second, NEW_PASSWORD, now=now + timedelta(hours=2))


def test_a_short_password_does_not_spend_the_link(make, admin):
    user = make.user("officer")
    token = links.issue(user, "reset", by=admin)
    with pytest.raises(AccountError):
        links.redeem(token, "short")
    assert links.find(token) is not None
    links.redeem(token, NEW_PASSWORD)
    assert links.find(token) is None


def test_disabling_ends_the_open_session_at_its_next_request_and_refuses_login(app, admin_client, make):
    officer = make.user("officer")
    seen = officer.version
    session = app.test_client()
    assert session.post("/auth/login", data={"email": officer.email, "password": PASSWORD}).status_code == 302
    assert logged_in(session)
    response = admin_client.post(f"/admin/users/{officer.id}/disable", data={"version": seen})
    assert response.status_code == 303
    assert not logged_in(session), "a disabled account's open session kept working"
    assert session.post("/auth/login", data={"email": officer.email, "password": PASSWORD}).status_code == 200
    db.session.expire_all()
    version = db.session.get(User, officer.id).version
    assert admin_client.post(f"/admin/users/{officer.id}/enable", data={"version": version}).status_code == 303
    assert session.post("/auth/login", data={"email": officer.email, "password": PASSWORD}).status_code == 302


def test_a_role_change_takes_effect_at_once_and_ends_sessions(app, admin_client, make):
    officer = make.user("officer", fund="NSAF")
    session = app.test_client()
    session.post("/auth/login", data={"email": officer.email, "password": PASSWORD})
    data = {
        "version": officer.version,
        "name": officer.name,
        "role": "supervisor",
        "fund": str(_fund("NSSF").id),
        "locale": "km",
    }
    assert admin_client.post(f"/admin/users/{officer.id}", data=data).status_code == 303
    db.session.expire_all()
    changed = db.session.get(User, officer.id)
    assert (changed.role, changed.fund.code) == ("supervisor", "NSSF")
    assert not logged_in(session)


def test_a_role_without_what_it_needs_is_refused_with_the_typed_values_kept(admin_client, make):
    officer = make.user("officer")
    data = {"version": officer.version, "name": "Renamed person", "role": "monitor", "locale": "en"}
    response = admin_client.post(f"/admin/users/{officer.id}?lang=en", data=data)
    assert response.status_code == 400
    assert b"Monitors belong to an organisation" in response.data
    assert b"Renamed person" in response.data
    db.session.expire_all()
    assert db.session.get(User, officer.id).role == "officer"


def test_a_concurrent_edit_is_refused_and_the_page_keeps_what_was_typed(admin_client, make, admin):
    officer = make.user("officer", fund="NSAF")
    seen = officer.version
    # Another administrator renames the account first.
    svc.change(
        admin,
        officer,
        seen,
        name="Name by the other admin",
        role="officer",
        fund=_fund("NSAF"),
        organisation=None,
        office=None,
        locale="km",
    )
    db.session.commit()
    data = {"version": seen, "name": "My typed name", "role": "officer", "fund": str(_fund("NSAF").id), "locale": "en"}
    response = admin_client.post(f"/admin/users/{officer.id}", data=data)
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert 'value="My typed name"' in body, "the typed value was lost"
    assert "Name by the other admin" in body, "the page does not say what is saved now"
    db.session.expire_all()
    assert db.session.get(User, officer.id).name == "Name by the other admin"
    # Saving again from that page (it now carries the new version) works.
    data["version"] = seen + 1
    assert admin_client.post(f"/admin/users/{officer.id}", data=data).status_code == 303


def test_the_last_administrator_cannot_be_disabled_or_demoted(admin, make):
    with pytest.raises(Invalid):
        svc.disable(None, admin, admin.version)
    with pytest.raises(Invalid):
        svc.change(
            None,
            admin,
            admin.version,
            name="x",
            role="officer",
            fund=_fund("NSAF"),
            organisation=None,
            office=None,
            locale="km",
        )
    other = make.user("admin")
    with pytest.raises(Invalid):
        svc.disable(admin, admin, admin.version)  # not your own account either
    svc.disable(other, admin, admin.version)
    assert not admin.active


@pytest.mark.parametrize("role", ["officer", "supervisor", "monitor", "oversight", "frontdesk"])
def test_every_account_verb_refuses_a_non_administrator(make, role):
    office = db.session.query(Office).first()
    actor = make.user(role, office_id=office.id if role == "frontdesk" else None)
    target = make.user("officer")
    nsaf = _fund("NSAF")
    verbs = [
        lambda: svc.invite(actor, email="x@example.org", name="x", role="officer", fund=nsaf),
        lambda: svc.disable(actor, target, target.version),
        lambda: svc.enable(actor, target, target.version),
        lambda: svc.change(
            actor,
            target,
            target.version,
            name="x",
            role="admin",
            fund=None,
            organisation=None,
            office=None,
            locale="km",
        ),
        lambda: svc.send_password_link(actor, target),
        lambda: svc.resend_invitation(actor, target),
        lambda: svc.reset_two_step(actor, target, target.version),
    ]
    for verb in verbs:
        with pytest.raises(AdminRefused):
            verb()
        db.session.rollback()
    db.session.expire_all()
    assert db.session.get(User, target.id).role == "officer" and db.session.get(User, target.id).active


def _accounts(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'href="/admin/users/(\d+)"', page)]


def test_search_treats_percent_and_underscore_literally_and_filters(admin_client, make):
    make.user("officer", fund="NSAF")
    a = make.user("officer", fund="NSSF")
    a.name = "Mr 100%_sure"
    db.session.commit()
    assert b"100%_sure" in admin_client.get("/admin/users?q=100%25_").data
    only_percent = admin_client.get("/admin/users?q=%25").get_data(as_text=True)
    assert _accounts(only_percent) == [a.id], "% matched every account"
    nssf = admin_client.get(f"/admin/users?fund={_fund('NSSF').id}&role=officer").get_data(as_text=True)
    assert _accounts(nssf) == [a.id]
    never = admin_client.get("/admin/users?login=never").get_data(as_text=True)
    assert f"/admin/users/{a.id}" in never
    assert admin_client.get("/admin/users?q=%00%FF&page=-5&fund=abc").status_code == 200


def test_forgot_password_answers_the_same_for_an_unknown_address(client, make):
    user = make.user("officer")
    known = client.post("/auth/forgot", data={"email": user.email})
    unknown = client.post("/auth/forgot", data={"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 200
    assert known.data == unknown.data
    assert len(emails_to(user.email)) == 1 and emails_to("nobody@example.org") == []
    token = link_token(emails_to(user.email)[0])
    assert (
        client.post(
            "/auth/set-password", data={"token": token, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD}
        ).status_code
        == 303
    )
    assert client.post("/auth/login", data={"email": user.email, "password": NEW_PASSWORD}).status_code == 302


def test_a_disabled_account_gets_no_link(client, make):
    user = make.user("officer")
    svc.disable(None, user, user.version)
    db.session.commit()
    assert client.post("/auth/forgot", data={"email": user.email}).status_code == 200
    assert emails_to(user.email) == []


def test_links_point_at_the_configured_address_never_the_request_host(app, client, make, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://grievance.example.kh")
    user = make.user("officer")
    client.post("/auth/forgot", data={"email": user.email}, headers={"Host": "evil.example"})
    (mail,) = emails_to(user.email)
    assert "https://grievance.example.kh/auth/set-password?token=" in mail.body and "evil.example" not in mail.body


def test_the_cli_lists_disables_enables_sets_roles_and_sends_links(runner, make):
    officer = make.user("officer", fund="NSAF")
    listed = runner.invoke(args=["users", "list", "--role", "officer"])
    assert listed.exit_code == 0 and officer.email in listed.output
    assert runner.invoke(args=["users", "disable", officer.email]).exit_code == 0
    db.session.expire_all()
    assert not db.session.get(User, officer.id).active
    assert officer.email in runner.invoke(args=["users", "list", "--disabled"]).output
    refused = runner.invoke(args=["users", "reset-password", officer.email])
    assert refused.exit_code == 1 and "disabled" in refused.output
    assert runner.invoke(args=["users", "enable", officer.email]).exit_code == 0
    moved = runner.invoke(args=["users", "set-role", officer.email, "--role", "supervisor", "--fund", "NSSF"])
    assert moved.exit_code == 0, moved.output
    db.session.expire_all()
    assert db.session.get(User, officer.id).role == "supervisor"
    bad = runner.invoke(args=["users", "set-role", officer.email, "--role", "monitor"])
    assert bad.exit_code == 1 and "organisation" in bad.output
    sent = runner.invoke(args=["users", "reset-password", officer.email])
    assert sent.exit_code == 0 and len(emails_to(officer.email)) == 1
    assert runner.invoke(args=["users", "disable", "nobody@example.org"]).exit_code == 1


def test_the_cli_shows_the_last_login_in_cambodian_time_as_the_pages_do(runner, make):
    from datetime import datetime

    officer = make.user("officer", fund="NSAF")
    officer.last_login_at = datetime(2026, 12, 4, 2, 8)  # stored in UTC
    db.session.commit()
    listed = runner.invoke(args=["users", "list", "--search", officer.email])
    assert listed.exit_code == 0 and "2026-12-04 09:08" in listed.output and "02:08" not in listed.output
