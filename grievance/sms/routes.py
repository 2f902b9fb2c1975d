"""POST /sms/inbound: the SMS gateway forwards what a person texted; the answer goes via the outbox.

Only the gateway may call it (shared secret in X-Gateway-Secret). The sender's number and the
text are personal data: they are never logged, and the per-sender rate limit keys on a keyed
hash of the number, not the number itself.
"""

from flask import Blueprint, abort, jsonify, request

from grievance.extensions import csrf, db, limiter
from grievance.security import header_secret_ok, keyed_limit_key, tracking_key
from grievance.sms import service

bp = Blueprint("sms", __name__)

MAX_FIELD = 320


def _secret_ok() -> bool:
    return header_secret_ok("X-Gateway-Secret", "SMS_INBOUND_SECRET")


def _fields() -> dict:
    data = request.get_json(silent=True) if request.is_json else request.form
    return data if isinstance(data, dict) else {}


def _sender_key() -> str:
    return keyed_limit_key("sms-from", str(_fields().get("from", ""))[:64])


def _not_gateway() -> bool:
    # Requests without the secret are refused before counting, so nobody can use up the limits.
    return not _secret_ok()


@bp.post("/inbound")
@csrf.exempt
@limiter.limit("300/minute", key_func=lambda: "sms-inbound", exempt_when=_not_gateway)
@limiter.limit("5/minute;30/day", key_func=_sender_key, exempt_when=_not_gateway)
def inbound():
    if not _secret_ok():
        abort(403)
    fields = _fields()
    sender, text, message_id = (str(fields.get(name) or "")[:MAX_FIELD] for name in ("from", "text", "id"))
    if not sender or not message_id:
        abort(400)
    queued = service.answer(service.Inbound(sender=sender, text=text, message_id=message_id), key=tracking_key())
    db.session.commit()
    return jsonify(status="queued" if queued else "duplicate")
