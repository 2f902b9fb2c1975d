import time

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from grievance import seclog
from grievance.auth import links, service, sessions
from grievance.auth.forms import ForgotForm, LoginForm, PasswordForm, SetPasswordForm, TotpForm, TotpSetupForm
from grievance.extensions import db, limiter
from grievance.security import client_key, is_safe_next

bp = Blueprint("auth", __name__)
PENDING_SECONDS = 300
ENROL_SECONDS = 900  # installing an authenticator app takes longer than typing a code


def _account_key(prefix: str):
    """Rate-limit key: the e-mail address a form names (limits per account, whoever asks)."""

    def key() -> str:
        return prefix + ((request.form.get("email") or "").strip().lower()[:254] or "-")

    return key


_login_key = _account_key("acct:")


HOME_BY_ROLE = {"frontdesk": "frontdesk.home", "monitor": "monitoring.cases", "admin": "admin.home"}


def _landing(user) -> str:
    """Where a user goes after login: a safe `next=`, or the home page of their role."""
    target = request.args.get("next")
    if is_safe_next(target):
        return target
    return url_for(HOME_BY_ROLE.get(user.role, "cases.queue"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10/minute", methods=["POST"], key_func=client_key)
@limiter.limit("10/minute", methods=["POST"], key_func=_login_key)
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = service.authenticate(form.email.data, form.password.data)
        if user is None:
            seclog.event("login_failed")
            flash(_("The e-mail or password is not right."), "error")
            return render_template("auth/login.html", form=form), 200
        if user.totp_secret or service.two_step_required(user):
            # Password right; the session starts only after the second factor (or, for a role
            # that must have one, after setting it up).
            session.clear()
            session["pending_user"] = user.id
            session["pending_at"] = int(time.time())
            step = "auth.totp" if user.totp_secret else "auth.totp_enrol"
            return redirect(url_for(step, next=request.args.get("next")))
        _start(user)
        seclog.event("login", user=user.id, role=user.role)
        return redirect(_landing(user))
    return render_template("auth/login.html", form=form)


def _start(user) -> None:
    service.note_login(user)
    db.session.commit()
    sessions.start(user)


def _pending(max_age: int = PENDING_SECONDS):
    return service.pending_user(session.get("pending_user"), session.get("pending_at"), max_age)


@bp.route("/totp", methods=["GET", "POST"])
@limiter.limit("10/minute", methods=["POST"], key_func=client_key)
def totp():
    user = _pending()
    if user is None or not user.totp_secret:
        return redirect(url_for("auth.login"))
    form = TotpForm()
    if form.validate_on_submit():
        if service.check_totp(user, form.code.data):
            _start(user)
            seclog.event("login", user=user.id, role=user.role, second_factor="totp")
            return redirect(_landing(user))
        seclog.event("login_failed", user=user.id, second_factor="totp")
        form.code.errors = [_("This code is not right or was already used.")]
    return render_template("auth/totp.html", form=form)


@bp.route("/totp/enrol", methods=["GET", "POST"])
@limiter.limit("10/minute", methods=["POST"], key_func=client_key)
def totp_enrol():
    """First login of a role that must have two-step login: set it up before the session starts."""
    user = _pending(ENROL_SECONDS)
    if user is None or user.totp_secret or not service.two_step_required(user):
        return redirect(url_for("auth.login"))
    form = TotpSetupForm()
    if not form.secret.data:
        form.secret.data = service.new_totp_secret()
    if form.validate_on_submit():
        if service.enable_totp(user, form.secret.data, form.code.data):
            _start(user)
            seclog.event("totp_enabled", user=user.id)
            seclog.event("login", user=user.id, role=user.role, second_factor="totp")
            flash(_("Two-step login is on. You will be asked for a code at each login."), "success")
            return redirect(_landing(user))
        form.code.errors = [_("This code is not right. Check the time on your phone and try again.")]
    uri = service.totp_uri(user, form.secret.data)
    return render_template("auth/totp_setup.html", form=form, uri=uri, required=True)


@bp.route("/totp/setup", methods=["GET", "POST"])
@login_required
def totp_setup():
    if current_user.role not in service.TOTP_ROLES:
        return redirect(url_for("cases.queue"))
    form = TotpSetupForm()
    if not form.secret.data:
        form.secret.data = service.new_totp_secret()
    if form.validate_on_submit():
        if service.enable_totp(current_user, form.secret.data, form.code.data):
            db.session.commit()
            seclog.event("totp_enabled", user=current_user.id)
            flash(_("Two-step login is on. You will be asked for a code at each login."), "success")
            return redirect(url_for("cases.queue"))
        form.code.errors = [_("This code is not right. Check the time on your phone and try again.")]
    uri = service.totp_uri(current_user, form.secret.data)
    return render_template("auth/totp_setup.html", form=form, uri=uri)


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            service.change_password(current_user, form.current.data, form.new.data)
        except service.AccountError as exc:
            form.new.errors = [str(exc)]
            return render_template("auth/password.html", form=form), 400
        db.session.commit()
        seclog.event("password_changed", user=current_user.id)
        sessions.start(current_user)  # this session continues on the new token; all others end
        flash(_("Your password was changed. Other sessions were logged out."), "success")
        return redirect(url_for("cases.queue"))
    return render_template("auth/password.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    seclog.event("logout", user=current_user.id)
    service.end_all_sessions(current_user)
    db.session.commit()
    sessions.end()
    return redirect(url_for("auth.login"))


@bp.route("/forgot", methods=["GET", "POST"])
@limiter.limit("10/minute", methods=["POST"], key_func=client_key)
@limiter.limit("5/hour", methods=["POST"], key_func=_account_key("forgot:"))
def forgot():
    """Staff ask for a password link; the answer is the same whether or not the address has an account."""
    form = ForgotForm()
    if form.validate_on_submit():
        user = service.find_active(form.email.data)
        if user is not None:
            try:
                links.issue_and_send(user, "reset")
                db.session.commit()
                seclog.event("password_link_sent", user=user.id, by="self")
            except service.AccountError:
                db.session.rollback()
                current_app.logger.warning("password link not sent: PUBLIC_BASE_URL is not set")
        return render_template("auth/forgot.html", form=None, sent=True)
    return render_template("auth/forgot.html", form=form, sent=False)


@bp.route("/set-password", methods=["GET", "POST"])
@limiter.limit("10/minute", methods=["POST"], key_func=client_key)
def set_password():
    """The page a one-time link opens: an invited person chooses a password, or a forgotten one is replaced."""
    form = SetPasswordForm()
    if request.method == "GET":
        form.token.data = request.args.get("token", "")
    row = links.find(form.token.data)
    if row is None:
        return render_template("auth/set_password.html", form=None), 410
    if form.validate_on_submit():
        try:
            user = links.redeem(form.token.data, form.new.data)
        except links.LinkInvalid:
            db.session.rollback()
            return render_template("auth/set_password.html", form=None), 410
        except service.AccountError:
            form.new.errors = [_("Passwords must be 12 to 128 characters long.")]
            return render_template("auth/set_password.html", form=form, purpose=row.purpose), 400
        db.session.commit()
        seclog.event("password_set_by_link", user=user.id)
        flash(_("Your password is set. Log in with it now."), "success")
        return redirect(url_for("auth.login"), 303)
    status = 400 if form.errors else 200
    return render_template("auth/set_password.html", form=form, purpose=row.purpose, email=row.user.email), status
