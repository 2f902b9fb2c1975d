"""Nothing personal in the logs, and no client address stored for an anonymous submission.

Canary values go into every personal field (name, phone, e-mail, programme number), the
complaint text and — once issued — the tracking codes. The complaint then travels the whole
spine: the public form and the Open311 API, tracking, handling (acknowledge, request
information, identity view, resolve), the SLA sweep, the outbox delivered to a fake SMS gateway,
the dashboards and every export. All log output of every logger is captured; not one canary may
appear in it, nor in any URL the app redirects to. The address the requests came from
(203.0.113.77) must appear in no column of any table.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import String, Text, select

from grievance.api import keys
from grievance.extensions import db as _db
from grievance.models import Case, Organisation
from grievance.notifications import delivery
from grievance.seclog import SafeFormatter
from tests.fake_gateway import FakeGateway
from tests.intake.helpers import FreshRequestClient, complaint_data, form_token, receipt_of

CLIENT_ADDRESS = "203.0.113.77"
CANARIES = {
    "name": "Canarya Sokhalog",
    "phone": "012 998 877",
    "email": "canary.logs@example.org",
    "programme": "PRG-CANARY-4711",
    "text": "CanaryComplaintText ខ្ញុំមិនបានទទួលប្រាក់",
}
LOGGERS = ("", "grievance", "grievance.security", "grievance.outbox", "werkzeug", "gunicorn.access", "gunicorn.error")


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.setFormatter(SafeFormatter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture()
def capture():
    handler = Capture()
    saved = []
    for name in LOGGERS:
        logger = logging.getLogger(name)
        saved.append((logger, logger.level))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)  # what production runs at
    yield handler
    for logger, level in saved:
        logger.removeHandler(handler)
        logger.setLevel(level)


def _client(app, world=None, role=None):
    client = FreshRequestClient(app, app.response_class, use_cookies=True)
    client.environ_base["REMOTE_ADDR"] = CLIENT_ADDRESS
    client.environ_base["HTTP_USER_AGENT"] = "CanaryAgent/1.0"
    if role:
        world.login(client, role)
    return client


def _act(client, case_id: int, action: str, **data):
    case = _db.session.get(Case, case_id)
    _db.session.refresh(case)
    response = client.post(f"/cases/{case_id}/{action}", data={"version": case.version, **data})
    assert response.status_code == 303, f"{action}: {response.status_code}"
    return response


def test_no_personal_data_or_tracking_code_reaches_any_log(app, world, runner, capture):
    public = _client(app)
    responses = []

    # Intake: the public form (confidential, SMS updates) and the Open311 API (with an e-mail).
    data = complaint_data(
        form_token(public),
        identity_mode="confidential",
        name=CANARIES["name"],
        phone=CANARIES["phone"],
        programme_number=CANARIES["programme"],
        description=CANARIES["text"],
        sms_opt_in="y",
    )
    form = public.post("/", data=data)
    assert form.status_code == 200
    reference, code = receipt_of(form)
    platform = Organisation(name="Relay platform")
    _db.session.add(platform)
    _db.session.flush()
    relay, _row = keys.issue(platform, "relay")
    _db.session.commit()
    api = public.post(
        "/open311/v2/requests.json",
        json={
            "api_key": relay,
            "service_code": "NSAF-CT-MISSING",
            "description": CANARIES["text"],
            "first_name": CANARIES["name"],
            "phone": CANARIES["phone"],
            "email": CANARIES["email"],
            "attribute": {"identity_mode": "confidential", "programme_number": CANARIES["programme"]},
        },
    )
    assert api.status_code == 201, api.get_data(as_text=True)
    api_code = api.get_json()[0]["tracking_code"]
    canaries = {**CANARIES, "code": code, "api_code": api_code, "api_key": relay}
    # A few failures too: a wrong code, a refused page, a bad form.
    responses.append(public.post("/track", data={"reference": reference, "code": "ABCD-EFGH-JKMN-PQRS"}))
    responses.append(public.post("/", data={**data, "description": "\x00" + CANARIES["text"]}))
    responses.append(public.get(f"/cases/1?name={CANARIES['name']}"))

    # Tracking by the complainant.
    track = {"reference": reference, "code": code}
    responses.append(public.post("/track", data=track))
    case_id = _db.session.execute(select(Case.id).where(Case.reference == reference)).scalar_one()

    # Handling by the fund.
    officer = _client(app, world, "officer_a")
    responses.append(officer.get(f"/cases/{case_id}"))
    responses.append(officer.post(f"/cases/{case_id}/identity"))
    _act(officer, case_id, "acknowledge", message=f"Thank you {CANARIES['name']}")
    _act(officer, case_id, "request_info", message="Which village?")
    responses.append(public.post("/track/information", data={**track, "message": CANARIES["text"] + " village"}))
    _act(officer, case_id, "resolve", outcome="remedied", message="Paid in full.")
    responses.append(public.post("/track/feedback", data={**track, "solved": "yes"}))
    responses.append(public.post("/reports/receipt.pdf", data=track))
    responses.append(officer.get(f"/reports/case/{case_id}.pdf"))

    # The sweep, days later, and the outbox through a fake SMS gateway (and no SMTP server).
    later = (datetime.now(timezone.utc) + timedelta(days=60)).isoformat()
    assert runner.invoke(args=["sla", "sweep", "--now", later]).exit_code == 0
    with FakeGateway() as gateway:
        delivery.deliver(delivery.Transport(sms_gateway_url=gateway.url))
    assert gateway.requests, "no SMS went out: the canary phone number was never exercised"

    # Dashboards and exports.
    month = datetime.now(timezone.utc).strftime("%Y-%m")
    council = _client(app, world, "oversight")
    for url in (
        "/oversight/",
        "/oversight/flags",
        "/oversight/cases?figure=received",
        f"/reports/{month}/scorecard-ALL-en.pdf",
    ):
        responses.append(council.get(url))
    monitor = _client(app, world, "monitor_in")
    responses += [monitor.get("/monitor/"), monitor.get(f"/monitor/cases/{case_id}")]
    responses += [public.get("/transparency"), public.get("/transparency/figures.csv")]
    responses += [public.get("/open311/v2/requests.json"), public.get(f"/open311/v2/requests/{reference}.json")]
    assert all(r.status_code < 500 for r in responses)

    log = "\n".join(capture.lines)
    assert "event=login" in log, "the capture saw nothing: is logging wired?"
    for field, value in canaries.items():
        assert value not in log, f"the {field} reached the logs"
        assert value.split()[0] not in log, f"part of the {field} reached the logs"
        for response in responses:
            assert value not in response.headers.get("Location", ""), f"the {field} is in a redirect URL"
    assert CLIENT_ADDRESS not in log and "CanaryAgent" not in log
    for line in capture.lines:
        assert "\n" not in line and "\r" not in line and "\x1b" not in line


def test_no_column_of_any_table_holds_the_client_address(app, db, capture):
    public = _client(app)
    assert public.post("/", data=complaint_data(form_token(public), description=CANARIES["text"])).status_code == 200
    api = public.post("/open311/v2/requests.json", json={"service_code": "NSAF-CT-MISSING", "description": "x" * 20})
    assert api.status_code == 201
    public.post("/track", data={"reference": "GRV-2026-000001", "code": "ABCD-EFGH-JKMN-PQRS"})
    found = []
    for table in _db.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, String | Text)]
        for row in _db.session.execute(select(*columns)).all() if columns else []:
            for column, value in zip(columns, row, strict=True):
                if isinstance(value, str) and (CLIENT_ADDRESS in value or "CanaryAgent" in value):
                    found.append(f"{table.name}.{column.name}")
    assert found == [], f"the client's address or user agent was stored in {found}"
    assert not any(re.search(r"203\.0\.113\.77", line) for line in capture.lines)
