"""/admin/users: the list with search and filters, invitations, one account's page and its buttons."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from grievance.admin import changelog
from grievance.admin import users as svc
from grievance.admin.editing import EditConflict, Invalid
from grievance.admin.forms import ROLE_CHOICES, ConfirmForm, InviteForm, UserFilterForm, UserForm
from grievance.admin.routes import (
    bp,
    fund_choices,
    get,
    invalid_into,
    office_choices,
    organisation_choices,
    save_edit,
)
from grievance.auth.service import AccountError
from grievance.extensions import db
from grievance.i18n import current_locale
from grievance.models import Fund, Office, Organisation, User


def _choices(form) -> None:
    none = _("— none —")
    form.fund.choices = fund_choices(none)
    form.organisation.choices = organisation_choices(none)
    form.office.choices = office_choices(none)


def _links(form) -> dict:
    return {
        "fund": get(Fund, form.fund.data),
        "organisation": get(Organisation, form.organisation.data),
        "office": get(Office, form.office.data),
    }


def _stored(user: User) -> dict:
    return {
        "name": user.name,
        "role": user.role,
        "fund": "" if user.fund_id is None else str(user.fund_id),
        "organisation": "" if user.organisation_id is None else str(user.organisation_id),
        "office": "" if user.office_id is None else str(user.office_id),
        "locale": user.locale,
    }


@bp.get("/users")
def users():
    form = UserFilterForm(request.args)
    form.role.choices = [("", _("All roles")), *ROLE_CHOICES]
    form.fund.choices = fund_choices(_("All funds"))
    form.organisation.choices = organisation_choices(_("All organisations"))
    form.office.choices = office_choices(_("All offices"))
    form.validate()
    filters = svc.Filters(
        q=(form.q.data or "") if not form.q.errors else "",
        role=form.role.data or "",
        fund_id=request.args.get("fund", type=int),
        organisation_id=request.args.get("organisation", type=int),
        office_id=request.args.get("office", type=int),
        active=form.active.data or "",
        login=form.login.data or "",
        page=form.page.data or 1 if not form.page.errors else 1,
    )
    rows, total = svc.page(filters)
    return render_template(
        "admin/users.html", form=form, rows=rows, total=total, filters=filters, size=svc.PAGE_SIZE, invited=svc.invited
    )


@bp.route("/users/invite", methods=["GET", "POST"])
def invite():
    form = InviteForm()
    _choices(form)
    if form.validate_on_submit():
        try:
            user = svc.invite(
                current_user,
                email=form.email.data,
                name=form.name.data,
                role=form.role.data,
                locale=form.locale.data,
                **_links(form),
            )
            db.session.commit()
            flash(_("Invitation sent to %(email)s. The link works once, for 7 days.", email=user.email), "success")
            return redirect(url_for("admin.user", user_id=user.id), 303)
        except (Invalid, AccountError) as refused:
            db.session.rollback()
            invalid_into(form, refused if isinstance(refused, Invalid) else Invalid(str(refused)))
    elif request.method == "GET":
        form.locale.data = current_locale()
    return render_template("admin/invite.html", form=form), 400 if form.errors or form.form_errors else 200


def _user_page(user: User, form: UserForm, status: int = 200, saved: dict | None = None):
    return (
        render_template(
            "admin/user.html",
            user=user,
            form=form,
            saved=saved or {},
            confirm=ConfirmForm(formdata=None, version=user.version),
            invited=svc.invited(user),
            changes=changelog.recent(current_locale(), svc.ENTITY, user.id),
        ),
        status,
    )


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user(user_id: int):
    found = db.get_or_404(User, user_id)
    form = UserForm(data=_stored(found) | {"version": found.version} if request.method == "GET" else None)
    _choices(form)

    def save(account: User) -> None:
        svc.change(
            current_user,
            account,
            form.version.data,
            name=form.name.data,
            role=form.role.data,
            locale=form.locale.data,
            **_links(form),
        )

    done = url_for("admin.user", user_id=user_id)
    return save_edit(found, form, stored=_stored, render=_user_page, save=save, done_url=done)


def _button(user_id: int, act, done: str):
    """One of the account page's buttons: check the version, act, commit, say what happened."""
    found = db.get_or_404(User, user_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        act(found, form.version.data)
        db.session.commit()
        flash(done, "success")
    except EditConflict:
        db.session.rollback()
        flash(_("This account changed while you were looking at it. Check it and try again."), "error")
        return redirect(url_for("admin.user", user_id=user_id), 303)
    except (Invalid, AccountError) as refused:
        db.session.rollback()
        flash(str(refused), "error")
    return redirect(url_for("admin.user", user_id=user_id), 303)


@bp.post("/users/<int:user_id>/disable")
def disable_user(user_id: int):
    done = _("The account is disabled. It cannot log in, and its open sessions have ended.")
    return _button(user_id, lambda u, v: svc.disable(current_user, u, v), done)


@bp.post("/users/<int:user_id>/enable")
def enable_user(user_id: int):
    return _button(user_id, lambda u, v: svc.enable(current_user, u, v), _("The account is enabled again."))


@bp.post("/users/<int:user_id>/two-step")
def reset_two_step(user_id: int):
    done = _("Two-step login is reset: the account sets up a new authenticator at its next login.")
    return _button(user_id, lambda u, v: svc.reset_two_step(current_user, u, v), done)


@bp.post("/users/<int:user_id>/password-link")
def send_password_link(user_id: int):
    done = _("A link to set a new password was sent. It works once, for one hour.")
    return _button(user_id, lambda u, _v: svc.send_password_link(current_user, u), done)


@bp.post("/users/<int:user_id>/invitation")
def resend_invitation(user_id: int):
    done = _("A new invitation was sent; the earlier link no longer works.")
    return _button(user_id, lambda u, _v: svc.resend_invitation(current_user, u), done)
