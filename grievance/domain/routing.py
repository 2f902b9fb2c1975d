"""Routing: which fund handles a complaint.

An ordered table of rules is matched first to last on (category, province, channel);
a rule field left empty matches anything. The first match decides the fund and,
optionally, the provincial office. No match falls back to the oversight council's
triage desk.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    position: int
    fund_code: str
    category_code: str | None = None
    province_code: str | None = None
    channel: str | None = None
    office: str | None = None

    def matches(self, category_code: str, province_code: str | None, channel: str) -> bool:
        return (
            (self.category_code is None or self.category_code == category_code)
            and (self.province_code is None or self.province_code == province_code)
            and (self.channel is None or self.channel == channel)
        )


@dataclass(frozen=True)
class Decision:
    fund_code: str
    office: str | None
    rule_position: int | None  # None: no rule matched, fell back to triage


@dataclass(frozen=True)
class Check:
    """How one rule fared for a complaint: matched or not, and if matched but passed over, why."""

    rule: Rule
    matches: bool
    skipped: str | None = None  # "sensitive": a sensitive category stays with the council


@dataclass(frozen=True)
class Explanation:
    decision: Decision
    checks: tuple[Check, ...]  # every rule in order, up to and including the one that decided


def explain(
    rules: Iterable[Rule],
    category_code: str,
    province_code: str | None,
    channel: str,
    fallback_fund_code: str,
    *,
    keep_with: frozenset[str] | None = None,
) -> Explanation:
    """Which rule routes this complaint, and why the rules before it did not.

    `keep_with`: for a sensitive category (complaints about officials), the funds it may go to
    (the council's); a matching rule that would send it elsewhere is passed over.
    """
    checks = []
    for rule in sorted(rules, key=lambda r: r.position):
        if not rule.matches(category_code, province_code, channel):
            checks.append(Check(rule, False))
            continue
        if keep_with is not None and rule.fund_code not in keep_with:
            checks.append(Check(rule, True, "sensitive"))
            continue
        checks.append(Check(rule, True))
        return Explanation(Decision(rule.fund_code, rule.office, rule.position), tuple(checks))
    return Explanation(Decision(fallback_fund_code, None, None), tuple(checks))


def route(
    rules: Iterable[Rule],
    category_code: str,
    province_code: str | None,
    channel: str,
    fallback_fund_code: str,
    *,
    keep_with: frozenset[str] | None = None,
) -> Decision:
    """First matching rule by position wins; otherwise the triage desk."""
    return explain(rules, category_code, province_code, channel, fallback_fund_code, keep_with=keep_with).decision
