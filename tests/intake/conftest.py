import pytest

from tests.intake.helpers import FreshRequestClient


@pytest.fixture()
def client(app, db):
    """Each request gets its own locale and user (see FreshRequestClient)."""
    return FreshRequestClient(app, app.response_class, use_cookies=True)


@pytest.fixture()
def upload_dir(app, tmp_path, monkeypatch):
    """Uploads go to a folder of this test."""
    path = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(path))
    return path
