"""What each kind of Open311 caller may do, and which attributes it must send.

Three kinds of caller reach the API:

- **public**: no api_key. Anyone may file (tightly rate limited) and read the public feed.
  No tracking code goes back: nobody can tell that the caller is the complainant.
- **relay**: a platform that passes on people's own reports (a FixMyStreet installation, a
  city's 311 tool). Standard requests need no extension attribute; the case records the
  platform's organisation; the complainant's tracking code goes back in the `tracking_code`
  extension field so the platform can pass it on; retries are recognised.
- **assisted**: an organisation filing on someone's behalf (a CSO, a union). As a relay, and
  the person's consent is required: `attribute[consent_given]=true`.

The service definitions (GET services/{code}) are built from these rules, so what they say
is required is what a POST is refused without.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Caller:
    kind: str
    required_attributes: frozenset[str]
    gets_tracking_code: bool
    records_organisation: bool
    retries_recognised: bool


PUBLIC = Caller("public", frozenset(), gets_tracking_code=False, records_organisation=False, retries_recognised=False)
RULES = {
    "relay": Caller("relay", frozenset(), gets_tracking_code=True, records_organisation=True, retries_recognised=True),
    "assisted": Caller(
        "assisted",
        frozenset({"consent_given"}),
        gets_tracking_code=True,
        records_organisation=True,
        retries_recognised=True,
    ),
}


def caller_for(key) -> Caller:
    """The rules for a request made with this (valid) key, or without one."""
    return PUBLIC if key is None else RULES[key.purpose]


def refusal(caller: Caller, *, consent_stated: bool, consent_given: bool) -> str | None:
    """Why this caller may not file this request, or None."""
    if "consent_given" in caller.required_attributes and not (consent_stated and consent_given):
        return (
            "an organisation files on someone's behalf only with their consent: "
            "send attribute[consent_given]=true (this key is for assisted filing)"
        )
    return None
