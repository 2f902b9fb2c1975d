from flask import has_request_context, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    Regexp,
    StopValidation,
    ValidationError,
)

from grievance.forms_common import BADLY_ENCODED, MESSAGES, CleanText, DayMonthYearField, IdentityRules
from grievance.geo import commune_choices, district_choices, province_choices

DESCRIPTION_MAX = 5000

IDENTITY_CHOICES = [
    ("anonymous", _l("Anonymous")),
    ("confidential", _l("Confidential")),
    ("named", _l("Named")),
]


class DecodedCleanly:
    """Refuse a field whose bytes were not valid UTF-8 (raw bytes, overlong forms, surrogates).

    Werkzeug decodes form bodies leniently. Url-encoded: it keeps such bytes as literal "%FF"
    text, or drops the whole body if raw bytes were sent unencoded, so the intake blueprint
    checks the raw body first (routes._check_encoding) and lists the fields here. Multipart: each
    part is decoded with replacement, so the bad bytes arrive as U+FFFD, which no one types.
    This validator turns either into a message next to the field, and stops the chain so
    "please describe" does not follow it.
    """

    def __call__(self, form, field) -> None:
        if not has_request_context():
            return
        flagged = field.name in request.environ.get(BADLY_ENCODED, ())
        if flagged or (isinstance(field.data, str) and "\ufffd" in field.data):
            raise StopValidation(MESSAGES["invalid"])


# The fields of the public forms a person types, each checked by DecodedCleanly (a message next to
# the field); invalid UTF-8 anywhere else refuses the request (intake.routes).
TYPED_FIELDS = frozenset({"description", "programme_number", "name", "reference", "code", "message"})

GENDER_CHOICES = [
    ("", _l("Prefer not to say")),
    ("female", _l("Woman")),
    ("male", _l("Man")),
    ("other", _l("Other")),
]
AGE_CHOICES = [
    ("", _l("Prefer not to say")),
    ("under_18", _l("Under 18")),
    ("18_24", "18–24"),
    ("25_59", "25–59"),
    ("60_plus", _l("60 or older")),
]
PLACE_ERROR = _l("This place is not in the one chosen above. Please choose again.")


class PlaceFields:
    """Province → district → commune as codes; each list is built from the level above."""

    def set_place_choices(self, locale: str, blank) -> None:
        self.province.choices = [("", blank)] + province_choices(locale)
        self.district.choices = [("", blank)] + district_choices(self.province.data, locale)
        self.commune.choices = [("", blank)] + commune_choices(self.province.data, self.district.data, locale)

    def validate_province(self, field) -> None:
        if field.data and field.data not in {code for code, _n in field.choices}:
            raise ValidationError(PLACE_ERROR)

    def validate_district(self, field) -> None:
        if field.data and field.data not in {code for code, _n in field.choices}:
            raise ValidationError(PLACE_ERROR)

    def validate_commune(self, field) -> None:
        if field.data and field.data not in {code for code, _n in field.choices}:
            raise ValidationError(PLACE_ERROR)


class ComplaintForm(IdentityRules, PlaceFields, FlaskForm):
    category = RadioField(
        _l("What happened?"),
        validators=[InputRequired(_l("Please choose what happened."))],
    )
    description = TextAreaField(
        _l("Tell us what happened"),
        validators=[
            DecodedCleanly(),
            DataRequired(_l("Please describe what happened.")),
            CleanText(DESCRIPTION_MAX),
        ],
    )
    occurred_on = DayMonthYearField(_l("When did it happen?"), validators=[Optional()])
    province = SelectField(_l("Province or capital"), validators=[Optional()])
    district = SelectField(_l("District, municipality or khan"), validators=[Optional()], validate_choice=False)
    commune = SelectField(_l("Commune or sangkat"), validators=[Optional()], validate_choice=False)
    programme_number = StringField(
        _l("Programme number (IDPoor or NSSF card), if you have one"),
        validators=[DecodedCleanly(), Optional(), CleanText(64, multiline=False)],
    )
    identity_mode = RadioField(
        _l("How do you want to be known?"),
        choices=IDENTITY_CHOICES,
        default="anonymous",
        validators=[InputRequired()],
    )
    name = StringField(
        _l("Your name"),
        validators=[DecodedCleanly(), Optional(), CleanText(200, multiline=False)],
    )
    phone = StringField(
        _l("Phone number"),
        validators=[
            Optional(),
            Length(max=20),
            Regexp(
                r"^\+?[0-9 ]{6,20}$",
                message=_l("Give a phone number with digits only, e.g. 012 345 678."),
            ),
        ],
    )
    sms_opt_in = BooleanField(_l("Send me updates by SMS to this number"))
    gender = SelectField(_l("Gender"), choices=GENDER_CHOICES, validators=[Optional()], default="")
    age_band = SelectField(_l("Age"), choices=AGE_CHOICES, validators=[Optional()], default="")
    disability = BooleanField(_l("I have a disability"))
    idpoor = BooleanField(_l("My household has an IDPoor card"))
    informal_worker = BooleanField(_l("I work for myself or without a contract (informal worker)"))
    indigenous = BooleanField(_l("I belong to an indigenous community"))
    attachments = MultipleFileField(_l("Photos or documents (optional)"))
    # Honeypot: hidden from people by CSS; bots fill it in.
    website = StringField(_l("Leave this empty"), validators=[Optional(), Length(max=200)])
    form_token = HiddenField(validators=[DataRequired(), Length(min=16, max=64)])
    submit = SubmitField(_l("Send my complaint"))


class TrackForm(FlaskForm):
    reference = StringField(
        _l("Reference number"),
        validators=[DecodedCleanly(), DataRequired(), Length(max=24), CleanText(24, multiline=False)],
    )
    code = StringField(
        _l("Tracking code"),
        validators=[DecodedCleanly(), DataRequired(), Length(max=32), CleanText(32, multiline=False)],
    )
    submit = SubmitField(_l("Check my complaint"))


class AddInformationForm(TrackForm):
    message = TextAreaField(
        _l("Add information"),
        validators=[DecodedCleanly(), DataRequired(), CleanText(DESCRIPTION_MAX)],
    )
    submit = SubmitField(_l("Send"))


class FeedbackForm(TrackForm):
    solved = RadioField(
        _l("Did this solve your problem?"),
        choices=[
            ("yes", _l("Yes")),
            ("no", _l("No")),
            ("council", _l("No, and I want the National Social Protection Council to review it")),
        ],
        validators=[InputRequired()],
    )
    submit = SubmitField(_l("Send my answer"))
