"""WSGI entry point: `flask --app wsgi ...` and `gunicorn wsgi:app` load this."""

from grievance import create_app

app = create_app()
