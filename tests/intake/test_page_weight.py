"""Low bandwidth: the form, with everything it loads, stays under 60 KB on a first visit."""

from __future__ import annotations

import re

import pytest

from tests.intake.helpers import text_of

BUDGET = 60 * 1024


def first_load_bytes(client, path: str) -> tuple[int, dict[str, int]]:
    """Bytes of the page plus every stylesheet, script and image it references (as sent, uncompressed)."""
    page = client.get(path)
    assert page.status_code == 200
    sizes = {path: len(page.data)}
    html = text_of(page)
    refs = re.findall(r'<link[^>]+href="([^"]+)"', html) + re.findall(r'<(?:script|img)[^>]+src="([^"]+)"', html)
    for ref in refs:
        if ref.startswith("/") and not ref.startswith("//"):
            asset = client.get(ref)
            assert asset.status_code == 200, ref
            sizes[ref] = len(asset.data)
            asset.close()
    return sum(sizes.values()), sizes


@pytest.mark.parametrize("lang", ["km", "en"])
@pytest.mark.parametrize("path", ["/", "/track"])
def test_public_pages_fit_the_budget_on_first_load(client, lang, path):
    client.set_cookie("lang", lang)
    total, sizes = first_load_bytes(client, path)
    assert total <= BUDGET, f"{total} bytes > {BUDGET}: {sizes}"


def test_the_form_with_the_district_list_also_fits(client):
    from tests.intake.helpers import complaint_data, form_token

    data = complaint_data(form_token(client), province="12", district="1201")
    page = client.post("/place", data=data)
    css = client.get("/static/css/app.css")
    assert len(page.data) + len(css.data) <= BUDGET


def test_the_form_loads_no_script_and_no_third_party_resource(client):
    html = text_of(client.get("/"))
    assert "<script" not in html
    assert not re.search(r'(?:href|src)="(?:https?:)?//', html)


STEP_NAMES = ["what", "story", "place", "when", "card", "identity", "contact", "about", "check"]


@pytest.mark.parametrize("lang", ["km", "en"])
def test_every_step_of_the_form_fits_the_budget_on_first_load(client, lang):
    """Each screen of the stepped form, with its stylesheet, as a first visit loads it (nothing cached)."""
    from tests.intake.helpers import form_token

    client.set_cookie("lang", lang)
    token = form_token(client)
    client.post("/complaint/what", data={"category": "NSAF-CT-MISSING", "form_token": token})
    client.post("/complaint/identity", data={"identity_mode": "confidential"})  # so the contact step shows
    client.post("/complaint/place", data={"province": "12", "district": "1201", "go": "commune"})
    for step in STEP_NAMES:
        total, sizes = first_load_bytes(client, f"/complaint/{step}")
        assert total <= BUDGET, f"{step}: {total} bytes > {BUDGET}: {sizes}"
        assert "<script" not in text_of(client.get(f"/complaint/{step}"))
