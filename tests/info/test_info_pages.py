"""Information on schemes and rights: one page per category and scheme, linked from the form."""

from __future__ import annotations

import html
import json
import re

import pytest
from sqlalchemy import select

from grievance.extensions import db
from grievance.info.content import SCHEMES
from grievance.info.markup import render_body
from grievance.models import Category, Event, InfoPage, SlaPolicy
from grievance.seed import seed_reference
from grievance.seed_data import CATEGORIES
from grievance.services import audit
from tests.intake.helpers import FreshRequestClient, text_of

MAX_PAGE_BYTES = 30 * 1024


@pytest.fixture()
def client(app, db):
    return FreshRequestClient(app, app.response_class, use_cookies=True)


def _form_links(client, lang: str) -> dict[str, str]:
    """category code -> the information link shown right after its choice on the complaint form."""
    page = text_of(client.get(f"/?lang={lang}"))
    pairs = re.findall(r'name="category" value="([A-Z-]+)".*?</label>\s*<a class="info-link" href="([^"]+)"', page)
    return dict(pairs)


@pytest.mark.parametrize("lang", ["km", "en"])
def test_every_default_category_has_a_page_one_click_from_the_form(client, lang):
    links = _form_links(client, lang)
    assert set(links) == {row[0] for row in CATEGORIES}
    for code, href in links.items():
        category = db.session.execute(select(Category).where(Category.code == code)).scalar_one()
        response = client.get(f"{href}?lang={lang}")
        assert response.status_code == 200, href
        assert len(response.data) <= MAX_PAGE_BYTES, f"{href} is {len(response.data)} bytes"
        page = html.unescape(text_of(response))
        page_row = db.session.execute(select(InfoPage).where(InfoPage.category_id == category.id)).scalar_one()
        assert (page_row.title_km if lang == "km" else page_row.title_en) in page
        assert f'<html lang="{lang}">' in page


def test_pages_are_khmer_first_and_english_on_request(client):
    khmer = text_of(client.get("/info/health-fee"))
    english = text_of(client.get("/info/health-fee?lang=en"))
    assert "ប័ណ្ណសមធម៌" in khmer and "How long the fund has to answer" not in khmer
    assert "IDPoor card" in english and "How long the fund has to answer" in english


def test_the_time_limits_come_from_the_service_levels_in_the_database(client):
    category = db.session.execute(select(Category).where(Category.code == "HEALTH-FEE")).scalar_one()
    policy = db.session.execute(select(SlaPolicy).where(SlaPolicy.category_id == category.id)).scalar_one()
    policy.ack_days, policy.resolve_days, policy.escalate_after_days = 3, 17, 4
    db.session.commit()
    page = text_of(client.get("/info/health-fee?lang=en"))
    assert "<td>3</td>" in page and "<td>17</td>" in page
    assert "4 working days after a breach" in page
    assert "National Social Protection Council" in page
    scheme = text_of(client.get("/info/health-equity-fund?lang=en"))
    assert "<td>3</td><td>17</td>" in re.sub(r"\s+", "", scheme).replace("<td>", "<td>")


@pytest.mark.parametrize("slug", [row[0] for row in SCHEMES])
def test_each_scheme_has_a_page_in_both_languages(client, slug):
    for lang in ("km", "en"):
        response = client.get(f"/info/{slug}?lang={lang}")
        assert response.status_code == 200 and len(response.data) <= MAX_PAGE_BYTES
    assert "/info/" + slug in text_of(client.get("/info/"))


def test_unknown_page_is_404(client):
    assert client.get("/info/no-such-page").status_code == 404


def test_administrators_edit_both_languages_and_markup_stays_text(client, login_as):
    page = db.session.execute(select(InfoPage).where(InfoPage.slug == "other")).scalar_one()
    admin = login_as("admin", fund=None)
    response = client.post(
        f"/admin/info/{page.id}",
        data={
            "version": page.version,
            "title_km": "បញ្ហាផ្សេងទៀត",
            "title_en": "Something else",
            "body_km": "សូមជួយ<script>alert(1)</script>ខ្ញុំ\n\n- ចំណុចទីមួយ\n- ចំណុចទីពីរ",
            "body_en": "<img src=x onerror=alert(1)>\n- first point\n- {{7*7}}",
        },
    )
    assert response.status_code == 303  # see the page again (POST, then GET)
    db.session.refresh(page)
    assert page.updated_by_id == admin.id
    khmer = text_of(client.get("/info/other"))
    assert "<script>alert(1)</script>" not in khmer and "&lt;script&gt;" in khmer
    assert "<li>ចំណុចទីមួយ</li><li>ចំណុចទីពីរ</li>" in khmer
    english = text_of(client.get("/info/other?lang=en"))
    assert "<img" not in english and "<li>{{7*7}}</li>" in english


def test_an_administrators_edit_is_a_chain_event_with_what_changed(client, login_as):
    page = db.session.execute(select(InfoPage).where(InfoPage.slug == "other")).scalar_one()
    old_title = page.title_en
    admin = login_as("admin", fund=None)
    form = {"title_km": page.title_km, "title_en": "Other problems", "body_km": page.body_km, "body_en": page.body_en}
    assert client.post(f"/admin/info/{page.id}", data={**form, "version": page.version}).status_code == 303
    (event,) = db.session.execute(select(Event).where(Event.kind == "admin_change")).scalars().all()
    change = json.loads(event.payload)
    assert (event.actor_id, change["entity"], change["id"]) == (admin.id, "info_page", page.id)
    assert change["before"] == {"title_en": old_title} and change["after"] == {"title_en": "Other problems"}
    assert audit.verify_record().ok
    # Saving the same text again changes nothing and records nothing.
    db.session.refresh(page)
    assert client.post(f"/admin/info/{page.id}", data={**form, "version": page.version}).status_code == 303
    assert len(db.session.execute(select(Event).where(Event.kind == "admin_change")).scalars().all()) == 1


def test_an_edit_from_a_stale_page_is_refused_and_the_typed_text_kept(client, login_as):
    page = db.session.execute(select(InfoPage).where(InfoPage.slug == "other")).scalar_one()
    login_as("admin", fund=None)
    seen = page.version
    typed = {"title_km": "ក", "title_en": "Mine", "body_km": "ខ", "body_en": "My typed text"}
    first = client.post(f"/admin/info/{page.id}", data={**typed, "version": seen, "body_en": "The first edit"})
    assert first.status_code == 303
    second = client.post(f"/admin/info/{page.id}?lang=en", data={**typed, "version": seen})
    assert second.status_code == 409
    body = second.get_data(as_text=True)
    assert "My typed text" in body and "The first edit" in body
    db.session.refresh(page)
    assert page.body_en == "The first edit" and page.version == seen + 1


def test_seeding_again_keeps_an_administrators_edit(client):
    page = db.session.execute(select(InfoPage).where(InfoPage.slug == "nssf")).scalar_one()
    page.body_en = "Edited by the council."
    db.session.commit()
    assert seed_reference()["info_pages"] == 0
    db.session.commit()
    db.session.refresh(page)
    assert page.body_en == "Edited by the council."
    assert db.session.query(InfoPage).count() == len(SCHEMES) + len(CATEGORIES)


def test_a_too_long_text_is_refused(client, login_as):
    page = db.session.execute(select(InfoPage).where(InfoPage.slug == "other")).scalar_one()
    login_as("admin", fund=None)
    response = client.post(
        f"/admin/info/{page.id}",
        data={"version": page.version, "title_km": "ក", "title_en": "a", "body_km": "ក" * 6001, "body_en": "a"},
    )
    assert response.status_code == 400


@pytest.mark.parametrize("role", ["officer", "supervisor", "oversight", "monitor", "frontdesk"])
def test_only_administrators_reach_the_editor(client, login_as, make, role):
    if role == "frontdesk":
        from grievance.frontdesk.offices import office_for_place
        from tests.factories import PASSWORD

        user = make.user("frontdesk", office_id=office_for_place("1710").id)
        client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    else:
        login_as(role)
    assert client.get("/admin/info/").status_code == 403


def test_the_editor_needs_a_login(client):
    assert client.get("/admin/info/").status_code == 302


def test_body_markup_escapes_first_and_only_adds_paragraphs_and_lists():
    out = str(render_body('a <b>\nb\n\n- x & y\n* z\n\nend "q"'))
    assert out == "<p>a &lt;b&gt;<br>b</p>\n<ul><li>x &amp; y</li><li>z</li></ul>\n<p>end &#34;q&#34;</p>"
    assert str(render_body("")) == ""
