"""The visible language switch on every public page: only local redirects, only known languages."""

from __future__ import annotations

from urllib.parse import quote

import pytest


@pytest.mark.parametrize(
    "target",
    ["//evil.example", "/\\evil.example", "https:evil.example", "javascript:alert(1)", "https://evil.example/", ""],
)
def test_the_switch_never_redirects_off_the_site(client, target):
    response = client.get(f"/lang/en?next={quote(target)}")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_the_switch_returns_to_the_page_and_later_pages_follow_it(client):
    response = client.get("/lang/en?next=/track")
    assert response.headers["Location"] == "/track"
    assert "lang=en" in response.headers["Set-Cookie"] and "HttpOnly" in response.headers["Set-Cookie"]
    assert "Follow my complaint" in client.get("/track").get_data(as_text=True)


@pytest.mark.parametrize("code", ["fr", "<script>", "km%0d%0aSet-Cookie:x=1"])
def test_an_unknown_language_sets_nothing(client, code):
    response = client.get(f"/lang/{code}?next=/")
    assert response.status_code in (302, 404)
    assert "Set-Cookie: x" not in str(response.headers) and "lang=" not in response.headers.get("Set-Cookie", "")
