import time

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from grievance import retry, seclog
from grievance.auth import links, service, sessions, throttle
from grievance.auth.forms import ForgotForm, LoginForm, PasswordForm, SetPasswordForm, TotpForm, TotpSetupForm
from grievance.extensions import db, limiter
from grievance.security import client_key, is_safe_next

bp = Blueprint("auth", __name__)
PENDING_SECONDS = 300
ENROL_SECONDS = 900  # installing an authenticator app takes longer than typing a code


def _own_account_key() -> str:
    return "user:" + str(current_user.get_id() or "-").partition(":")[0]


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


def _throttled(form, attempt):
    """The login page again, the e-mail kept, saying why and when to try again (429)."""
    if attempt.reason == "client":
        why = _("Too many wrong passwords were tried from this connection.")
    else:
        why = _(
            "Several wrong passwords were tried for this account, so each new try has to wait a little. "
            "From a browser you have logged in with before, there is no wait."
        )
    form.password.data = ""
    page = render_template("auth/login.html", form=form, refusal=f"{why} {retry.try_again_message(attempt.wait)}")
    return retry.refused(page, attempt.wait)


def _count_failure(email: str, attempt) -> None:
    count = throttle.failed(attempt)
    if throttle.starts_delay(count) and service.tell_owner_of_failed_logins(email, count):
        db.session.commit()


def _logged_in(user, recent_failures: int):
    """Start the session, mention wrong passwords tried meanwhile, and remember this browser."""
    _start(user)
    seclog.event("login", user=user.id, role=user.role)
    if recent_failures:
        flash(
            _(
                "%(count)s wrong passwords were tried for your account in the last hour. "
                "If that was not you, tell your administrator.",
                count=recent_failures,
            ),
            "warning",
        )
    return throttle.trust_this_browser(redirect(_landing(user)), user.email)


@bp.route("/login", methods=["GET", "POST"])
# A bound on the work one address can cause; wrong passwords are throttled per address and
# per account by auth/throttle.py, which never locks the owner out.
@limiter.limit("60/minute", methods=["POST"], key_func=client_key)
def login():
    form = LoginForm()
    if form.validate_on_submit():
        attempt = throttle.begin(form.email.data)
        if attempt.refused:
            return _throttled(form, attempt)
        user = service.authenticate(form.email.data, form.password.data)
        if user is None:
            _count_failure(form.email.data, attempt)
            seclog.event("login_failed")
            flash(_("The e-mail or password is not right."), "error")
            return render_template("auth/login.html", form=form), 200
        recent_failures = throttle.succeeded(attempt)
        if user.totp_secret or service.two_step_required(user):
            # Password right; the session starts only after the second factor (or, for a role
            # that must have one, after setting it up).
            session.clear()
            session["pending_user"] = user.id
            session["pending_at"] = int(time.time())
            session["pending_failures"] = recent_failures
            sessions.bind()  # the code must come from the browser that gave the password
            step = "auth.totp" if user.totp_secret else "auth.totp_enrol"
            return redirect(url_for(step, next=request.args.get("next")))
        return _logged_in(user, recent_failures)
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
    if user is None or not user.totp_secret or not sessions.bound_here():
        return redirect(url_for("auth.login"))
    form = TotpForm()
    if form.validate_on_submit():
        if service.check_totp(user, form.code.data):
            db.session.commit()
            seclog.event("second_factor", user=user.id, method="totp")
            return _logged_in(user, session.get("pending_failures", 0))
        seclog.event("login_failed", user=user.id, second_factor="totp")
        form.code.errors = [_("This code is not right or was already used.")]
    return render_template("auth/totp.html", form=form)


TOTP_REFUSALS = {
    "code": lambda: _("This code is not right. Check the time on your phone and try again."),
    "password": lambda: _("Your password is not right."),
    "current_code": lambda: _("The code from the authenticator app you use now is not right or was already used."),
}


@bp.route("/totp/enrol", methods=["GET", "POST"])
@limiter.limit("10/minute", methods=["POST"], key_func=client_key)
def totp_enrol():
    """First login of a role that must have two-step login: set it up before the session starts."""
    user = _pending(ENROL_SECONDS)
    if user is None or user.totp_secret or not service.two_step_required(user) or not sessions.bound_here():
        return redirect(url_for("auth.login"))
    # The secret is made here and kept in the (signed) session: a posted form cannot choose it.
    secret = session.get("totp_setup") or service.new_totp_secret()
    session["totp_setup"] = secret
    form = TotpSetupForm()
    del form.proof  # the password was given a moment ago, in this browser
    if form.validate_on_submit():
        try:
            service.enable_totp(user, secret, form.code.data, proof=None, enrolling=True)
        except service.TotpRefused as refused:
            form.code.errors = [TOTP_REFUSALS[refused.reason]()]
        else:
            session.pop("totp_setup", None)
            seclog.event("totp_enabled", user=user.id)
            flash(_("Two-step login is on. You will be asked for a code at each login."), "success")
            return _logged_in(user, session.get("pending_failures", 0))
    uri = service.totp_uri(user, secret)
    return render_template("auth/totp_setup.html", form=form, uri=uri, secret=secret, required=True)


@bp.route("/totp/setup", methods=["GET", "POST"])
@login_required
@limiter.limit("10/hour", methods=["POST"], key_func=_own_account_key, deduct_when=lambda r: r.status_code != 302)
def totp_setup():
    if not service.can_use_totp(current_user):
        abort(403)
    # The secret is made here and kept in the (signed) session: a posted form cannot choose it.
    secret = session.get("totp_setup") or service.new_totp_secret()
    session["totp_setup"] = secret
    form = TotpSetupForm()
    moving = bool(current_user.totp_secret)
    form.proof.label.text = _("Code from the app you use now") if moving else _("Your password")
    if form.validate_on_submit():
        try:
            service.enable_totp(current_user, secret, form.code.data, proof=form.proof.data)
        except service.TotpRefused as refused:
            db.session.commit()  # a current code tried is used up, right or wrong
            field = form.code if refused.reason == "code" else form.proof
            field.errors = [TOTP_REFUSALS[refused.reason]()]
            status = 400
        else:
            db.session.commit()
            session.pop("totp_setup", None)
            seclog.event("totp_enabled", user=current_user.id, moved=moving)
            flash(_("Two-step login is on. You will be asked for a code at each login."), "success")
            return redirect(url_for("cases.queue"))
    else:
        status = 400 if form.errors else 200
    uri = service.totp_uri(current_user, secret)
    return render_template("auth/totp_setup.html", form=form, uri=uri, secret=secret, moving=moving), status


@bp.route("/password", methods=["GET", "POST"])
@login_required
# Someone holding a live session must not get unlimited guesses at its current password.
@limiter.limit("5/hour", methods=["POST"], key_func=_own_account_key, deduct_when=lambda r: r.status_code != 302)
@limiter.limit("20/hour", methods=["POST"], key_func=client_key, deduct_when=lambda r: r.status_code != 302)
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
