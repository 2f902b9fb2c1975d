"""Extensions, created unbound; create_app() binds them."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from grievance.modelbase import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=lambda: _client_key(), default_limits=[])


def _client_key() -> str:
    from grievance.security import client_key

    return client_key()


@limiter.request_filter
def _limits_off_for_this_app() -> bool:
    """Flask-Limiter keeps `enabled` on the shared object; honour each app's own setting."""
    from flask import current_app

    return not current_app.config.get("RATELIMIT_ENABLED", True)
