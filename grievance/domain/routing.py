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


def route(
    rules: Iterable[Rule],
    category_code: str,
    province_code: str | None,
    channel: str,
    fallback_fund_code: str,
) -> Decision:
    """First matching rule by position wins; otherwise the triage desk."""
    for rule in sorted(rules, key=lambda r: r.position):
        if rule.matches(category_code, province_code, channel):
            return Decision(rule.fund_code, rule.office, rule.position)
    return Decision(fallback_fund_code, None, None)
