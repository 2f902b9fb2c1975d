from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired
from wtforms.widgets import HiddenInput

from grievance.forms_common import CleanText

OUTCOME_CHOICES = [
    ("remedied", _l("Remedied")),
    ("explained", _l("Explained")),
    ("not_upheld", _l("Not upheld")),
    ("referred", _l("Referred")),
]


class VersionedForm(FlaskForm):
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


class MessageForm(VersionedForm):
    message = TextAreaField(_l("Message to the complainant"), validators=[DataRequired(), CleanText(5000)])
    submit = SubmitField(_l("Send"))


class NoteForm(VersionedForm):
    message = TextAreaField(
        _l("Internal note (not shown to the complainant)"),
        validators=[DataRequired(), CleanText(5000)],
    )
    submit = SubmitField(_l("Add note"))


class ResolveForm(VersionedForm):
    outcome = SelectField(_l("Outcome"), choices=OUTCOME_CHOICES, validators=[InputRequired()])
    message = TextAreaField(
        _l("Explanation for the complainant"),
        validators=[DataRequired(), CleanText(5000)],
    )
    submit = SubmitField(_l("Resolve"))


class TransferForm(VersionedForm):
    fund = SelectField(_l("Transfer to"), validators=[InputRequired()])
    message = TextAreaField(_l("Reason"), validators=[DataRequired(), CleanText(2000)])
    submit = SubmitField(_l("Transfer"))


class PlainActionForm(VersionedForm):
    submit = SubmitField(_l("Confirm"))
