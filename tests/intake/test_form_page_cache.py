"""The blank complaint form is rendered once per language; every visit still gets its own tokens."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select, update

from config import TestConfig
from grievance import create_app
from grievance.auth.service import create_user
from grievance.extensions import db
from grievance.models import Case, Category
from grievance.seed import seed_reference
from grievance.services import reference
from tests.intake.helpers import complaint_data, receipt_of, text_of

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
FORM_TOKEN = re.compile(r'name="form_token" type="hidden" value="([^"]+)"')


@pytest.fixture()
def cached_app(tmp_path):
    class Cached(TestConfig):
        WTF_CSRF_ENABLED = True
        REFERENCE_CACHE_SECONDS = 60
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'cached.sqlite'}"

    app = create_app(Cached)
    with app.app_context():
        db.create_all()
        seed_reference()
        create_user("officer@example.kh", "long-enough-password", "officer", name="Dara", fund_code="NSAF")
        db.session.commit()
        db.session.remove()
    reference.invalidate()
    yield app
    reference.invalidate()
    with app.app_context():
        db.engine.dispose()


def _tokens(client) -> tuple[str, str]:
    page = text_of(client.get("/"))
    return CSRF.search(page).group(1), FORM_TOKEN.search(page).group(1)


def test_each_visit_gets_its_own_tokens_and_files_once(cached_app):
    one, two = cached_app.test_client(), cached_app.test_client()
    csrf_one, token_one = _tokens(one)
    csrf_two, token_two = _tokens(two)
    assert csrf_one != csrf_two and token_one != token_two
    assert _tokens(one)[1] != token_one  # a new one-time token on every visit

    assert one.post("/", data={**complaint_data(token_two), "csrf_token": csrf_two}).status_code == 400
    first = one.post("/", data={**complaint_data(token_one), "csrf_token": csrf_one})
    second = two.post("/", data={**complaint_data(token_two), "csrf_token": csrf_two})
    assert receipt_of(first)[0] != receipt_of(second)[0]
    again = one.post("/", data={**complaint_data(token_one), "csrf_token": csrf_one})
    assert "GRV-" in text_of(again) and "big code" not in text_of(again)  # the duplicate page, no new case
    with cached_app.app_context():
        assert db.session.execute(select(func.count()).select_from(Case)).scalar_one() == 2


def test_a_category_withdrawn_here_leaves_the_form_at_once(cached_app):
    client = cached_app.test_client()
    assert 'value="HEALTH-FEE"' in text_of(client.get("/"))
    with cached_app.app_context():
        db.session.execute(update(Category).where(Category.code == "HEALTH-FEE").values(active=False))
        db.session.commit()
    assert 'value="HEALTH-FEE"' not in text_of(client.get("/"))


def test_signed_in_staff_see_their_own_page_not_the_shared_one(cached_app):
    visitor, officer = cached_app.test_client(), cached_app.test_client()
    assert "Dara" not in text_of(visitor.get("/"))
    login = CSRF.search(text_of(officer.get("/auth/login"))).group(1)
    officer.post(
        "/auth/login", data={"email": "officer@example.kh", "password": "long-enough-password", "csrf_token": login}
    )
    assert "Dara" in text_of(officer.get("/"))
    assert "Dara" not in text_of(visitor.get("/"))
