import pytest

from grievance.api import keys
from grievance.models import Organisation
from tests.intake.helpers import FreshRequestClient


@pytest.fixture()
def client(app, db):
    return FreshRequestClient(app, app.response_class, use_cookies=True)


def _issue(db, name: str, kind: str, purpose: str):
    organisation = Organisation(name=name, kind=kind)
    db.session.add(organisation)
    db.session.flush()
    key, _row = keys.issue(organisation, purpose)
    db.session.commit()
    return key, organisation


@pytest.fixture()
def api_key(db):
    """An assisted key, issued to a union that files for people: (key, organisation)."""
    return _issue(db, "Garment Workers Union", "union", "assisted")


@pytest.fixture()
def relay_key(db):
    """A relay key, issued to the CSO that runs a FixMyStreet installation: (key, organisation)."""
    return _issue(db, "FixMyStreet Cambodia", "cso", "relay")
