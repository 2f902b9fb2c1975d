"""The front desk (role frontdesk only): file for a person present, receipt, look-up, visits."""

import secrets

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from grievance.extensions import db
from grievance.frontdesk import service
from grievance.frontdesk.forms import (
    DeskFeedbackForm,
    FileForm,
    LookupForm,
    NewCodeForm,
    ReceiptForm,
    ShowIdentityForm,
    VisitForm,
)
from grievance.i18n import current_locale
from grievance.intake import mapping
from grievance.intake import service as intake
from grievance.intake.receipts import follow_ways
from grievance.models import Category
from grievance.reports.pdf import render_pdf
from grievance.security import tracking_key

bp = Blueprint("frontdesk", __name__)


@bp.before_request
def _frontdesk_only():
    # The app-wide gate has already sent anonymous visitors to the login page.
    if not current_user.is_authenticated or service.office_of(current_user) is None:
        abort(403)


def _office():
    return service.office_of(current_user)


def _file_form() -> FileForm:
    form = FileForm()
    locale = current_locale()
    categories = db.session.execute(
        select(Category).where(Category.active.is_(True)).order_by(Category.position)
    ).scalars()
    form.category.choices = [("", _("Choose…"))] + [(c.code, c.name(locale)) for c in categories]
    if not form.form_token.data:
        form.form_token.data = secrets.token_urlsafe(24)
    return form


@bp.get("/")
def home():
    return render_template(
        "frontdesk/home.html",
        office=_office(),
        lookup=LookupForm(request.args),
        recent=service.recent_at_office(_office()),
    )


@bp.route("/file", methods=["GET", "POST"])
def file():
    form = _file_form()
    if not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return render_template("frontdesk/file.html", form=form, office=_office()), status
    sub = mapping.from_form(form, channel=service.IN_PERSON, language=form.language.data)
    try:
        receipt = service.file_in_person(sub, _office(), current_user, key=tracking_key())
        db.session.commit()
    except intake.DuplicateSubmission as dup:
        db.session.rollback()
        flash(_("This form was already sent: complaint %(ref)s.", ref=dup.reference), "warning")
        return redirect(url_for("frontdesk.home"))
    case = receipt.case
    printing = ReceiptForm(reference=case.reference, code=receipt.tracking_code, language=case.language)
    return render_template("frontdesk/receipt.html", case=case, code=receipt.tracking_code, printing=printing)


@bp.post("/receipt.pdf")
def receipt_pdf():
    form = ReceiptForm()
    if not form.validate_on_submit():
        abort(400)
    case = service.find_by_tracking(current_user, form.reference.data, form.code.data, tracking_key())
    if case is None:
        abort(404)
    lang = form.language.data
    with force_locale(lang):
        pdf = render_pdf(
            "frontdesk/receipt_print.html",
            lang=lang,
            case=case,
            code=form.code.data.strip().upper(),
            office=_office(),
            follow=follow_ways(),
        )
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{case.reference}-receipt.pdf"'},
    )


@bp.get("/lookup")
def lookup():
    form = LookupForm(request.args)
    case = service.find_by_reference(current_user, form.reference.data) if form.validate() else None
    if case is None:
        flash(_("No complaint with this reference was filed at this office or in this province."), "error")
        recent = service.recent_at_office(_office())
        return render_template("frontdesk/home.html", office=_office(), lookup=form, recent=recent), 404
    return redirect(url_for("frontdesk.show", case_id=case.id))


def _load(case_id: int):
    case = service.get_case(current_user, case_id)
    if case is None:
        abort(404)
    return case


@bp.get("/cases/<int:case_id>")
def show(case_id: int):
    case = _load(case_id)
    return render_template(
        "frontdesk/case.html",
        case=case,
        timeline=service.desk_timeline(case),
        visit=VisitForm(),
        show_identity=ShowIdentityForm(),
        feedback=DeskFeedbackForm(),
    )


@bp.post("/cases/<int:case_id>/feedback")
def feedback(case_id: int):
    """The person present answers "did this solve your problem?" (a "no" in time is an appeal)."""
    from grievance.cases.service import TransitionRefused

    case = _load(case_id)
    form = DeskFeedbackForm()
    if not form.validate_on_submit():
        flash(_("Choose the person's answer."), "error")
        return redirect(url_for("frontdesk.show", case_id=case.id), 303)
    try:
        service.record_feedback(case, current_user, form.solved.data)
        db.session.commit()
    except TransitionRefused:
        db.session.rollback()
        flash(_("This complaint has no answer to give feedback on yet."), "error")
        return redirect(url_for("frontdesk.show", case_id=case.id), 303)
    flash(_("The answer was recorded."), "success")
    return redirect(url_for("frontdesk.show", case_id=case.id), 303)


@bp.post("/cases/<int:case_id>/identity")
def identity(case_id: int):
    """A person lost their code: show the name on record to compare with their document (recorded)."""
    case = _load(case_id)
    person = service.show_identity_for_new_code(case, current_user)
    db.session.commit()
    return render_template("frontdesk/new_code.html", case=case, person=person, form=NewCodeForm())


@bp.post("/cases/<int:case_id>/new-code")
def new_code(case_id: int):
    case = _load(case_id)
    form = NewCodeForm()
    if case.identity_mode == "anonymous" or case.complainant is None:
        return render_template("frontdesk/new_code.html", case=case, person=None, form=form), 409
    if not form.validate_on_submit():
        return render_template("frontdesk/new_code.html", case=case, person=None, form=form, checked=False), 400
    code = service.issue_new_code(case, current_user, form.document.data, key=tracking_key())
    db.session.commit()
    printing = ReceiptForm(reference=case.reference, code=code, language=case.language)
    return render_template("frontdesk/receipt.html", case=case, code=code, printing=printing, reissued=True)


@bp.post("/cases/<int:case_id>/visit")
def visit(case_id: int):
    case = _load(case_id)
    form = VisitForm()
    if not form.validate_on_submit():
        page = render_template(
            "frontdesk/case.html",
            case=case,
            timeline=service.desk_timeline(case),
            visit=form,
            show_identity=ShowIdentityForm(),
            feedback=DeskFeedbackForm(),
        )
        return page, 400
    service.record_visit(case, current_user, form.note.data)
    db.session.commit()
    flash(_("The visit was recorded."), "success")
    return redirect(url_for("frontdesk.show", case_id=case.id))
