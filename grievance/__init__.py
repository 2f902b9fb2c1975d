"""The grievance application factory."""

from __future__ import annotations

import logging

from flask import Flask, g, render_template, request

from config import config_from_env


def create_app(config_class=None) -> Flask:
    config_class = config_class or config_from_env()
    config_class.validate()
    app = Flask(
        __name__,
        instance_relative_config=False,
        template_folder="../templates",
        static_folder="static",
    )
    app.config.from_object(config_class)
    _make_database_folder(app)
    _trust_proxies(app)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    _quiet_access_log()
    return app


def _make_database_folder(app: Flask) -> None:
    """An SQLite file's folder (instance/ by default) is made, so a fresh clone can `flask db upgrade`."""
    from pathlib import Path

    from sqlalchemy.engine import make_url

    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        if not url.database.startswith("file:"):
            try:
                Path(url.database).parent.mkdir(parents=True, exist_ok=True)
            except OSError:
                pass  # an unreachable disk: the app starts and answers 503 until it is back (ops/outage)


def _trust_proxies(app: Flask) -> None:
    """Take the client's address and scheme from the TRUSTED_PROXIES nearest X-Forwarded-* entries.

    Rate limits and session binding are keyed on the client's address; behind a proxy that is
    the proxy's own unless its X-Forwarded-For is read. Only as many hops as are configured are
    trusted, so a client cannot choose an address by sending the header itself.
    """
    hops = int(app.config.get("TRUSTED_PROXIES") or 0)
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


def register_extensions(app: Flask) -> None:
    from grievance import labels, seclog, security, sqlite
    from grievance.auth import sessions
    from grievance.extensions import babel, csrf, db, limiter, login_manager, migrate
    from grievance.i18n import current_locale, selected_locale

    @app.before_request
    def _begin_mode():
        # First of all the before_request functions: loading the logged-in user (Flask-Login,
        # on first use of current_user) already opens a transaction, and a GET that began
        # IMMEDIATE would queue behind every writer for a page that only reads.
        request.environ["grievance.sqlite_token"] = sqlite.set_read_only(request.method in ("GET", "HEAD"))

    # Second: before CSRF, the rate limiter's key functions or a view read the body.
    app.before_request(security.bound_body)

    @app.teardown_request
    def _end_mode(_exc):
        token = request.environ.pop("grievance.sqlite_token", None)
        if token is not None:
            sqlite.reset(token)

    db.init_app(app)
    from grievance.services import touches

    touches.install()
    with app.app_context():
        sqlite.configure(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])
    migrate.init_app(app, db, directory=str(_migrations_dir()), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=selected_locale,
        default_translation_directories="translations",
    )
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    # Sessions are bound to their client by auth/sessions.load_user; Flask-Login's own "strong"
    # mode only marks permanent sessions as not fresh, which protects nothing.
    login_manager.session_protection = None
    from flask_babel import refresh as babel_refresh

    @app.before_request
    def _user_from_this_request():
        # Flask-Login caches the user on `g`; an app context shared across requests (as in
        # tests, or a CLI that makes requests) must not carry one request's user (or language)
        # into the next.
        g.pop("_login_user", None)
        babel_refresh()  # the same for the locale Flask-Babel caches there

    security.init_app(app)
    sessions.init_app(app)
    app.session_interface = sessions.CachedSerializerSessionInterface()
    labels.init_app(app)
    seclog.configure()

    @app.context_processor
    def _template_globals():
        return {"locale": current_locale()}

    login_manager.user_loader(sessions.load_user)


def _migrations_dir():
    from pathlib import Path

    return Path(__file__).resolve().parent.parent / "migrations"


def register_blueprints(app: Flask) -> None:
    from grievance.admin.views import bp as admin_bp
    from grievance.api.routes import bp as api_bp
    from grievance.assisted.routes import bp as assisted_bp
    from grievance.auth.routes import bp as auth_bp
    from grievance.cases.appeal_routes import bp as appeals_bp
    from grievance.cases.incident_routes import bp as incidents_bp
    from grievance.cases.routes import bp as cases_bp
    from grievance.cases.workload_routes import bp as workload_bp
    from grievance.frontdesk.routes import bp as frontdesk_bp
    from grievance.info.routes import admin_bp as info_admin_bp
    from grievance.info.routes import bp as info_bp
    from grievance.intake.routes import bp as intake_bp
    from grievance.main import bp as main_bp
    from grievance.monitoring.admin import bp as monitor_admin_bp
    from grievance.monitoring.flag_routes import bp as flags_bp
    from grievance.monitoring.routes import bp as monitoring_bp
    from grievance.oversight.routes import bp as oversight_bp
    from grievance.reports.routes import bp as reports_bp
    from grievance.sms.routes import bp as sms_bp
    from grievance.telegram.routes import bp as telegram_bp
    from grievance.transparency.routes import bp as transparency_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(intake_bp)
    app.register_blueprint(auth_bp, url_prefix="/auth")
    app.register_blueprint(cases_bp, url_prefix="/cases")
    app.register_blueprint(appeals_bp, url_prefix="/cases")
    app.register_blueprint(flags_bp, url_prefix="/cases")
    app.register_blueprint(incidents_bp, url_prefix="/incidents")
    app.register_blueprint(workload_bp, url_prefix="/cases")
    app.register_blueprint(assisted_bp, url_prefix="/assisted")
    app.register_blueprint(api_bp, url_prefix="/open311/v2")
    app.register_blueprint(monitoring_bp, url_prefix="/monitor")
    app.register_blueprint(monitor_admin_bp, url_prefix="/admin/organisations")
    app.register_blueprint(oversight_bp, url_prefix="/oversight")
    app.register_blueprint(transparency_bp)
    app.register_blueprint(frontdesk_bp, url_prefix="/frontdesk")
    app.register_blueprint(info_bp, url_prefix="/info")
    app.register_blueprint(info_admin_bp, url_prefix="/admin/info")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(sms_bp, url_prefix="/sms")
    app.register_blueprint(telegram_bp, url_prefix="/telegram")
    app.register_blueprint(reports_bp, url_prefix="/reports")


def register_errorhandlers(app: Flask) -> None:
    from flask_login import current_user
    from werkzeug.exceptions import HTTPException

    from grievance import seclog
    from grievance.api import formats as open311
    from grievance.extensions import db

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        if open311.handles(request.path):
            # Unknown paths and wrong methods under /open311/v2 never reach the blueprint.
            return open311.http_error(exc)
        if exc.code in (401, 403, 404) and current_user.is_authenticated:
            seclog.event("refused", user=current_user.id, code=exc.code, endpoint=request.endpoint)
        if exc.code == 429:
            from grievance import retry

            seconds = retry.breached_wait_seconds()
            page = render_template("errors/error.html", code=429, name=exc.name, wait=retry.try_again_message(seconds))
            return retry.refused(page, seconds)
        return render_template("errors/error.html", code=exc.code, name=exc.name), exc.code

    from grievance.services.permits import NotPermitted

    @app.errorhandler(NotPermitted)
    def _not_permitted(exc: NotPermitted):
        # A service refused the role (whatever the page showed): nothing it did may be kept.
        db.session.rollback()
        code = 404 if exc.hidden else 403
        seclog.event("refused", user=exc.user_id, code=code, action=exc.action, endpoint=request.endpoint)
        return render_template("errors/error.html", code=code, name="Not Found" if exc.hidden else "Forbidden"), code

    @app.errorhandler(Exception)
    def _server_error(exc: Exception):
        db.session.rollback()
        app.logger.error("unhandled error %s on %s", type(exc).__name__, request.endpoint)
        if open311.handles(request.path):
            return open311.error(500, open311.MESSAGES[500])
        return render_template("errors/error.html", code=500, name="Internal Server Error"), 500

    from grievance.ops import outage

    outage.init_app(app)  # database unreachable or locked: a 503 page, not a 500


def register_commands(app: Flask) -> None:
    from grievance.cli import register

    register(app)


def _quiet_access_log() -> None:
    # Werkzeug's development access log prints client addresses and full URLs; the public
    # side must not record who complained, so it is turned down to warnings.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
