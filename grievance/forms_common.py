"""Validators shared by every blueprint's forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

from grievance.domain.text import TextRejected, clean_text

MESSAGES = {
    "invalid": _l("This text contains characters that cannot be stored. Please retype it."),
    "control": _l("This text contains control characters that are not allowed."),
    "invisible": _l("This text contains a long run of invisible characters."),
    "bidi": _l("This field cannot contain direction-control characters."),
    "marks": _l("This text contains a long run of combining marks."),
}


class CleanText:
    """Validate and normalise a text field (NFC, no controls, bounded length in code points)."""

    def __init__(self, max_length: int, multiline: bool = True) -> None:
        self.max_length = max_length
        self.multiline = multiline

    def __call__(self, form, field) -> None:
        try:
            field.data = clean_text(field.data, max_length=self.max_length, multiline=self.multiline)
        except TextRejected as exc:
            if exc.code == "too_long":
                raise ValidationError(_l("Please keep this under %(n)s characters.", n=self.max_length)) from None
            raise ValidationError(MESSAGES[exc.code]) from None
