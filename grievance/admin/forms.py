"""The admin area's forms. Choices are filled by the views from the database (funds, organisations, ...)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from grievance.admin import labels
from grievance.domain.sla import TERMS
from grievance.forms_common import CleanText, DayMonthYearField, VersionedForm
from grievance.intake.forms import PlaceFields
from grievance.models.case import CHANNELS
from grievance.models.org import API_KEY_PURPOSES, ORGANISATION_KINDS
from grievance.models.reference import PRIORITIES
from grievance.models.user import ROLES

ROLE_CHOICES = [(r, labels.ROLE[r]) for r in ROLES]
LANGUAGE_CHOICES = list(labels.LANGUAGE.items())
NAME = 200


def _name_field(label):
    return StringField(label, validators=[DataRequired(), CleanText(NAME, multiline=False)])


class ConfirmForm(VersionedForm):
    """A button acting on a versioned record (disable, enable, reset two-step, cancel)."""


class PlainConfirmForm(FlaskForm):
    """A button with only a CSRF token (send a link, revoke a key)."""


class UserFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form

    q = StringField(_l("Search name or e-mail"), validators=[Optional(), CleanText(100, multiline=False)])
    role = SelectField(_l("Role"), validators=[Optional()], validate_choice=False)
    fund = SelectField(_l("Fund"), validators=[Optional()], validate_choice=False)
    organisation = SelectField(_l("Organisation"), validators=[Optional()], validate_choice=False)
    office = SelectField(_l("Office"), validators=[Optional()], validate_choice=False)
    active = SelectField(
        _l("Active"),
        choices=[("", _l("All")), ("yes", _l("Active")), ("no", _l("Disabled"))],
        validators=[Optional()],
        validate_choice=False,
    )
    login = SelectField(
        _l("Last login"),
        choices=[
            ("", _l("Any time")),
            ("recent", _l("In the last 30 days")),
            ("stale", _l("Not for 90 days")),
            ("never", _l("Never")),
        ],
        validators=[Optional()],
        validate_choice=False,
    )
    page = IntegerField(validators=[Optional(), NumberRange(min=1, max=100000)])


class _AccountFields:
    name = _name_field(_l("Name"))
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, validators=[InputRequired()])
    fund = SelectField(_l("Fund (officers and supervisors)"), validators=[Optional()])
    organisation = SelectField(_l("Organisation (monitors)"), validators=[Optional()])
    office = SelectField(_l("Office (front desk)"), validators=[Optional()])
    locale = SelectField(_l("Language of the account"), choices=LANGUAGE_CHOICES, validators=[InputRequired()])


class InviteForm(_AccountFields, FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254), CleanText(254, multiline=False)])
    submit = SubmitField(_l("Send the invitation"))


class UserForm(_AccountFields, VersionedForm):
    submit = SubmitField(_l("Save"))


class OrganisationForm(FlaskForm):
    name = _name_field(_l("Name"))
    kind = SelectField(
        _l("Kind"), choices=[(k, labels.ORG_KIND[k]) for k in ORGANISATION_KINDS], validators=[InputRequired()]
    )
    submit = SubmitField(_l("Save"))


class OrganisationEditForm(OrganisationForm, VersionedForm):
    active = BooleanField(_l("Active (its API keys work and it can file)"))


class KeyForm(FlaskForm):
    purpose = SelectField(
        _l("What the key is for"),
        choices=[(p, labels.KEY_PURPOSE[p]) for p in API_KEY_PURPOSES],
        validators=[InputRequired()],
    )
    submit = SubmitField(_l("Issue a key"))


class CategoryForm(FlaskForm):
    code = StringField(
        _l("Code (capital letters, digits and hyphens; cannot change later)"),
        validators=[DataRequired(), Length(max=32), CleanText(32, multiline=False)],
    )
    name_km = _name_field(_l("Name in Khmer"))
    name_en = _name_field(_l("Name in English"))
    fund = SelectField(_l("Fund"), validators=[InputRequired()])
    priority = SelectField(
        _l("Priority"), choices=[(p, labels.PRIORITY[p]) for p in PRIORITIES], validators=[InputRequired()]
    )
    sensitive = BooleanField(_l("Sensitive: complaints about officials (stay with the council)"))
    situation = SelectField(
        _l("Place on the complaint form"), choices=list(labels.SITUATION.items()), validators=[InputRequired()]
    )
    active = BooleanField(_l("Active (shown on the complaint form)"), default=True)
    info_page = SelectField(_l("Information page"), validators=[Optional()])
    submit = SubmitField(_l("Save"))


class CategoryEditForm(CategoryForm, VersionedForm):
    code = None
    position = IntegerField(_l("Order on the form"), validators=[InputRequired(), NumberRange(min=0, max=10000)])


class RuleForm(FlaskForm):
    category = SelectField(_l("Category"), validators=[Optional()])
    province = SelectField(_l("Province"), validators=[Optional()])
    channel = SelectField(_l("Channel"), validators=[Optional()])
    fund = SelectField(_l("Send to"), validators=[InputRequired()])
    office = StringField(_l("Office (optional)"), validators=[Optional(), CleanText(NAME, multiline=False)])
    submit = SubmitField(_l("Save"))

    def set_choices(self, categories, provinces, funds, channel_labels) -> None:
        any_ = _l("Any")
        self.category.choices = [("", any_)] + categories
        self.province.choices = [("", any_)] + provinces
        self.channel.choices = [("", any_)] + [(c, channel_labels.get(c, c)) for c in CHANNELS]
        self.fund.choices = funds


class NewRuleForm(RuleForm):
    table = HiddenField(validators=[DataRequired(), Length(max=32)])
    before = SelectField(_l("Place in the table"), validators=[Optional()])
    submit = SubmitField(_l("Add the rule"))


class RuleEditForm(RuleForm, VersionedForm):
    active = BooleanField(_l("Active"))


class MoveForm(FlaskForm):
    table = HiddenField(validators=[DataRequired(), Length(max=32)])
    direction = SelectField(choices=[("up", "up"), ("down", "down")], validators=[InputRequired()])


class ExplainForm(FlaskForm):
    class Meta:
        csrf = False  # a GET question, changes nothing

    category = SelectField(_l("Category"), validators=[InputRequired()])
    province = SelectField(_l("Province"), validators=[Optional()])
    channel = SelectField(_l("Channel"), validators=[InputRequired()], default="web")


class TermsForm(FlaskForm):
    """New terms for one scope from a day on: one field per entry of domain.sla.TERMS."""

    based_on = IntegerField(validators=[InputRequired()], widget=HiddenInput())
    effective = DayMonthYearField(
        _l("In force for complaints received from"), validators=[InputRequired()], past_only=False
    )
    submit = SubmitField(_l("Save the new terms"))


for _term in TERMS:
    setattr(
        TermsForm,
        _term.name,
        IntegerField(
            labels.TERM[_term.name],
            validators=[InputRequired(), NumberRange(min=_term.minimum, max=_term.maximum)],
        ),
    )


class ClosureForm(FlaskForm):
    calendar = HiddenField(validators=[DataRequired(), Length(max=32)])
    day = DayMonthYearField(_l("Day"), validators=[InputRequired()], past_only=False)
    reason_km = _name_field(_l("Reason in Khmer (shown to complainants)"))
    reason_en = _name_field(_l("Reason in English (shown to complainants)"))
    submit = SubmitField(_l("Preview"))


class RemoveClosureForm(FlaskForm):
    calendar = HiddenField(validators=[DataRequired(), Length(max=32)])


class OfficeForm(PlaceFields, FlaskForm):
    name_km = _name_field(_l("Name in Khmer"))
    name_en = _name_field(_l("Name in English"))
    province = SelectField(_l("Province"), validators=[InputRequired()])
    district = SelectField(_l("District, municipality or khan"), validators=[Optional()], validate_choice=False)
    commune = SelectField(
        _l("Commune or sangkat (for a commune office)"), validators=[Optional()], validate_choice=False
    )
    active = BooleanField(_l("Open (front-desk staff can file here)"), default=True)
    show_places = SubmitField(_l("Show the districts and communes"))
    submit = SubmitField(_l("Save"))


class OfficeEditForm(OfficeForm, VersionedForm):
    pass


class SettingsForm(VersionedForm):
    khmer_digits = BooleanField(_l("Write dates and numbers for Khmer readers in Khmer digits (០១២៣)"))
    submit = SubmitField(_l("Save the settings"))
