"""The form a CSO or union monitor fills in for a person or a group."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from grievance.forms_common import CleanText, DayMonthYearField
from grievance.intake.forms import DESCRIPTION_MAX, IDENTITY_CHOICES, DecodedCleanly, PlaceFields

MAX_GROUP = 100_000


class AssistedForm(PlaceFields, FlaskForm):
    filed_for = RadioField(
        _l("Who is this complaint for?"),
        choices=[("person", _l("One person")), ("group", _l("A group of people"))],
        default="person",
        validators=[InputRequired()],
    )
    people_affected = IntegerField(
        _l("How many people are affected?"),
        default=1,
        validators=[InputRequired(_l("Give the number of people.")), NumberRange(min=1, max=MAX_GROUP)],
    )
    category = SelectField(_l("What happened?"), validators=[DataRequired(_l("Please choose what happened."))])
    description = TextAreaField(
        _l("Tell us what happened"),
        validators=[DataRequired(_l("Please describe what happened.")), DecodedCleanly(), CleanText(DESCRIPTION_MAX)],
    )
    occurred_on = DayMonthYearField(_l("When did it happen?"), validators=[Optional()])
    province = SelectField(_l("Province or capital"), validators=[Optional()], validate_choice=False)
    district = SelectField(_l("District, municipality or khan"), validators=[Optional()], validate_choice=False)
    commune = SelectField(_l("Commune or sangkat"), validators=[Optional()], validate_choice=False)
    identity_mode = RadioField(
        _l("How does the person want to be known?"),
        choices=IDENTITY_CHOICES,
        default="confidential",
        validators=[InputRequired()],
    )
    name = StringField(
        _l("Name of the person (or of the group's representative)"),
        validators=[Optional(), DecodedCleanly(), CleanText(200, multiline=False)],
    )
    phone = StringField(
        _l("Phone number"),
        validators=[
            Optional(),
            Length(max=20),
            Regexp(r"^\+?[0-9 ]{6,20}$", message=_l("Give a phone number with digits only, e.g. 012 345 678.")),
        ],
    )
    programme_number = StringField(
        _l("Programme number (IDPoor or NSSF card), if you have one"),
        validators=[Optional(), DecodedCleanly(), CleanText(64, multiline=False)],
    )
    consent = BooleanField(
        _l("The person (or the group) agreed that we file this complaint for them."),
        validators=[DataRequired(_l("You can file only with the person's consent."))],
    )
    form_token = HiddenField(validators=[DataRequired(), Length(min=16, max=64)])
    submit = SubmitField(_l("File the complaint"))

    def validate_people_affected(self, field) -> None:
        if self.filed_for.data == "group" and (field.data or 0) < 2:
            raise ValidationError(_l("A group complaint is for 2 people or more."))
        if self.filed_for.data == "person" and field.data != 1:
            raise ValidationError(_l("A complaint for one person is for 1 person; choose 'A group' otherwise."))

    def validate_name(self, field) -> None:
        if self.identity_mode.data in ("confidential", "named") and not field.data:
            raise ValidationError(_l("Please give the name, or choose 'Anonymous'."))

    def validate_phone(self, field) -> None:
        if self.identity_mode.data == "anonymous" and field.data:
            raise ValidationError(_l("Anonymous complaints cannot include a phone number."))
