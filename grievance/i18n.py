"""Locale selection: Khmer first; a visible switch stores the choice in a cookie."""

from __future__ import annotations

from functools import lru_cache

from babel import Locale
from flask import current_app, has_request_context, request
from flask_babel import get_locale

LANG_COOKIE = "lang"


def select_locale() -> str:
    if not has_request_context():  # a command or a background job: the default, unless force_locale says otherwise
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    languages = current_app.config["LANGUAGES"]
    chosen = request.args.get("lang") or request.cookies.get(LANG_COOKIE)
    if chosen in languages:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


@lru_cache(maxsize=16)
def _parsed(tag: str) -> Locale:
    return Locale.parse(tag)


def selected_locale() -> Locale:
    """select_locale's choice as Flask-Babel's locale selector gives it: parsed once per tag.

    Flask-Babel parses the selector's string on every request (a look-up of Babel's locale data
    files each time); a Locale it is given is taken as it is.
    """
    return _parsed(select_locale())


def current_locale() -> str:
    return str(get_locale() or "km")
