"""Validators shared by every blueprint's forms."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import unquote_to_bytes

from flask import has_request_context, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField
from wtforms.utils import unset_value
from wtforms.validators import InputRequired, ValidationError
from wtforms.widgets import HiddenInput

from grievance.domain.phone import KHMER_DIGITS
from grievance.domain.text import TextRejected, clean_text

MESSAGES = {
    "invalid": _l("This text contains characters that cannot be stored. Please retype it."),
    "control": _l("This text contains control characters that are not allowed."),
    "invisible": _l("This text contains a long run of invisible characters."),
    "bidi": _l("This field cannot contain direction-control characters."),
    "marks": _l("This text contains a long run of combining marks."),
}


# Names of the url-encoded fields whose bytes were not valid UTF-8, kept in the WSGI environ.
BADLY_ENCODED = "grievance.badly_encoded_fields"


def flag_badly_encoded(body: bytes) -> frozenset[str]:
    """List the url-encoded fields whose value is not valid UTF-8 (Werkzeug would keep "%FF" as text)."""
    bad = set()
    for pair in body.split(b"&"):
        name, _sep, value = pair.partition(b"=")
        try:
            unquote_to_bytes(value.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            bad.add(unquote_to_bytes(name.replace(b"+", b" ")).decode("utf-8", "replace"))
    if bad:
        request.environ[BADLY_ENCODED] = frozenset(bad)
    return frozenset(bad)


def error_text(form) -> str:
    """A form's errors as one line for a flash message (the messages may be lazy strings)."""
    return "; ".join(str(message) for messages in form.errors.values() for message in messages)


class CleanText:
    """Validate and normalise a text field (NFC, no controls, bounded length in code points)."""

    def __init__(self, max_length: int, multiline: bool = True) -> None:
        self.max_length = max_length
        self.multiline = multiline

    def __call__(self, form, field) -> None:
        if has_request_context() and field.name in request.environ.get(BADLY_ENCODED, ()):
            raise ValidationError(MESSAGES["invalid"])
        try:
            field.data = clean_text(field.data, max_length=self.max_length, multiline=self.multiline)
        except TextRejected as exc:
            if exc.code == "too_long":
                raise ValidationError(_l("Please keep this under %(n)s characters.", n=self.max_length)) from None
            raise ValidationError(MESSAGES[exc.code]) from None


class IdentityRules:
    """Form mixin: how the complainant chose to be known decides which contact fields are allowed."""

    sms_without_phone = _l("Give a phone number to receive SMS updates.")

    name_required = _l("Please give your name, or choose 'Anonymous'.")

    def validate_name(self, field) -> None:
        if self.identity_mode.data in ("confidential", "named") and not field.data:
            raise ValidationError(self.name_required)

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        return self.name_given() and ok

    def name_given(self) -> bool:
        """Confidential and named need a name. Checked apart from the field's validators: its
        Optional() ends the chain on an empty value before validate_name would run."""
        if self.identity_mode.data in ("confidential", "named") and not self.name.data:
            if not self.name.errors:
                self.name.errors = [*self.name.errors, self.name_required]
            return False
        return True

    def validate_phone(self, field) -> None:
        if self.identity_mode.data == "anonymous" and field.data:
            raise ValidationError(_l("Anonymous complaints cannot include a phone number."))

    def validate_sms_opt_in(self, field) -> None:
        if field.data and not self.phone.data:
            raise ValidationError(self.sms_without_phone)


DATE_PARTS = ("day", "month", "year")
DATE_INVALID = _l("This date does not exist. Give the day, the month and the year, e.g. 14, April, 2026.")
DATE_INCOMPLETE = _l("Give the day, the month and the year, or leave all three empty.")
DATE_FUTURE = _l("This date is in the future.")


class DayMonthYearField(DateField):
    """A date asked as day, month (by name) and year — how people here write it; no browser date picker.

    The browser sends `<name>-day`, `<name>-month` (1–12) and `<name>-year`; Khmer digits are read
    as well. A client posting one ISO value under `<name>` (2026-04-14) is understood too, and that
    is how a date is kept in a draft. `parts` holds what to show back in the three boxes. A date of
    something that happened (`past_only`, the default) cannot be in the future; an administrator's
    closure day or new terms can.
    """

    def __init__(self, label=None, validators=None, past_only: bool = True, **kwargs) -> None:
        super().__init__(label, validators, format="%Y-%m-%d", **kwargs)
        self.parts = ("", "", "")
        self.past_only = past_only

    def process(self, formdata, data=unset_value, extra_filters=None) -> None:
        super().process(formdata, data, extra_filters)
        raw = ("", "", "")
        if formdata is not None:
            raw = tuple(
                str(formdata.get(f"{self.name}-{part}", "")).translate(KHMER_DIGITS).strip() for part in DATE_PARTS
            )
        if any(raw):
            self.raw_data = [" ".join(raw)]
            self.process_errors = []
            self.parts = raw
            self.data = None
            if not all(raw):
                self.process_errors.append(str(DATE_INCOMPLETE))
                return
            try:
                self.data = date(int(raw[2]), int(raw[1]), int(raw[0]))
            except (ValueError, OverflowError):
                self.process_errors.append(str(DATE_INVALID))
            return
        if self.data:
            self.parts = (str(self.data.day), str(self.data.month), str(self.data.year))

    def pre_validate(self, form) -> None:
        if self.past_only and self.data and self.data > date.today() + timedelta(days=1):
            raise ValidationError(DATE_FUTURE)

    @property
    def iso(self) -> str:
        """The date as kept in a draft ('' for none)."""
        return self.data.isoformat() if self.data else ""


class IdentityReasonForm(FlaskForm):
    """Why personal data or evidence is opened: required, from the short list, and put on record."""

    reason = SelectField(_l("Why do you open it?"), render_kw={"required": True})

    def __init__(self, *args, **kwargs) -> None:
        from grievance.labels import IDENTITY_REASON

        super().__init__(*args, **kwargs)
        self.reason.choices = [("", _l("Choose a reason…"))] + list(IDENTITY_REASON.items())

    def validate_reason(self, field) -> None:
        if not field.data:
            raise ValidationError(_l("Choose why you open the complainant's personal data."))


def open_identity(case, output: str, *, back: str, refused: int = 404):
    """For a view about to show identity: record the view with the reason posted, or answer why not.

    Returns None once the view is on record (the caller shows it and commits), or a redirect to
    `back` when no reason was chosen; aborts with `refused` when the rule says no.
    """
    from flask import abort, flash, redirect
    from flask_babel import gettext as _
    from flask_login import current_user

    from grievance.cases.service import IdentityRefused, record_identity_view

    form = IdentityReasonForm()
    if not form.validate_on_submit():
        flash(_("Choose why you open the complainant's personal data."), "error")
        return redirect(back, 303)
    try:
        record_identity_view(case, current_user, reason=form.reason.data, output=output)
    except IdentityRefused:
        abort(refused)
    return None


class VersionedForm(FlaskForm):
    """A form that carries the version of what it edits: a save from a stale page is refused, not applied."""

    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
