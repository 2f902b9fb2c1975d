from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=128)])
    submit = SubmitField(_l("Log in"))


class TotpForm(FlaskForm):
    code = StringField(
        _l("Code from your authenticator app"),
        validators=[DataRequired(), Regexp(r"^\s*\d{3}\s?\d{3}\s*$", message=_l("Enter the 6-digit code."))],
    )
    submit = SubmitField(_l("Continue"))


class TotpSetupForm(TotpForm):
    secret = HiddenField(validators=[DataRequired(), Length(min=16, max=64)])
    submit = SubmitField(_l("Turn on two-step login"))


class _NewPassword:
    """A new password typed twice, 12 to 128 characters (checked again by the service)."""

    new = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(),
            Length(min=12, max=128, message=_l("Passwords must be 12 to 128 characters long.")),
        ],
    )
    confirm = PasswordField(
        _l("New password again"), validators=[DataRequired(), EqualTo("new", message=_l("The two do not match."))]
    )


class PasswordForm(_NewPassword, FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=128)])
    submit = SubmitField(_l("Change password"))


class ForgotForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    submit = SubmitField(_l("Send me a link"))


class SetPasswordForm(_NewPassword, FlaskForm):
    """The page a one-time link opens (an invitation or a reset): the token travels as a hidden field."""

    token = HiddenField(validators=[DataRequired(), Length(max=128)])
    submit = SubmitField(_l("Set my password"))
