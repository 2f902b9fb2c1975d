"""The supervisor's workload page and extension inbox (rules and queries in cases/workload.py).

A decision in the inbox posts to the case action `decide_extension` (cases/actions.py), the same
action as on the case page, with `back=inbox` so the supervisor lands on the inbox again.
"""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from grievance.cases import workload
from grievance.cases.forms import DecideExtensionForm
from grievance.cases.queries import local

bp = Blueprint("workload", __name__)


@bp.get("/workload")
@login_required
def workload_page():
    return render_template("cases/workload.html", loads=workload.officer_workload(current_user))


@bp.get("/extensions")
@login_required
def extensions():
    pending = workload.pending_extensions(current_user)
    forms = {item.request.id: _decision_form(item) for item in pending}
    return render_template("cases/extensions.html", pending=pending, forms=forms, local=local)


def _decision_form(item: workload.PendingExtension) -> DecideExtensionForm:
    form = DecideExtensionForm(formdata=None, version=item.case.version)
    form.request_id.data = item.request.id
    return form


@bp.app_context_processor
def _nav():
    def pending_extension_count() -> int:
        """For the menu: 0 rather than a refusal, so no page fails for want of a count."""
        if not workload.can_see_workload(current_user):
            return 0
        return workload.pending_extension_count(current_user)

    return {"pending_extension_count": pending_extension_count}
