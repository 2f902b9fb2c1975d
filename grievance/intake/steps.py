"""The public form in short steps: one question per screen, in this order.

Pure data and rules, no Flask: which fields each step asks, which steps a person's answers skip
(the contact step for an anonymous complainant), and where "Next" and "Back" lead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Step:
    name: str
    fields: tuple[str, ...]


STEPS: tuple[Step, ...] = (
    Step("what", ("category",)),
    Step("story", ("description",)),  # and the files, kept as pending uploads
    Step("place", ("province", "district", "commune")),
    Step("when", ("occurred_on",)),
    Step("card", ("programme_number",)),
    Step("identity", ("identity_mode",)),
    Step("contact", ("name", "phone", "sms_opt_in")),
    Step("about", ("gender", "age_band", "disability", "idpoor", "informal_worker", "indigenous")),
    Step("check", ()),
)
BY_NAME = {step.name: step for step in STEPS}
FIRST = STEPS[0].name
LAST = STEPS[-1].name
# Answers a person must have given before the summary can send the complaint.
REQUIRED = {"category": "what", "description": "story"}


def applies(step: Step, answers: Mapping[str, Any]) -> bool:
    """An anonymous complainant gives no contact details, so that screen is skipped."""
    if step.name == "contact":
        return answers.get("identity_mode", "anonymous") != "anonymous"
    return True


def _shown(answers: Mapping[str, Any]) -> list[Step]:
    return [step for step in STEPS if applies(step, answers)]


def following(name: str, answers: Mapping[str, Any]) -> str:
    shown = [s.name for s in _shown(answers)]
    if name not in shown:
        return FIRST
    index = shown.index(name)
    return shown[min(index + 1, len(shown) - 1)]


def previous(name: str, answers: Mapping[str, Any]) -> str | None:
    shown = [s.name for s in _shown(answers)]
    if name not in shown or shown.index(name) == 0:
        return None
    return shown[shown.index(name) - 1]


def position(name: str, answers: Mapping[str, Any]) -> tuple[int, int]:
    """(n, total) for "step n of total"; the summary is the last one."""
    shown = [s.name for s in _shown(answers)]
    return (shown.index(name) + 1 if name in shown else 1), len(shown)


def missing(answers: Mapping[str, Any]) -> str | None:
    """The first step whose required answer is missing (the summary sends the person there)."""
    for field, step in REQUIRED.items():
        if not answers.get(field):
            return step
    return None
