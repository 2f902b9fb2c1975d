"""POST /sms/inbound: the SMS gateway forwards what a person texted; the answer goes via the outbox.

Only the gateway may call it (shared secret in X-Gateway-Secret). The sender's number and the
text are personal data: they are never logged, and the per-sender rate limit keys on a keyed
hash of the number, not the number itself.
"""

import hashlib
import hmac

from flask import Blueprint, abort, current_app, jsonify, request

from grievance.extensions import csrf, db, limiter
from grievance.security import tracking_key
from grievance.sms import service

bp = Blueprint("sms", __name__)

MAX_FIELD = 320


def _secret_ok() -> bool:
    expected = current_app.config.get("SMS_INBOUND_SECRET") or ""
    given = request.headers.get("X-Gateway-Secret", "")
    # Both sides are compared as bytes of equal type; an unset secret refuses every request.
    return bool(expected) and hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def _fields() -> dict:
    data = request.get_json(silent=True) if request.is_json else request.form
    return data if isinstance(data, dict) else {}


def _sender_key() -> str:
    sender = str(_fields().get("from", ""))[:64]
    digest = hmac.new(current_app.config["SECRET_KEY"].encode(), sender.encode(), hashlib.sha256).hexdigest()
    return "sms-from:" + digest[:32]


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
