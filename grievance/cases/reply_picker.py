"""The reply-template picker on the case page, next to the public-update form.

Without JavaScript the picker is a GET form: `?template=<id>` draws the case page again with the
template's text, in the complainant's language, in the public-update box. A small script
(static/js/reply-picker.js, allowed by the CSP's script-src 'self') inserts the same text without
reloading. Either way the officer then edits and sends an ordinary public update.
"""

from __future__ import annotations

from grievance.admin import replies
from grievance.models import Case, User


def parse_choice(value: str | None) -> int | None:
    """The `template` query argument as an id, or None for anything else."""
    if value and value.isdigit() and len(value) <= 18:
        return int(value)
    return None


def panel(user: User, case: Case, forms: dict, chosen: int | None = None) -> dict | None:
    """What the picker shows (None when this user has no public-update form here); fills the box when `chosen`."""
    if "public_update" not in forms:
        return None
    templates = replies.for_case(user, case)
    if not templates:
        return None
    picked = next((t for t in templates if t.id == chosen), None)
    if picked is not None:
        forms["public_update"][1].message.data = picked.body(case.language)
    return {
        "templates": templates,
        "chosen": picked.id if picked else None,
        "language": case.language,
    }
