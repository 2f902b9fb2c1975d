"""/admin/replies: reply templates in Khmer and English that officers insert into public updates."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Optional

from grievance.admin import changelog
from grievance.admin import replies as svc
from grievance.admin.editing import Invalid
from grievance.admin.routes import bp, fund_choices, invalid_into, save_edit
from grievance.extensions import db
from grievance.forms_common import CleanText, VersionedForm
from grievance.i18n import current_locale
from grievance.models import ReplyTemplate


class ReplyTemplateForm(FlaskForm):
    title_km = StringField(_l("Title in Khmer"), validators=[DataRequired(), CleanText(svc.TITLE_MAX, multiline=False)])
    title_en = StringField(
        _l("Title in English"), validators=[DataRequired(), CleanText(svc.TITLE_MAX, multiline=False)]
    )
    body_km = TextAreaField(_l("Text in Khmer"), validators=[DataRequired(), CleanText(svc.BODY_MAX)])
    body_en = TextAreaField(_l("Text in English"), validators=[DataRequired(), CleanText(svc.BODY_MAX)])
    fund_id = SelectField(_l("Fund"), validators=[Optional()])
    active = BooleanField(_l("Active (offered to officers)"), default=True)
    submit = SubmitField(_l("Save"))


class ReplyTemplateEditForm(ReplyTemplateForm, VersionedForm):
    pass


def _funds(form) -> None:
    form.fund_id.choices = fund_choices(blank=_("Every fund"))


def _values(form) -> dict:
    return {
        "title_km": form.title_km.data,
        "title_en": form.title_en.data,
        "body_km": form.body_km.data,
        "body_en": form.body_en.data,
        "fund_id": int(form.fund_id.data) if form.fund_id.data else None,
        "active": form.active.data,
    }


def _stored(template: ReplyTemplate) -> dict:
    return {
        "title_km": template.title_km,
        "title_en": template.title_en,
        "body_km": template.body_km,
        "body_en": template.body_en,
        "fund_id": str(template.fund_id or ""),
        "active": template.active,
    }


@bp.get("/replies/")
def replies():
    return render_template("admin/replies.html", rows=svc.listing())


@bp.route("/replies/new", methods=["GET", "POST"])
def new_reply():
    form = ReplyTemplateForm()
    _funds(form)
    if form.validate_on_submit():
        try:
            template = svc.create(current_user, **_values(form))
            db.session.commit()
            flash(_("Reply template added; officers can insert it now."), "success")
            return redirect(url_for("admin.reply", template_id=template.id), 303)
        except Invalid as refused:
            db.session.rollback()
            invalid_into(form, refused)
    return render_template("admin/reply.html", form=form, template=None, saved={}), 400 if form.errors else 200


def _page(template: ReplyTemplate, form, status: int = 200, saved: dict | None = None):
    changes = changelog.recent(current_locale(), svc.ENTITY, template.id)
    return render_template("admin/reply.html", form=form, template=template, saved=saved or {}, changes=changes), status


@bp.route("/replies/<int:template_id>", methods=["GET", "POST"])
def reply(template_id: int):
    found = db.get_or_404(ReplyTemplate, template_id)
    form = ReplyTemplateEditForm(data=_stored(found) | {"version": found.version} if request.method == "GET" else None)
    _funds(form)

    def save(template: ReplyTemplate) -> None:
        svc.update_template(current_user, template, form.version.data, **_values(form))

    done = url_for("admin.reply", template_id=template_id)
    return save_edit(found, form, stored=_stored, render=_page, save=save, done_url=done)
