"""Forms for monitors and for the administrator who sets an organisation's scope."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional

from grievance.forms_common import CleanText

FLAG_CHOICES = [
    ("retaliation", _l("Retaliation against the complainant")),
    ("disputed", _l("Resolution disputed")),
    ("no_contact", _l("No contact from the fund")),
    ("other", _l("Other concern")),
]
FLAG_LABELS = dict(FLAG_CHOICES)


class ConfirmForm(FlaskForm):
    """A button with only a CSRF token: follow, unfollow, show identity, handle a flag."""


class FlagForm(FlaskForm):
    kind = SelectField(_l("Why are you flagging this case?"), choices=FLAG_CHOICES, validators=[InputRequired()])
    note = TextAreaField(_l("Note for the council and the fund (optional)"), validators=[Optional(), CleanText(2000)])


class CommentForm(FlaskForm):
    message = TextAreaField(
        _l("Comment to the fund (shown in the case timeline as your organisation's)"),
        validators=[DataRequired(), CleanText(2000)],
    )


class ScopeForm(FlaskForm):
    province = SelectField(_l("Province"), validators=[Optional()])
    category = SelectField(_l("Category"), validators=[Optional()])


class InstructForm(FlaskForm):
    instruction = TextAreaField(_l("Instruction to the fund"), validators=[DataRequired(), CleanText(3000)])
    days = IntegerField(
        _l("Working days to answer"), validators=[InputRequired(), NumberRange(min=1, max=60)], default=5
    )


class FlagNoteForm(FlaskForm):
    text = TextAreaField(
        _l("Note for the council (the fund does not read it)"), validators=[DataRequired(), CleanText(3000)]
    )


class HandleFlagForm(FlaskForm):
    outcome = TextAreaField(_l("Outcome: what was done about this flag"), validators=[DataRequired(), CleanText(3000)])


class FlagAnswerForm(FlaskForm):
    answer = TextAreaField(_l("The fund's answer to the council"), validators=[DataRequired(), CleanText(3000)])
