"""The public side: complaint form, receipt, tracking. No login; nothing identifying logged."""

import secrets
from datetime import timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from grievance import labels, retry
from grievance.cases import service as case_service
from grievance.extensions import db, limiter
from grievance.forms_common import BADLY_ENCODED
from grievance.i18n import current_locale
from grievance.intake import drafts, mapping, service, stepform, steps, uploads
from grievance.intake.forms import (
    TYPED_FIELDS,
    AddInformationForm,
    ComplaintForm,
    FeedbackForm,
    TrackForm,
)
from grievance.intake.presenter import category_groups, receipt_view
from grievance.intake.receipts import follow_ways
from grievance.security import accepts_uploads, tracking_key
from grievance.services import reference

bp = Blueprint("intake", __name__)


@bp.before_request
def _refuse_badly_encoded_hidden_fields():
    """Invalid UTF-8 in a field a person types is refused next to it (the forms' validators);
    in any other field (a hidden token, a choice) nobody typed it, and the request is refused."""
    flagged = request.environ.get(BADLY_ENCODED, frozenset())
    if flagged - TYPED_FIELDS:
        abort(400)


UPLOAD_ERRORS = {
    "empty": _l("This file is empty."),
    "too_large": _l("Each file must be 5 MB or smaller."),
    "type": _l("Only photos (JPEG, PNG) and PDF documents can be attached."),
    "image": _l("This picture cannot be opened, or it is far too large."),
    "pdf": _l("This PDF cannot be opened, or it is far too large or protected by a password."),
    "too_many": _l("You can attach at most 3 files."),
}


@bp.errorhandler(413)
def _too_large(_exc):
    return render_template("intake/too_large.html", max_files=uploads.MAX_FILES), 413


@bp.errorhandler(429)
def _too_many(_exc):
    """Refused by a rate limit: the same page again, with what the person typed and when to come back."""
    seconds = retry.breached_wait_seconds()
    if request.endpoint in ("intake.submit", "intake.choose_place", "intake.save_step", "intake.send"):
        message = _("Many complaints were sent from this connection in a short time, so this one was not sent yet.")
        refusal = f"{message} {retry.try_again_message(seconds)}"
        stepped = _refused_step_page(refusal)
        if stepped is not None:
            return retry.refused(stepped, seconds)
        return retry.refused(_form_page_with(_complaint_form(), refusal=refusal), seconds)
    form = TrackForm()
    message = _("Too many look-ups from this connection.")
    page = render_template("intake/track.html", form=form, refusal=f"{message} {retry.try_again_message(seconds)}")
    return retry.refused(page, seconds)


def _refused_step_page(refusal: str) -> str | None:
    """The step a refused post came from, with the draft's answers and what was just typed; None off the steps."""
    if request.endpoint == "intake.send":
        name = steps.LAST
    elif request.endpoint == "intake.save_step" and request.view_args.get("step") in steps.BY_NAME:
        name = request.view_args["step"]
    else:
        return None
    draft = _current_draft()
    answers = {} if draft is None else drafts.values(draft)
    posted = None if name == steps.LAST else stepform.posted_for(name, request.form)
    form = _draft_form(answers, posted, steps.BY_NAME[name].fields if posted is not None else ())
    return _step_page(name, form, answers, draft, refusal=refusal)[0]


def _complaint_form(formdata=None) -> ComplaintForm:
    form = ComplaintForm() if formdata is None else ComplaintForm(formdata=formdata)
    groups = category_groups(current_locale())
    form.category.choices = [(c.code, label) for _g, items in groups for c, label in items]
    form.set_place_choices(current_locale(), _("Choose…"))
    if not form.form_token.data:
        form.form_token.data = secrets.token_urlsafe(24)
    return form


def _form_page(form, status=200):
    """The whole form on one page: what a one-request submission with a mistake gets back to correct."""
    return _form_page_with(form), status


def _form_page_with(form, refusal: str | None = None) -> str:
    # Browsers never send files back: after a reload the person must choose them again.
    files_dropped = request.method == "POST" and any(f.filename for f in request.files.getlist("attachments"))
    groups = category_groups(current_locale())
    return render_template("intake/form.html", form=form, groups=groups, files_dropped=files_dropped, refusal=refusal)


@bp.post("/place")
@accepts_uploads  # the complaint form's own body (its files included) comes here to choose a place
@limiter.limit("60/minute")
def choose_place():
    """The one-page form without JavaScript: show the districts (then communes), keeping what was typed."""
    return _form_page(_complaint_form())


# --- the form in steps -------------------------------------------------------------------------
# The answers live in a server-side draft found through a random token kept in the session cookie
# (never in a URL); every step is posted, saved and answered with a redirect, so the back button
# and a reload only ever show what is saved.

DRAFT_SESSION_KEY = "intake_draft"


def _lifetime() -> timedelta:
    return timedelta(hours=current_app.config["INTAKE_DRAFT_HOURS"])


def _current_draft():
    token = session.get(DRAFT_SESSION_KEY)
    return None if not token else drafts.find("web", token, tracking_key())


def _new_draft(form_token: str | None):
    token = secrets.token_urlsafe(24)
    session[DRAFT_SESSION_KEY] = token
    token_ok = form_token and 16 <= len(form_token) <= 64
    values = {"form_token": form_token if token_ok else secrets.token_urlsafe(24)}
    lang = current_locale()
    return drafts.start(
        "web", token, tracking_key(), flow="file", step=steps.FIRST, language=lang, lifetime=_lifetime(), values=values
    )


def _step_page(name: str, form, answers: dict, draft=None, status: int = 200, refusal: str | None = None):
    context = {
        "refusal": refusal,
        "step": name,
        "form": form,
        "question": stepform.QUESTIONS[name],
        "position": steps.position(name, answers),
        "back": steps.previous(name, answers),
        "uploads": [] if draft is None else draft.uploads,
        "max_files": uploads.MAX_FILES,
        "multipart": name == "story",
    }
    if name == "what":
        context["groups"] = category_groups(current_locale())
    if name == "check":
        context["summary"] = stepform.summary(form, answers, current_locale(), labels.day)
        context["anonymous"] = answers.get("identity_mode", "anonymous") == "anonymous"
    return render_template(f"intake/steps/{name}.html", **context), status


def _draft_form(answers: dict, posted=None, names=()) -> ComplaintForm:
    return _complaint_form(stepform.formdata(answers, posted, names))


# Where the per-visit tokens go in the cached first step (NUL never occurs in a rendered page).
_CSRF_SLOT = "\x00csrf-token\x00"
_ONE_TIME_SLOT = "\x00one-time\x00"


def _blank_form_page() -> str | None:
    """The first step a first visit sees, with slots for its two tokens; None if they cannot be told apart.

    It depends only on the language and the reference data (categories, information links),
    so it is rendered once per language and kept with the reference data (same TTL, emptied by
    the same commits); each visit then costs two string replacements instead of a render.
    """
    form = _complaint_form()
    page, _status = _step_page(steps.FIRST, form, {})
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
    # Signed-in staff see their navigation, anyone may have a message waiting, and a person with
    # a draft sees their own answers: render for them.
    if not current_user.is_authenticated and not session.get("_flashes") and not session.get(DRAFT_SESSION_KEY):
        page = reference.cached(f"intake-form-{current_locale()}", _blank_form_page)
        if page is not None:
            page = page.replace(_ONE_TIME_SLOT, secrets.token_urlsafe(24))
            if _CSRF_SLOT in page:
                # generate_csrf() also keeps this visitor's raw token in the session, as rendering does.
                page = page.replace(_CSRF_SLOT, generate_csrf())
            return page
    return show_step(steps.FIRST)


def _start_again():
    flash(_("Your answers were kept for a day and have now been forgotten. Please start again."), "warning")
    return redirect(url_for("intake.form"), 303)


@bp.get("/complaint/<step>")
def show_step(step: str):
    name = step
    if name not in steps.BY_NAME:
        abort(404)
    draft = _current_draft()
    if draft is None and name != steps.FIRST:
        return _start_again()
    answers = {} if draft is None else drafts.values(draft)
    if not steps.applies(steps.BY_NAME[name], answers):
        return redirect(url_for("intake.show_step", step=steps.following(name, answers)))
    return _step_page(name, _draft_form(answers), answers, draft)


@bp.post("/complaint/<step>")
@accepts_uploads  # the story step sends its files
# A complaint takes about eight of these; the filing limit on "Send" is the one that counts.
@limiter.limit("600/hour;60/minute")
def save_step(step: str):
    name = step
    if name not in steps.BY_NAME or name == steps.LAST:
        abort(404)
    draft = _current_draft()
    if draft is None and name != steps.FIRST:
        return _start_again()
    answers = {} if draft is None else drafts.values(draft)
    current = steps.BY_NAME[name]
    form = _draft_form(answers, stepform.posted_for(name, request.form), current.fields)
    if not stepform.validate_step(form, current):
        return _step_page(name, form, answers, draft, 400)
    if draft is None:
        draft = _new_draft(request.form.get("form_token"))
    written = []
    if name == "story":
        refused, written = _keep_files(draft, form)
        if refused is not None:
            return refused
    go = request.form.get("go")
    stay = name == "place" and go in ("district", "commune")
    given = stepform.answers_of(form, current)
    following = name if stay else steps.following(name, {**answers, **given})
    try:
        drafts.update(draft, lifetime=_lifetime(), step=following, **given)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        uploads.discard(written)
        raise
    return redirect(url_for("intake.show_step", step=following, _anchor="district" if stay else None), 303)


def _keep_files(draft, form):
    """Drop the files the person ticked to remove; check and keep the new ones as pending uploads.

    Returns (error page or None, paths written): the caller deletes them if its commit fails.
    """
    folder = current_app.config["UPLOAD_DIR"]
    for raw in request.form.getlist("remove"):
        if raw.isdecimal():
            drafts.remove_upload(draft, int(raw), folder)
    chosen = [f for f in request.files.getlist(form.attachments.name) if f and f.filename]
    try:
        if len(chosen) + len(draft.uploads) > uploads.MAX_FILES:
            raise uploads.UploadRefused("too_many")
        files = uploads.prepare_all(chosen)
    except uploads.UploadRefused as refused:
        db.session.rollback()  # the removals too: the page shows what is still kept
        message = str(UPLOAD_ERRORS[refused.reason])
        form.attachments.errors = [f"{refused.name}: {message}" if refused.name else message]
        draft = _current_draft()
        return _step_page("story", form, drafts.values(draft) if draft else {}, draft, 400), []
    return None, drafts.add_uploads(draft, files, folder)


# One filing limit per client, whichever way the complaint is sent (the stepped form's "Send" or
# the whole form in one request); only filings count, a form refused for a mistake (400) does not.
_filing_limit = limiter.shared_limit(
    lambda: current_app.config["INTAKE_RATE_LIMIT"],
    scope="intake-filing",
    deduct_when=lambda response: response.status_code == 200,
)


@bp.post("/complaint/check")
@_filing_limit
def send():
    """The summary's "Send": the whole draft is validated once more and filed like a one-page form."""
    draft = _current_draft()
    posted_token = request.form.get("form_token", "")
    if draft is None:
        existing = service.find_by_form_token(posted_token) if posted_token else None
        if existing is not None:
            return render_template("intake/duplicate.html", reference=existing.reference), 200
        return _start_again()
    answers = drafts.values(draft)
    form = _draft_form(answers, request.form, ("website",))
    form.form_token.data = answers.get("form_token")  # the draft's one-time token, whatever was posted
    if (gap := steps.missing(answers)) is not None:
        return redirect(url_for("intake.show_step", step=gap), 303)
    if not form.validate():
        return _step_page(steps.LAST, form, answers, draft, 400)
    if form.website.data:
        return render_template("intake/spam.html"), 200
    try:
        receipt = service.submit(mapping.from_form(form, channel="web", language=current_locale()), key=tracking_key())
        attached = drafts.attach_uploads(draft, receipt.case)
        drafts.finish(draft)
        view = receipt_view(receipt.case)
        db.session.commit()
    except service.DuplicateSubmission as dup:
        db.session.rollback()
        return render_template("intake/duplicate.html", reference=dup.reference), 200
    session.pop(DRAFT_SESSION_KEY, None)
    return _receipt_page(view, receipt.tracking_code, attached)


@bp.post("/")
@accepts_uploads
# Filings count (a receipt, or what a bot that filled the honeypot is shown); a form refused for
# a mistake does not. Every attempt counts towards the looser bound on the work one client causes.
@_filing_limit
@limiter.limit("30/minute;300/day")
def submit():
    """The whole form in one request (what a client posting every field at once sends)."""
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
        view = receipt_view(receipt.case)
        db.session.commit()
    except service.DuplicateSubmission as dup:
        db.session.rollback()
        return render_template("intake/duplicate.html", reference=dup.reference), 200
    except BaseException:
        # All or nothing: no case without its files, no file without its case.
        db.session.rollback()
        uploads.discard(written)
        raise
    return _receipt_page(view, receipt.tracking_code, len(files))


def _receipt_page(view, code: str, attachments: int):
    """The receipt, its words in both languages: the switch (a link to #other-language, plain CSS,
    no request) changes them while the reference and the code, shown once, stay on screen."""
    own = current_locale()
    other = "en" if own == "km" else "km"
    follow = follow_ways()
    words = {}
    for lang in (own, other):
        with force_locale(lang):
            words[lang] = _receipt_words(view, attachments, follow, lang)
    return render_template(
        "intake/receipt.html", receipt=view, code=code, own=words[own], other=words[other], other_lang=other
    )


def _receipt_words(view, attachments: int, follow: dict, lang: str) -> dict[str, str]:
    fund = view.fund_km if lang == "km" else view.fund_en
    words = {
        "switch": "English" if lang == "km" else "ភាសាខ្មែរ",
        "title": _("Your complaint has been received"),
        "reference": _("Reference number"),
        "code": _("Tracking code"),
        "write_down": _(
            "Write down the reference number and the tracking code now. The code is shown only once and we "
            "cannot show it again."
        ),
        "private": _("Keep the code private: anyone who has it can follow your complaint."),
        "fund": _("Your complaint was sent to: %(fund)s.", fund=fund),
        "ack": _("The fund must acknowledge it by %(date)s.", date=labels.day(view.ack_due, lang)),
        "answer": _(
            "The fund must answer it by %(date)s (working days, not counting public holidays).",
            date=labels.day(view.resolve_due, lang),
        ),
        "files": _("Files attached: %(n)s", n=labels.number(attachments, lang)) if attachments else "",
        "web": _(
            "Follow your complaint on the web at %(address)s with the reference number and the tracking code.",
            address=follow["web"],
        ),
        "sms": _(
            "Or by SMS: send the reference number and the tracking code in one message to %(number)s.",
            number=follow["sms"],
        )
        if follow["sms"]
        else "",
        "telegram": _("Or on Telegram: write to %(bot)s.", bot=follow["telegram"]) if follow["telegram"] else "",
        "track": _("Follow my complaint"),
    }
    return words


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
        answer = form.solved.data
        case_service.record_feedback(case, answer == "yes", council=answer == "council", via="web")
        db.session.commit()
    except case_service.TransitionRefused:
        db.session.rollback()
        return _status_page(case, form, 409)
    return _status_page(case, form)
