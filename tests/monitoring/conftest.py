import pytest

from tests.intake.helpers import FreshRequestClient


@pytest.fixture()
def client(app, db):
    """Each request gets its own locale and user (see FreshRequestClient)."""
    return FreshRequestClient(app, app.response_class, use_cookies=True)
