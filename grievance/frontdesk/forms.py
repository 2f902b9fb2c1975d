"""Front-desk forms: filing for a person present, looking up a reference, a visit note."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp

from grievance.forms_common import CleanText, DayMonthYearField, IdentityRules

DESCRIPTION_MAX = 5000
LANGUAGE_CHOICES = [("km", "ភាសាខ្មែរ"), ("en", "English")]
IDENTITY_CHOICES = [
    ("anonymous", _l("Anonymous")),
    ("confidential", _l("Confidential")),
    ("named", _l("Named")),
]
GENDER_CHOICES = [("", _l("Not said")), ("female", _l("Woman")), ("male", _l("Man"))]
PHONE = Regexp(r"^\+?[0-9 ]{6,20}$", message=_l("Give a phone number with digits only, e.g. 012 345 678."))


class FileForm(IdentityRules, FlaskForm):
    category = SelectField(_l("What happened?"), validators=[InputRequired(_l("Please choose what happened."))])
    description = TextAreaField(
        _l("Tell us what happened"),
        validators=[DataRequired(_l("Please describe what happened.")), CleanText(DESCRIPTION_MAX)],
    )
    occurred_on = DayMonthYearField(_l("When did it happen?"), validators=[Optional()])
    language = RadioField(_l("The person's language"), choices=LANGUAGE_CHOICES, default="km")
    identity_mode = RadioField(
        _l("How does the person want to be known?"),
        choices=IDENTITY_CHOICES,
        default="anonymous",
        validators=[InputRequired()],
    )
    name = StringField(_l("Name"), validators=[Optional(), CleanText(200, multiline=False)])
    phone = StringField(_l("Phone number"), validators=[Optional(), Length(max=20), PHONE])
    sms_opt_in = BooleanField(_l("Send SMS updates to this phone (reference only, no details)"))
    programme_number = StringField(
        _l("Programme number (IDPoor or NSSF card), if you have one"),
        validators=[Optional(), CleanText(64, multiline=False)],
    )
    gender = SelectField(_l("Gender"), choices=GENDER_CHOICES, validators=[Optional()])
    disability = BooleanField(_l("Person with a disability"))
    idpoor = BooleanField(_l("IDPoor household"))
    informal_worker = BooleanField(_l("Informal or self-employed worker"))
    indigenous = BooleanField(_l("Indigenous person"))
    consent = BooleanField(
        _l("I read this back to the person. They agree that I file it for them and that it is kept."),
        validators=[DataRequired(_l("The person must agree before you file."))],
    )
    form_token = HiddenField(validators=[DataRequired(), Length(min=16, max=64)])
    submit = SubmitField(_l("File the complaint"))

    sms_without_phone = _l("SMS updates need a phone number.")


class LookupForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search that changes nothing

    reference = StringField(
        _l("Reference number"), validators=[DataRequired(), Length(max=24), CleanText(24, multiline=False)]
    )
    submit = SubmitField(_l("Find"))


class ReceiptForm(FlaskForm):
    reference = HiddenField(validators=[DataRequired(), Length(max=24)])
    code = HiddenField(validators=[DataRequired(), Length(max=32)])
    language = SelectField(_l("Language of the receipt"), choices=LANGUAGE_CHOICES, default="km")
    submit = SubmitField(_l("Print the receipt (PDF)"))


class ShowIdentityForm(FlaskForm):
    submit = SubmitField(_l("Show the name on record to check it"))


DOCUMENT_CHOICES = [
    ("id_card", _l("National ID card")),
    ("passport", _l("Passport")),
    ("family_book", _l("Family book")),
    ("idpoor_card", _l("IDPoor card")),
    ("other", _l("Another official document")),
]


class NewCodeForm(FlaskForm):
    document = SelectField(_l("Document the person showed"), choices=DOCUMENT_CHOICES)
    checked = BooleanField(
        _l("I compared the document with the name on record: it is the same person."),
        validators=[DataRequired(_l("Check the person's identity before issuing a new code."))],
    )
    submit = SubmitField(_l("Issue a new tracking code"))


class DeskFeedbackForm(FlaskForm):
    solved = RadioField(
        _l("Did the answer solve the person's problem?"),
        choices=[
            ("yes", _l("Yes")),
            ("no", _l("No: open an appeal")),
            ("council", _l("No, and the person wants the National Social Protection Council to review it")),
        ],
        validators=[InputRequired()],
    )
    submit = SubmitField(_l("Record the answer"))


class VisitForm(FlaskForm):
    note = TextAreaField(_l("What did the person ask or say?"), validators=[DataRequired(), CleanText(2000)])
    submit = SubmitField(_l("Record the visit"))
