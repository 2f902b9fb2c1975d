from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, NumberRange
from wtforms.widgets import HiddenInput

from grievance.forms_common import CleanText, VersionedForm

OUTCOME_CHOICES = [
    ("remedied", _l("Remedied")),
    ("explained", _l("Explained")),
    ("not_upheld", _l("Not upheld")),
    ("referred", _l("Referred")),
]


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


class RecategoriseForm(VersionedForm):
    category = SelectField(_l("Correct category"), validators=[InputRequired()])
    message = TextAreaField(
        _l("Why the category is corrected (internal)"), validators=[DataRequired(), CleanText(2000)]
    )
    submit = SubmitField(_l("Correct the category"))


class DuplicateForm(VersionedForm):
    original = StringField(
        _l("Reference of the complaint this one repeats"), validators=[DataRequired(), CleanText(40)]
    )
    message = TextAreaField(_l("Why they are the same (internal)"), validators=[DataRequired(), CleanText(2000)])
    submit = SubmitField(_l("Mark as a duplicate"))


class PlainActionForm(VersionedForm):
    submit = SubmitField(_l("Confirm"))


class ExtensionForm(VersionedForm):
    extra_days = IntegerField(
        _l("Extra working days"), validators=[InputRequired(), NumberRange(min=1, max=60)], default=5
    )
    message = TextAreaField(
        _l("Why more time is needed (if the extension is approved, the complainant reads this)"),
        validators=[DataRequired(), CleanText(2000)],
    )
    submit = SubmitField(_l("Request extension"))


class DecideExtensionForm(VersionedForm):
    request_id = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    decision = SelectField(
        _l("Decision"), choices=[("approve", _l("Approve")), ("refuse", _l("Refuse"))], validators=[InputRequired()]
    )
    message = TextAreaField(_l("Note"), validators=[DataRequired(), CleanText(2000)])
    submit = SubmitField(_l("Decide"))


class EscalateForm(VersionedForm):
    message = TextAreaField(_l("Why the council should take this up"), validators=[DataRequired(), CleanText(2000)])
    submit = SubmitField(_l("Escalate"))


class AssignForm(VersionedForm):
    assignee = SelectField(_l("Assign to"), validators=[InputRequired()])
    submit = SubmitField(_l("Assign"))
