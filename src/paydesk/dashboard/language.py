"""The dashboard's language: an explicit choice (?lang=) kept in the session, else the browser's.

Django's ``set_language`` view is not mounted, and LocaleMiddleware no longer reads the
session, so the choice is stored under a key of our own and activated here, per request.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.utils import translation

SESSION_KEY = "dashboard_language"
LANGUAGE_NAMES = {"en": "English", "ru": "Русский"}


def use_dashboard_language(request) -> str:
    """Activate and return the language this request's pages are written in."""
    chosen = request.GET.get("lang", "")
    if chosen in LANGUAGE_NAMES:
        request.session[SESSION_KEY] = chosen
    language = request.session.get(SESSION_KEY) or translation.get_language_from_request(request)
    if language not in LANGUAGE_NAMES:
        language = "en"
    translation.activate(language)
    request.LANGUAGE_CODE = language
    return language


def language_links(request) -> list[dict]:
    """One link per language, keeping the rest of the query (a status filter, a page)."""
    kept = [(key, values) for key, values in request.GET.lists() if key != "lang"]
    links = []
    for code, name in LANGUAGE_NAMES.items():
        query = [(key, value) for key, values in kept for value in values] + [("lang", code)]
        links.append(
            {
                "code": code,
                "name": name,
                "url": "?" + urlencode(query),
                "current": code == translation.get_language(),
            }
        )
    return links
