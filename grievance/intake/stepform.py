"""The complaint form asked in steps: the same ComplaintForm, validated one step's fields at a time.

A draft keeps each answer as the text a browser would post (a date as 2026-04-14, a ticked box as
"y"), so rebuilding the whole form from the draft and validating it once more before sending runs
exactly the rules a one-page submission runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField

from grievance.forms_common import DayMonthYearField
from grievance.geo import communes, districts, province_name
from grievance.intake import steps
from grievance.intake.forms import ComplaintForm

PLACE_LABEL = _l("Where did it happen?")


# Lists a browser always posts, empty when nothing is chosen (a step not answered yet counts as that).
SELECTS = ("province", "district", "commune", "gender", "age_band")


def formdata(answers: Mapping[str, Any], posted: Mapping[str, Any] | None = None, names=()) -> MultiDict:
    """The draft's answers as form data, with this step's posted fields (and the tokens) laid over them."""
    data = MultiDict({name: "" for name in SELECTS})
    data["identity_mode"] = "anonymous"  # pre-chosen on the form, as on the one-page form
    for key, value in answers.items():
        if isinstance(value, str):
            data[key] = value  # replaces (MultiDict.update would add a second value)
    if posted is not None:
        for name in names:
            data.pop(name, None)
        for key in posted:
            if key in ("csrf_token", "form_token") or key in names or key.split("-", 1)[0] in names:
                data.setlist(key, posted.getlist(key))
    return data


def posted_for(step: str, posted: MultiDict) -> MultiDict:
    """What a step posted, the place made consistent (a district of another province is dropped)."""
    if step != "place":
        return posted
    posted = posted.copy()
    place = consistent_place(*(posted.get(key, "") for key in ("province", "district", "commune")))
    for key, value in zip(("province", "district", "commune"), place, strict=True):
        posted[key] = value
    return posted


def consistent_place(province: str, district: str, commune: str) -> tuple[str, str, str]:
    """Drop a district or commune left over from another province or district (the person changed it)."""
    if province and district and district not in {d.code for d in districts(province)}:
        district = ""
    if district and commune and commune not in {c.code for c in communes(province, district)}:
        commune = ""
    if not district:
        commune = ""
    return province, district, commune


def validate_step(form: ComplaintForm, step: steps.Step) -> bool:
    """Run the validators of this step's fields only (and the CSRF check), as Form.validate would."""
    ok = True
    if "csrf_token" in form:
        ok = form.csrf_token.validate(form) and ok
    for name in step.fields:
        field = form[name]
        inline = getattr(type(form), f"validate_{name}", None)
        ok = field.validate(form, [inline] if inline else []) and ok
    if "name" in step.fields:
        ok = form.name_given() and ok
    return ok


def answers_of(form: ComplaintForm, step: steps.Step) -> dict[str, Any]:
    """This step's answers as the draft keeps them (None: not given, forgotten)."""
    found: dict[str, Any] = {}
    for name in step.fields:
        field = form[name]
        if isinstance(field, DayMonthYearField):
            found[name] = field.iso or None
        elif isinstance(field, BooleanField):
            found[name] = "y" if field.data else None
        else:
            found[name] = field.data or None
    return found


@dataclass(frozen=True)
class SummaryLine:
    label: str
    value: str
    step: str
    error: str | None = None


def summary(form: ComplaintForm, answers: Mapping[str, Any], locale: str, day) -> list[SummaryLine]:
    """What the person answered, step by step, in words, for the screen before sending."""
    lines: list[SummaryLine] = []

    def add(name: str, value: str, label=None) -> None:
        step = next(s.name for s in steps.STEPS if name in s.fields)
        errors = "; ".join(str(e) for e in form[name].errors) or None
        lines.append(SummaryLine(str(label or form[name].label.text), value, step, errors))

    add("category", dict(form.category.choices or []).get(form.category.data, ""))
    add("description", form.description.data or "")
    place = [province_name(answers.get("province"), locale)]
    place.append(dict(form.district.choices).get(answers.get("district"), "") if answers.get("district") else "")
    place.append(dict(form.commune.choices).get(answers.get("commune"), "") if answers.get("commune") else "")
    add("province", ", ".join(p for p in place if p), PLACE_LABEL)
    add("occurred_on", day(form.occurred_on.data) if form.occurred_on.data else "")
    add("programme_number", form.programme_number.data or "")
    add("identity_mode", str(dict(form.identity_mode.choices).get(form.identity_mode.data, "")))
    if steps.applies(steps.BY_NAME["contact"], answers):
        add("name", form.name.data or "")
        add("phone", form.phone.data or "")
        add("sms_opt_in", str(_l("Yes") if form.sms_opt_in.data else _l("No")))
    return lines


QUESTIONS = {
    "what": _l("What happened?"),
    "story": _l("Tell us what happened"),
    "place": _l("Where did it happen?"),
    "when": _l("When did it happen?"),
    "card": _l("Do you have an IDPoor or NSSF card?"),
    "identity": _l("How do you want to be known?"),
    "contact": _l("How can the fund reach you?"),
    "about": _l("About you (optional)"),
    "check": _l("Check your complaint before you send it"),
}
