"""The administrator's form for an information page (both languages)."""

from flask_babel import lazy_gettext as _l
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired

from grievance.forms_common import CleanText, VersionedForm

# Khmer takes 3 bytes a letter in UTF-8: 6,000 letters keep a page well under 30 KB.
BODY_MAX = 6000
TITLE_MAX = 200


class InfoPageForm(VersionedForm):
    title_km = StringField(_l("Title in Khmer"), validators=[DataRequired(), CleanText(TITLE_MAX, multiline=False)])
    title_en = StringField(_l("Title in English"), validators=[DataRequired(), CleanText(TITLE_MAX, multiline=False)])
    body_km = TextAreaField(_l("Text in Khmer"), validators=[DataRequired(), CleanText(BODY_MAX)])
    body_en = TextAreaField(_l("Text in English"), validators=[DataRequired(), CleanText(BODY_MAX)])
    submit = SubmitField(_l("Save"))
