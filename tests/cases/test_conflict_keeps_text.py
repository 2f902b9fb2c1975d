"""A refused action (a colleague changed the case meanwhile) gives back what the officer typed."""

from __future__ import annotations

import re

from tests.cases.test_case_flow import _version, filed  # noqa: F401, F811  (the fixture)
from tests.intake.helpers import text_of


def _field(page: str, action: str, name: str) -> str:
    form = re.search(rf'<form[^>]*action="[^"]*/{action}"[^>]*>(.*?)</form>', page, re.S)
    assert form is not None, f"no {action} form on the page"
    textarea = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', form.group(1), re.S)
    if textarea:
        return textarea.group(1).strip()
    value = re.search(rf'name="{name}"[^>]*value="([^"]*)"|value="([^"]*)"[^>]*name="{name}"', form.group(1))
    return (value.group(1) or value.group(2)) if value else ""


def test_stale_public_update_and_note_come_back_with_the_typed_text(client, login_as, filed):  # noqa: F811
    case, _code = filed
    login_as("officer", fund="NSAF")
    seen = _version(client, case.id)
    client.post(f"/cases/{case.id}/acknowledge", data={"version": seen, "message": "ចាប់ផ្ដើមពិនិត្យ។"})
    now_version = _version(client, case.id)
    assert now_version != seen

    response = client.post(f"/cases/{case.id}/public_update", data={"version": seen, "message": "ព័ត៌មានថ្មីសម្រាប់អ្នក"})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert _field(page, "public_update", "message") == "ព័ត៌មានថ្មីសម្រាប់អ្នក"
    # The form now carries the version saved now, so sending it again after checking works.
    assert f'value="{now_version}"' in page

    response = client.post(f"/cases/{case.id}/note", data={"version": seen, "message": "Called the commune chief."})
    assert _field(response.get_data(as_text=True), "note", "message") == "Called the commune chief."

    response = client.post(
        f"/cases/{case.id}/resolve", data={"version": seen, "outcome": "remedied", "message": "Paid on Monday."}
    )
    page = response.get_data(as_text=True)
    assert _field(page, "resolve", "message") == "Paid on Monday."
    assert re.search(r'<option selected value="remedied"|<option value="remedied" selected', page)

    # Nothing the refused actions carried was saved: a fresh page has empty boxes.
    fresh = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert _field(fresh, "note", "message") == ""
    assert "Paid on Monday." not in text_of(client.get(f"/cases/{case.id}"))
