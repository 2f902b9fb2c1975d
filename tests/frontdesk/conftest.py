import pytest

from grievance.frontdesk.offices import office_for_place
from tests.factories import PASSWORD
from tests.intake.helpers import FreshRequestClient


@pytest.fixture()
def client(app, db):
    """Each request gets its own locale and user (see FreshRequestClient)."""
    return FreshRequestClient(app, app.response_class, use_cookies=True)


@pytest.fixture()
def offices(db):
    """The seeded offices: Siem Reap town, a Phnom Penh sangkat, Battambang town."""
    return {
        "siem_reap": office_for_place("1710"),
        "phnom_penh": office_for_place("1204", "120401"),
        "battambang": office_for_place("0203"),
    }


@pytest.fixture()
def desk(client, make, offices):
    """desk(office_key) → a front-desk officer of that office, logged in on `client`."""

    def _login(key: str):
        user = make.user("frontdesk", office_id=offices[key].id)
        client.post("/auth/logout")
        response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302, "login failed"
        return user

    return _login
