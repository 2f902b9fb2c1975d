"""The queue's phone search form: a phone number and why the officer looks the complainant up."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import InputRequired, Length

from grievance.forms_common import IdentityReasonForm


class PhoneSearchForm(IdentityReasonForm):
    """A POST (CSRF-checked): every case shown is an identity view on record, with this reason."""

    phone = StringField(_l("Phone number"), validators=[InputRequired(), Length(min=6, max=32)])
