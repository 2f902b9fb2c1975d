"""An approved extension reaches the complainant: one SMS with the new date (if they opted in), the
Telegram chats following the case, the monitors following it; a refused one reaches no one outside."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from grievance.cases import service as svc
from grievance.chat import service as chat
from grievance.domain import dates, smslen
from grievance.domain.calendar import TZ
from grievance.models import Event, MonitorScope, OutboxMessage
from grievance.models.timeutil import from_db
from grievance.notifications import messages
from grievance.services import audit

T0 = datetime(2026, 3, 2, 3, 0, tzinfo=timezone.utc)  # Monday 10:00 Phnom Penh
PHONE = "012 345 678"
REASON = "My name is Sok Dara, phone 012 345 678. Waiting for the bank."


def _case(make, **fields):
    fields.setdefault("identity_mode", "confidential")
    return make.case("NSAF-CT-MISSING", now=T0, name="Sok Dara", phone=PHONE, **fields)[0]


def _extend(db, make, case, approve: bool = True):
    """Acknowledge, ask for 5 more days, decide; returns the messages the decision queued."""
    officer, supervisor = make.user("officer", fund="NSAF"), make.user("supervisor", fund="NSAF")
    svc.acknowledge(case, officer, "seen", now=T0 + timedelta(hours=1))
    request = svc.request_extension(case, officer, 5, REASON, now=T0 + timedelta(days=2))
    db.session.commit()
    before = {m.id for m in _messages(db)}
    svc.decide_extension(request, supervisor, approve, "agreed", now=T0 + timedelta(days=3))
    db.session.commit()
    return [m for m in _messages(db) if m.id not in before]


def _messages(db) -> list[OutboxMessage]:
    return list(db.session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars())


@pytest.mark.parametrize("language", ["km", "en"])
def test_an_opted_in_complainant_gets_one_sms_with_the_new_date_in_the_complaints_language(db, make, language):
    case = _case(make, sms_opt_in=True, language=language)
    sent = _extend(db, make, case)

    (sms,) = [m for m in sent if m.channel == "sms"]
    day = dates.day(from_db(case.resolve_due_at).astimezone(TZ), language)
    assert sms.recipient == PHONE and sms.language == language
    assert sms.body == messages.complainant_sms("due_extended", case.reference, language, due=case.resolve_due_at)
    assert case.reference in sms.body and day in sms.body
    assert ("ថ្ងៃឆ្លើយតបថ្មីគឺ" if language == "km" else "The new date for an answer is") in sms.body
    assert "Sok Dara" not in sms.body and "bank" not in sms.body  # the reference and the date only
    assert smslen.fits(sms.body)


def test_no_sms_for_a_complainant_who_did_not_opt_in(db, make):
    silent, opted = _case(make, sms_opt_in=False), _case(make, sms_opt_in=True)
    assert [m for m in _extend(db, make, silent) if m.channel == "sms"] == []
    assert [m.recipient for m in _extend(db, make, opted) if m.channel == "sms"] == [PHONE]


def test_a_telegram_chat_following_the_case_and_a_following_monitor_hear_of_it_as_of_a_public_update(db, make):
    from grievance.monitoring import service as monitoring

    case = _case(make, sms_opt_in=False, identity_mode="anonymous")
    chat.subscribe(case, "telegram", "hash-of-chat", "4242")
    monitor = make.user("monitor")
    db.session.add(MonitorScope(organisation_id=monitor.organisation_id))  # every case
    monitoring.follow(case, monitor)
    db.session.commit()
    sent = _extend(db, make, case)

    (telegram,) = [m for m in sent if m.channel == "telegram"]
    assert telegram.recipient == "4242"
    assert dates.day(from_db(case.resolve_due_at).astimezone(TZ), "km") in telegram.body
    (mail,) = [m for m in sent if m.channel == "email" and m.recipient == monitor.email]
    assert "ថ្ងៃឆ្លើយតបថ្មី" in mail.body and "Sok Dara" not in mail.body and "bank" not in mail.body


def test_a_refused_extension_tells_no_one_and_adds_no_public_event(db, make):
    case = _case(make, sms_opt_in=True)
    chat.subscribe(case, "telegram", "hash-of-chat", "4242")
    db.session.commit()
    assert _extend(db, make, case, approve=False) == []
    last = db.session.execute(select(Event).where(Event.case_id == case.id).order_by(Event.seq.desc())).scalar()
    assert (last.kind, last.public) == ("decide_extension", False)

    again = svc.request_extension(case, make.user("officer", fund="NSAF"), 3, REASON, now=T0 + timedelta(days=4))
    svc.decide_extension(again, make.user("supervisor", fund="NSAF"), True, "ok", now=T0 + timedelta(days=4, hours=1))
    db.session.commit()
    told = db.session.execute(select(Event).where(Event.case_id == case.id, Event.kind == "due_extended")).scalars()
    assert [json.loads(e.payload)["extra_days"] for e in told] == [3], "only the approved request is told"


def test_the_public_event_carries_the_reason_and_the_case_date_and_the_record_verifies(db, make, runner):
    case = _case(make, sms_opt_in=True)
    officer, supervisor = make.user("officer", fund="NSAF"), make.user("supervisor", fund="NSAF")
    svc.acknowledge(case, officer, "seen", now=T0 + timedelta(hours=1))
    request = svc.request_extension(case, officer, 5, REASON, now=T0 + timedelta(days=2))
    db.session.commit()
    loop_due, last_public = case.loop_due_at, case.last_public_at
    svc.decide_extension(request, supervisor, True, "agreed", now=T0 + timedelta(days=3))
    db.session.commit()

    decision, told = (
        db.session.execute(select(Event).where(Event.case_id == case.id).order_by(Event.seq.desc()).limit(2))
        .scalars()
        .all()[::-1]
    )
    assert (decision.kind, decision.public) == ("decide_extension", False)
    assert (told.kind, told.public, told.actor_label) == ("due_extended", True, "staff")
    payload = json.loads(told.payload)
    assert payload["reason"] == REASON and "note" not in payload  # the supervisor's note stays internal
    assert from_db(datetime.fromisoformat(payload["resolve_due"])) == from_db(case.resolve_due_at)
    # a notice the system writes is not the fund's public update: the keep-in-loop clock does not restart
    assert (case.loop_due_at, case.last_public_at) == (loop_due, last_public)
    assert audit.verify_chain().ok
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output


def test_every_extension_sms_fits_three_parts_with_the_longest_reference_and_date():
    due = datetime(2026, 9, 30, 3, 0, tzinfo=timezone.utc)  # "30 កញ្ញា 2026", the longest Khmer month here
    for language in ("km", "en"):
        for khmer_digits in (False, True):
            text = messages.complainant_sms(
                "due_extended", "GRV-2026-999999", language, due=due, khmer_digits=khmer_digits
            )
            assert smslen.fits(text), (language, smslen.size(text))
