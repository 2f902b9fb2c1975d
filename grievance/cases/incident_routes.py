"""Mass incidents: the list, the declaration, the incident page and its actions.

The rules (who may declare, link, tell all, resolve together) are in cases/incidents.py; these
views load, read the form, call the service and commit. An incident another fund's staff may
not see answers 404, as a case does.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Optional, Regexp
from wtforms.widgets import HiddenInput

from grievance.cases import incidents
from grievance.cases import service as svc
from grievance.cases.forms import OUTCOME_CHOICES
from grievance.extensions import db
from grievance.forms_common import CleanText, error_text
from grievance.geo import province_choices, province_name
from grievance.i18n import current_locale
from grievance.models import Case, Category, Fund, Incident
from grievance.services.permits import NotPermitted

bp = Blueprint("incidents", __name__)

STAFF_ROLES = ("officer", "supervisor", "oversight", "admin")
SKIPPED_LISTED = 20


@bp.before_request
@login_required
def _staff_only():
    if current_user.role not in STAFF_ROLES:
        abort(403)


# --- forms ------------------------------------------------------------------------------


class DeclareForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), CleanText(300, multiline=False)])
    description = TextAreaField(_l("What happened (for staff)"), validators=[Optional(), CleanText(5000)])
    fund = SelectField(_l("Fund"), validators=[Optional()])
    category = SelectField(_l("Category"), validators=[Optional()])
    province = SelectField(_l("Province"), validators=[Optional()])
    district = StringField(
        _l("District code (optional)"), validators=[Optional(), Regexp(r"^\d{4}$", message=_l("Four digits."))]
    )
    period_start = DateField(_l("Complaints received from"), validators=[InputRequired()])
    period_end = DateField(_l("Complaints received until"), validators=[InputRequired()])
    submit = SubmitField(_l("Declare the incident"))


class FilterForm(FlaskForm):
    category = SelectField(_l("Category"), validators=[Optional()])
    province = SelectField(_l("Province"), validators=[Optional()])
    received_from = DateField(_l("Received from"), validators=[Optional()])
    received_to = DateField(_l("Received until"), validators=[Optional()])
    submit = SubmitField(_l("Link every matching open case"))


class CaseForm(FlaskForm):
    case_id = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


class UpdateAllForm(FlaskForm):
    message = TextAreaField(_l("Public update for every linked case"), validators=[DataRequired(), CleanText(5000)])
    after = IntegerField(widget=HiddenInput(), default=0, validators=[Optional()])
    submit = SubmitField(_l("Send to every linked case"))


class ResolveAllForm(FlaskForm):
    outcome = SelectField(_l("Outcome"), choices=OUTCOME_CHOICES, validators=[InputRequired()])
    message = TextAreaField(_l("Explanation for each complainant"), validators=[DataRequired(), CleanText(5000)])
    after = IntegerField(widget=HiddenInput(), default=0, validators=[Optional()])
    submit = SubmitField(_l("Resolve every linked case that can be"))


class PlainForm(FlaskForm):
    pass


def _category_choices() -> list[tuple[str, str]]:
    rows = db.session.execute(select(Category).order_by(Category.position)).scalars()
    return [("", _("Any category"))] + [(str(c.id), c.name(current_locale())) for c in rows]


def _province_choices() -> list[tuple[str, str]]:
    return [("", _("Any province"))] + province_choices(current_locale())


def _declare_form(formdata=None) -> DeclareForm:
    form = DeclareForm(formdata=formdata) if formdata is not None else DeclareForm(formdata=None)
    form.category.choices = _category_choices()
    form.province.choices = _province_choices()
    if incidents.is_council(current_user):
        funds = db.session.execute(select(Fund).where(Fund.active.is_(True)).order_by(Fund.id)).scalars()
        form.fund.choices = [("", _("Every fund"))] + [(f.code, f.name(current_locale())) for f in funds]
    else:
        form.fund.choices = [("", "—")]
    return form


def _filter_form(incident: Incident, formdata=None) -> FilterForm:
    if formdata is None:
        form = FilterForm(
            formdata=None,
            category=str(incident.category_id or ""),
            province=incident.province_code or "",
            received_from=incident.period_start,
            received_to=incident.period_end,
        )
    else:
        form = FilterForm(formdata=formdata)
    form.category.choices = _category_choices()
    form.province.choices = _province_choices()
    return form


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value else None


# --- pages ------------------------------------------------------------------------------


def _load(incident_id: int) -> Incident:
    incident = db.session.get(Incident, incident_id)
    if incident is None or not incidents.can_view_incident(current_user, incident):
        abort(404)
    return incident


@bp.get("/")
def index():
    rows = db.session.execute(
        incidents.visible_incidents(current_user).order_by(Incident.status.desc(), Incident.declared_at.desc())
    ).scalars()
    listed = [(i, incidents.linked_count(i)) for i in rows]
    may_declare = incidents.can_declare(current_user, current_user.fund_id) or incidents.is_council(current_user)
    return render_template(
        "incidents/index.html", incidents=listed, form=_declare_form() if may_declare else None, **_names()
    )


def _names() -> dict:
    funds = {f.id: f for f in db.session.execute(select(Fund)).scalars()}
    categories = {c.id: c for c in db.session.execute(select(Category)).scalars()}
    return {"fund_of": funds.get, "category_of": categories.get, "province_name": province_name}


@bp.post("/")
def declare():
    if not (incidents.can_declare(current_user, current_user.fund_id) or incidents.is_council(current_user)):
        abort(403)
    form = _declare_form(request.form)
    if not form.validate_on_submit():
        flash(_("Please correct the form: %(errors)s", errors=error_text(form)), "error")
        return redirect(url_for("incidents.index"), 303)
    fund = None
    if form.fund.data:
        fund = db.session.execute(select(Fund).where(Fund.code == form.fund.data)).scalar_one_or_none()
    try:
        incident = incidents.declare(
            current_user,
            title=form.title.data,
            description=form.description.data or "",
            fund=fund,
            category_id=_int_or_none(form.category.data),
            province_code=form.province.data or None,
            district_code=form.district.data or None,
            period_start=form.period_start.data,
            period_end=form.period_end.data,
        )
    except NotPermitted:
        db.session.rollback()
        abort(403)
    except incidents.IncidentRefused as refused:
        db.session.rollback()
        flash(_("Not done: %(reason)s", reason=str(refused)), "error")
        return redirect(url_for("incidents.index"), 303)
    db.session.commit()
    flash(_("Incident declared. Link its cases below."), "success")
    return redirect(url_for("incidents.show", incident_id=incident.id), 303)


@bp.get("/<int:incident_id>")
def show(incident_id: int):
    incident = _load(incident_id)
    return render_template("incidents/show.html", **_page(incident))


def _page(incident: Incident, **extra) -> dict:
    user = current_user
    manage = incidents.can_manage(user, incident) and incident.status == "open"
    act_all = incidents.can_act_on_all(user, incident)
    linked = incidents.linked_cases(incident, user)
    total = incidents.linked_count(incident)
    may_link = manage or (user.role == "officer" and incident.status == "open")
    page = {
        "incident": incident,
        "linked": linked,
        "linked_elsewhere": total - len(linked),
        "total": total,
        "suggested": incidents.suggestions(incident, user) if may_link else [],
        "filter_form": _filter_form(incident) if manage else None,
        "update_form": UpdateAllForm(formdata=None) if act_all else None,
        "resolve_form": ResolveAllForm(formdata=None) if act_all else None,
        "case_form": CaseForm(formdata=None),
        "plain_form": PlainForm(formdata=None),
        "may_link": may_link,
        "may_unlink": manage,
        "may_close": manage,
        **_names(),
    }
    page.update(extra)
    return page


def _refused(incident: Incident, exc: Exception):
    db.session.rollback()
    reason = getattr(exc, "reason", None) or str(exc)
    flash(_("Not done: %(reason)s", reason=reason), "error")
    return redirect(url_for("incidents.show", incident_id=incident.id), 303)


def _gate(allowed: bool, hidden: bool = False) -> None:
    """A first gate before the form is read (the service checks again, precisely)."""
    if not allowed:
        abort(404 if hidden else 403)


@bp.post("/<int:incident_id>/link-filter")
def link_filter(incident_id: int):
    incident = _load(incident_id)
    _gate(incidents.can_manage(current_user, incident))
    form = _filter_form(incident, request.form)
    if not form.validate_on_submit():
        flash(_("Please correct the form: %(errors)s", errors=error_text(form)), "error")
        return redirect(url_for("incidents.show", incident_id=incident.id), 303)
    chosen = incidents.Filter(
        category_id=_int_or_none(form.category.data),
        province_code=form.province.data or None,
        district_code=incident.district_code,
        received_from=form.received_from.data,
        received_to=form.received_to.data,
    )
    try:
        n = incidents.link_by_filter(incident, current_user, chosen)
    except NotPermitted:
        db.session.rollback()
        abort(403)
    except incidents.IncidentRefused as refused:
        return _refused(incident, refused)
    db.session.commit()
    flash(_("Cases linked: %(num)d.", num=n), "success")
    return redirect(url_for("incidents.show", incident_id=incident.id), 303)


def _case_from_form(form: CaseForm) -> Case:
    case = db.session.get(Case, form.case_id.data) if form.case_id.data else None
    if case is None:
        abort(404)
    return case


@bp.post("/<int:incident_id>/link")
def link_case(incident_id: int):
    """Link one case (from the incident's suggestions or the case page)."""
    incident = _load(incident_id)
    _gate(current_user.role in ("officer", "supervisor", "oversight"))
    form = CaseForm(request.form)
    if not form.validate_on_submit():
        flash(_("Please correct the form: %(errors)s", errors=error_text(form)), "error")
        return redirect(url_for("incidents.show", incident_id=incident.id), 303)
    case = _case_from_form(form)
    back = request.form.get("back") == "case"
    try:
        incidents.link(incident, current_user, case, how="suggested" if back else "one")
    except NotPermitted as refused:
        db.session.rollback()
        abort(404 if refused.hidden else 403)
    except incidents.IncidentRefused as refused:
        return _refused(incident, refused)
    db.session.commit()
    flash(_("The case %(ref)s is linked to the incident.", ref=case.reference), "success")
    if back:
        return redirect(url_for("cases.show", case_id=case.id), 303)
    return redirect(url_for("incidents.show", incident_id=incident.id), 303)


@bp.post("/<int:incident_id>/unlink")
def unlink_case(incident_id: int):
    incident = _load(incident_id)
    _gate(incidents.can_manage(current_user, incident))
    form = CaseForm(request.form)
    if not form.validate_on_submit():
        flash(_("Please correct the form: %(errors)s", errors=error_text(form)), "error")
        return redirect(url_for("incidents.show", incident_id=incident.id), 303)
    case = _case_from_form(form)
    try:
        incidents.unlink(incident, current_user, case)
    except NotPermitted as refused:
        db.session.rollback()
        abort(404 if refused.hidden else 403)
    except incidents.IncidentRefused as refused:
        return _refused(incident, refused)
    db.session.commit()
    flash(_("The case %(ref)s is no longer linked to the incident.", ref=case.reference), "success")
    return redirect(url_for("incidents.show", incident_id=incident.id), 303)


def _report(incident: Incident, done_message: str, outcome: incidents.Outcome, again: str, form):
    """Commit, say what was done and what was skipped; with more cases to go, offer to continue."""
    db.session.commit()
    flash(done_message, "success")
    if outcome.skipped:
        listed = "; ".join(f"{ref} ({reason})" for ref, reason in outcome.skipped[:SKIPPED_LISTED])
        more = len(outcome.skipped) - SKIPPED_LISTED
        if more > 0:
            listed += " " + _("and %(n)d more", n=more)
        flash(_("Skipped %(n)d cases: %(list)s", n=len(outcome.skipped), list=listed), "warning")
    if outcome.next_after is None:
        return redirect(url_for("incidents.show", incident_id=incident.id), 303)
    form.after.data = outcome.next_after
    return render_template("incidents/show.html", **_page(incident, **{again: form}, more_to_do=again))


@bp.post("/<int:incident_id>/update")
def update_all(incident_id: int):
    incident = _load(incident_id)
    _gate(incidents.can_act_on_all(current_user, incident))
    form = UpdateAllForm(request.form)
    if not form.validate_on_submit():
        flash(_("Please correct the form: %(errors)s", errors=error_text(form)), "error")
        return redirect(url_for("incidents.show", incident_id=incident.id), 303)
    try:
        outcome = incidents.update_all(incident, current_user, form.message.data, after=form.after.data or 0)
    except NotPermitted:
        db.session.rollback()
        abort(403)
    except (incidents.IncidentRefused, svc.TransitionRefused) as refused:
        return _refused(incident, refused)
    n = len(outcome.done)
    message = _("Update sent to %(num)d linked cases.", num=n)
    return _report(incident, message, outcome, "update_form", form)


@bp.post("/<int:incident_id>/resolve")
def resolve_all(incident_id: int):
    incident = _load(incident_id)
    _gate(incidents.can_act_on_all(current_user, incident))
    form = ResolveAllForm(request.form)
    if not form.validate_on_submit():
        flash(_("Please correct the form: %(errors)s", errors=error_text(form)), "error")
        return redirect(url_for("incidents.show", incident_id=incident.id), 303)
    try:
        outcome = incidents.resolve_all(
            incident, current_user, form.outcome.data, form.message.data, after=form.after.data or 0
        )
    except NotPermitted:
        db.session.rollback()
        abort(403)
    except incidents.IncidentRefused as refused:
        return _refused(incident, refused)
    n = len(outcome.done)
    message = _("Cases resolved: %(num)d.", num=n)
    return _report(incident, message, outcome, "resolve_form", form)


@bp.post("/<int:incident_id>/close")
def close(incident_id: int):
    incident = _load(incident_id)
    _gate(incidents.can_manage(current_user, incident))
    form = PlainForm(request.form)
    if not form.validate_on_submit():
        flash(_("Please correct the form: %(errors)s", errors=error_text(form)), "error")
        return redirect(url_for("incidents.show", incident_id=incident.id), 303)
    try:
        incidents.close(incident, current_user)
    except NotPermitted:
        db.session.rollback()
        abort(403)
    except incidents.IncidentRefused as refused:
        return _refused(incident, refused)
    db.session.commit()
    flash(_("Incident closed. Its cases stay linked and are still counted apart."), "success")
    return redirect(url_for("incidents.show", incident_id=incident.id), 303)


# --- the case page's panel ------------------------------------------------------------


@bp.app_template_global()
def incident_panel(user, case) -> dict:
    """For the case page: the incident the case is in, or the open incidents it may belong to."""
    if user.role not in ("officer", "supervisor", "oversight", "admin"):
        return {}
    current = incidents.incident_of(case)
    if current is not None:
        shown = current if incidents.can_view_incident(user, current) else None
        return {"current": shown, "suggested": [], "form": None}
    suggested = [i for i in incidents.matching_incidents(case, user) if incidents.can_link(user, i, case)]
    form = CaseForm(formdata=None, case_id=case.id) if suggested else None
    return {"current": None, "suggested": suggested, "form": form}
