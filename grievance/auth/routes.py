from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from grievance.auth import service
from grievance.auth.forms import LoginForm
from grievance.extensions import db, limiter
from grievance.security import is_safe_next

bp = Blueprint("auth", __name__)


def _login_key() -> str:
    return (request.form.get("email") or "").strip().lower()[:254] or "-"


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10/minute", methods=["POST"])
@limiter.limit("10/minute", methods=["POST"], key_func=_login_key)
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = service.authenticate(form.email.data, form.password.data)
        if user is None:
            flash(_("The e-mail or password is not right."), "error")
            return render_template("auth/login.html", form=form), 200
        session.clear()  # a fresh session at login
        login_user(user)
        session.permanent = True
        target = request.args.get("next")
        return redirect(target if is_safe_next(target) else url_for("cases.queue"))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    service.end_all_sessions(current_user)
    db.session.commit()
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))
