"""The public side: complaint form, receipt, tracking. No login; nothing identifying logged."""

import secrets

from flask import Blueprint, current_app, render_template, request, session
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from grievance.cases import service as case_service
from grievance.extensions import db, limiter
from grievance.forms_common import flag_badly_encoded
from grievance.i18n import current_locale
from grievance.intake import mapping, service, uploads
from grievance.intake.forms import (
    AddInformationForm,
    ComplaintForm,
    FeedbackForm,
    TrackForm,
)
from grievance.intake.presenter import category_groups, receipt_view
from grievance.security import tracking_key
from grievance.services import reference

bp = Blueprint("intake", __name__)


@bp.before_request
def _limit_form_body():
    """Bound url-encoded bodies as multipart text parts already are (MAX_FORM_MEMORY_SIZE).

    Werkzeug applies MAX_FORM_MEMORY_SIZE only to multipart parts; an url-encoded body (what the
    public forms send) was read whole up to MAX_CONTENT_LENGTH (16 MB), normalised, validated and
    echoed back into the 400 page. Refusing it early gives the 413 "too large" page instead.
    """
    if request.method == "POST" and request.mimetype == "application/x-www-form-urlencoded":
        request.max_content_length = current_app.config["MAX_FORM_MEMORY_SIZE"]
        flag_badly_encoded(request.get_data(cache=True))


UPLOAD_ERRORS = {
    "empty": _l("This file is empty."),
    "too_large": _l("Each file must be 5 MB or smaller."),
    "type": _l("Only photos (JPEG, PNG) and PDF documents can be attached."),
    "image": _l("This picture cannot be opened, or it is far too large."),
    "too_many": _l("You can attach at most 3 files."),
}


@bp.errorhandler(413)
def _too_large(_exc):
    return render_template("intake/too_large.html", max_files=uploads.MAX_FILES), 413


def _complaint_form() -> ComplaintForm:
    form = ComplaintForm()
    groups = category_groups(current_locale())
    form.category.choices = [(c.code, label) for _g, items in groups for c, label in items]
    form.set_place_choices(current_locale(), _("Choose…"))
    if not form.form_token.data:
        form.form_token.data = secrets.token_urlsafe(24)
    return form


def _form_page(form, status=200):
    # Browsers never send files back: after a reload the person must choose them again.
    files_dropped = request.method == "POST" and any(f.filename for f in request.files.getlist("attachments"))
    groups = category_groups(current_locale())
    return render_template("intake/form.html", form=form, groups=groups, files_dropped=files_dropped), status


# Where the per-visit tokens go in the cached blank form (NUL never occurs in a rendered page).
_CSRF_SLOT = "\x00csrf-token\x00"
_ONE_TIME_SLOT = "\x00one-time\x00"


def _blank_form_page() -> str | None:
    """The form a first visit sees, with slots for its two tokens; None if they cannot be told apart.

    It depends only on the language and the reference data (categories, information links),
    so it is rendered once per language and kept with the reference data (same TTL, emptied by
    the same commits); each visit then costs two string replacements instead of a render.
    """
    form = _complaint_form()
    page, _status = _form_page(form)
    token = form.form_token.data
    if page.count(token) != 1:
        return None
    page = page.replace(token, _ONE_TIME_SLOT)
    if current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf = form.csrf_token.current_token
        if page.count(csrf) != 1:
            return None
        page = page.replace(csrf, _CSRF_SLOT)
    return page


@bp.get("/")
def form():
    # Signed-in staff see their navigation and anyone may have a message waiting: render for them.
    if not current_user.is_authenticated and not session.get("_flashes"):
        page = reference.cached(f"intake-form-{current_locale()}", _blank_form_page)
        if page is not None:
            page = page.replace(_ONE_TIME_SLOT, secrets.token_urlsafe(24))
            if _CSRF_SLOT in page:
                # generate_csrf() also keeps this visitor's raw token in the session, as rendering does.
                page = page.replace(_CSRF_SLOT, generate_csrf())
            return page
    return _form_page(_complaint_form())


@bp.post("/place")
@limiter.limit("60/minute")
def choose_place():
    """Without JavaScript: show the districts (then communes) of the place chosen, keeping what was typed."""
    return _form_page(_complaint_form())


@bp.post("/")
@limiter.limit("20/hour;5/minute")
def submit():
    form = _complaint_form()
    if not form.validate_on_submit():
        return _form_page(form, 400)
    if form.website.data:
        # A bot filled the honeypot: answer like a success but store nothing.
        return render_template("intake/spam.html"), 200
    try:
        files = uploads.prepare_all(request.files.getlist(form.attachments.name))
    except uploads.UploadRefused as refused:
        message = str(UPLOAD_ERRORS[refused.reason])
        form.attachments.errors = [f"{refused.name}: {message}" if refused.name else message]
        return _form_page(form, 400)
    written = []
    try:
        receipt = service.submit(mapping.from_form(form, channel="web", language=current_locale()), key=tracking_key())
        written = uploads.save(receipt.case, files, current_app.config["UPLOAD_DIR"])
        # Taken before the commit expires the case: rendering the receipt then opens no second
        # (write-locking, on SQLite) transaction just to read back what this request wrote.
        view = receipt_view(receipt.case, current_locale())
        db.session.commit()
    except service.DuplicateSubmission as dup:
        db.session.rollback()
        return render_template("intake/duplicate.html", reference=dup.reference), 200
    except BaseException:
        # All or nothing: no case without its files, no file without its case.
        db.session.rollback()
        uploads.discard(written)
        raise
    return render_template("intake/receipt.html", receipt=view, code=receipt.tracking_code, attachments=len(files))


@bp.get("/track")
def track():
    return render_template("intake/track.html", form=TrackForm())


def _tracked(form):
    return service.find_by_tracking(form.reference.data, form.code.data, tracking_key())


def _not_found(form):
    form.code.errors = [_("We could not find a complaint with this reference and code. Check both and try again.")]
    return render_template("intake/track.html", form=form), 404


@bp.post("/track")
@limiter.limit("10/minute;100/day")
def track_lookup():
    form = TrackForm()
    if not form.validate_on_submit():
        return render_template("intake/track.html", form=form), 400
    case = _tracked(form)
    if case is None:
        return _not_found(form)
    return _status_page(case, form)


def _status_page(case, form, status=200, info_form=None):
    from grievance.intake.presenter import public_view

    return (
        render_template(
            "intake/status.html",
            view=public_view(case, current_locale()),
            info_form=info_form or AddInformationForm(reference=form.reference.data, code=form.code.data),
            feedback_form=FeedbackForm(reference=form.reference.data, code=form.code.data),
        ),
        status,
    )


@bp.post("/track/information")
@limiter.limit("10/minute")
def add_information():
    form = AddInformationForm()
    if not form.validate_on_submit():
        # A bad message from the right person: show it again with its error, on their status page.
        case = None if form.reference.errors or form.code.errors else _tracked(form)
        if case is None:
            return render_template("intake/track.html", form=form), 400
        return _status_page(case, form, 400, info_form=form)
    case = _tracked(form)
    if case is None:
        return _not_found(form)
    if not case.is_open:
        return _status_page(case, form, 409)
    case_service.add_information(case, form.message.data)
    db.session.commit()
    return _status_page(case, form)


@bp.post("/track/feedback")
@limiter.limit("10/minute")
def feedback():
    form = FeedbackForm()
    if not form.validate_on_submit():
        return render_template("intake/track.html", form=form), 400
    case = _tracked(form)
    if case is None:
        return _not_found(form)
    try:
        case_service.record_feedback(case, form.solved.data == "yes")
        db.session.commit()
    except case_service.TransitionRefused:
        db.session.rollback()
        return _status_page(case, form, 409)
    return _status_page(case, form)
