"""A database that cannot be reached: /healthz says 503, every page a clear 503 in the user's language."""

from __future__ import annotations

import json
import logging

import pytest

from config import TestConfig
from grievance import create_app, seclog


@pytest.fixture(scope="module")
def down_app(tmp_path_factory):
    """An app whose database file cannot be opened (its folder cannot exist: a file is in the way)."""
    blocked = tmp_path_factory.mktemp("outage") / "not-a-folder"
    blocked.write_text("a file where the database's folder should be")
    missing = blocked / "grievance.sqlite"

    class DownConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{missing}"

    return create_app(DownConfig)


def test_healthz_is_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_is_503_when_the_database_is_down(down_app):
    response = down_app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "down"


@pytest.mark.parametrize(
    ("lang", "words"),
    [("en", "The service is briefly unavailable"), ("km", "សេវានេះផ្អាកមួយភ្លែត")],
)
def test_the_public_form_is_a_clear_503_in_the_users_language(down_app, lang, words):
    client = down_app.test_client()
    client.set_cookie("lang", lang)
    response = client.get("/")
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    page = response.get_data(as_text=True)
    assert words in page
    assert "Traceback" not in page and "sqlite" not in page.lower()


def test_a_submission_while_the_database_is_down_is_a_503_not_a_500(down_app):
    response = down_app.test_client().post("/", data={"description": "x", "form_token": "t" * 20})
    assert response.status_code == 503


def test_the_api_answers_503_in_json(down_app):
    response = down_app.test_client().post(
        "/open311/v2/requests.json", json={"service_code": "OTHER", "description": "help"}
    )
    assert response.status_code == 503
    assert response.get_json()[0]["code"] == 503


def test_json_log_lines_are_utc_and_escaped(monkeypatch):
    monkeypatch.setenv("LOG_FORMAT", "json")
    record = logging.LogRecord("grievance.security", logging.INFO, __file__, 1, "login %s", ("Bob\r\nINFO x",), None)
    line = seclog.formatter().format(record)
    assert "\n" not in line
    parsed = json.loads(line)
    assert parsed["msg"] == "login Bob\\x0d\\x0aINFO x"
    assert parsed["ts"].endswith("Z") and parsed["level"] == "INFO"
