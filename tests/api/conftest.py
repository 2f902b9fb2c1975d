import pytest

from grievance.api import keys
from grievance.models import Organisation
from tests.intake.helpers import FreshRequestClient


@pytest.fixture()
def client(app, db):
    return FreshRequestClient(app, app.response_class, use_cookies=True)


@pytest.fixture()
def api_key(db):
    """A key issued to an organisation: (key, organisation)."""
    organisation = Organisation(name="Garment Workers Union", kind="union")
    db.session.add(organisation)
    db.session.flush()
    key, _row = keys.issue(organisation)
    db.session.commit()
    return key, organisation
