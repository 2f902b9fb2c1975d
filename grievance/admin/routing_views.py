"""/admin/routing: the ordered table, adding, editing and moving rules, and "which rule routes this?"."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from grievance.admin import changelog
from grievance.admin import routing as svc
from grievance.admin.editing import EditConflict, Invalid
from grievance.admin.forms import ExplainForm, MoveForm, NewRuleForm, RuleEditForm
from grievance.admin.routes import bp, category_choices, fund_choices, get, invalid_into, provinces, save_edit
from grievance.extensions import db
from grievance.i18n import current_locale
from grievance.labels import CHANNEL
from grievance.models import Category, Fund, RoutingRule


def _choices(form) -> None:
    form.set_choices(category_choices(), provinces(), fund_choices(), CHANNEL)


def _explain():
    """The "which rule routes this?" form (a GET question) and its answer, if it was asked."""
    form = ExplainForm(request.args)
    form.category.choices = category_choices()
    form.province.choices = [("", _("No province given")), *provinces()]
    form.channel.choices = [(c, label) for c, label in CHANNEL.items()]
    answer = None
    if "category" in request.args and form.validate():
        answer = svc.which_rule(get(Category, form.category.data), form.province.data or None, form.channel.data)
    return form, answer


def _table_page(new: NewRuleForm | None = None, status: int = 200):
    rules = svc.rules()
    version = svc.table_version()
    if new is None:
        new = NewRuleForm(formdata=None, table=version)
        _choices(new)
    new.before.choices = [("", _("At the end"))] + [
        (str(r.id), _("Before rule %(n)s", n=i)) for i, r in enumerate(rules, start=1)
    ]
    explain, answer = _explain()
    return (
        render_template(
            "admin/routing.html",
            rules=rules,
            new=new,
            move=MoveForm(formdata=None, table=version),
            explain=explain,
            answer=answer,
        ),
        status,
    )


@bp.get("/routing/")
def routing():
    return _table_page()


def _rule_fields(form) -> dict:
    return {
        "category": get(Category, form.category.data),
        "province": form.province.data or None,
        "channel": form.channel.data or None,
        "fund": get(Fund, form.fund.data),
        "office": form.office.data,
    }


@bp.post("/routing/rules")
def add_rule():
    form = NewRuleForm()
    _choices(form)
    form.before.choices = [("", "")] + [(str(r.id), "") for r in svc.rules()]
    if not form.validate_on_submit():
        return _table_page(form, 400)
    try:
        svc.add(current_user, form.table.data, before=get(RoutingRule, form.before.data), **_rule_fields(form))
        db.session.commit()
    except EditConflict:
        db.session.rollback()
        form.table.data = svc.table_version()
        flash(
            _("The routing table changed while you were looking at it. Check the order and add the rule again."),
            "error",
        )
        return _table_page(form, 409)
    except Invalid as refused:
        db.session.rollback()
        invalid_into(form, refused)
        return _table_page(form, 400)
    flash(_("Rule added. The next complaint that matches it is routed by it."), "success")
    return redirect(url_for("admin.routing"), 303)


@bp.post("/routing/<int:rule_id>/move")
def move_rule(rule_id: int):
    rule = db.get_or_404(RoutingRule, rule_id)
    form = MoveForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        svc.move(current_user, rule, -1 if form.direction.data == "up" else 1, form.table.data)
        db.session.commit()
    except EditConflict:
        db.session.rollback()
        flash(_("The routing table changed while you were looking at it. Here is the order now: move again."), "error")
        return _table_page(status=409)
    return redirect(url_for("admin.routing", _anchor=f"rule-{rule_id}"), 303)


def _stored(rule: RoutingRule) -> dict:
    return {
        "category": "" if rule.category_id is None else str(rule.category_id),
        "province": rule.province_code or "",
        "channel": rule.channel or "",
        "fund": str(rule.fund_id),
        "office": rule.office or "",
        "active": rule.active,
    }


def _rule_page(rule: RoutingRule, form, status: int = 200, saved: dict | None = None):
    number = [r.id for r in svc.rules()].index(rule.id) + 1
    changes = changelog.recent(current_locale(), svc.ENTITY, rule.id)
    context = {"rule": rule, "number": number, "form": form, "saved": saved or {}, "changes": changes}
    return render_template("admin/rule.html", **context), status


@bp.route("/routing/<int:rule_id>", methods=["GET", "POST"])
def rule(rule_id: int):
    found = db.get_or_404(RoutingRule, rule_id)
    form = RuleEditForm(data=_stored(found) | {"version": found.version} if request.method == "GET" else None)
    _choices(form)

    def save(rule: RoutingRule) -> None:
        svc.update_rule(current_user, rule, form.version.data, active=form.active.data, **_rule_fields(form))

    done = url_for("admin.routing", _anchor=f"rule-{rule_id}")
    return save_edit(found, form, stored=_stored, render=_rule_page, save=save, done_url=done)
