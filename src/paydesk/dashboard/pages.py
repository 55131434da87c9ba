"""Rendering a dashboard page: the shared context every template needs, and no caching."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.shortcuts import render

from .language import language_links

PAGE_SIZE = 50


def dashboard_page(request, template: str, context: dict, *, section: str, status: int = 200):
    """Render ``template`` with the nav's current ``section``, the language links and the scope."""
    shared = {
        "section": section,
        "staff": getattr(request, "staff", None),
        "language_links": language_links(request),
        "page_query": _query_without(request, "page", "lang"),
    }
    response = render(request, template, {**shared, **context}, status=status)
    # Pages show money and customers' details: never kept by a shared cache or the back button.
    response["Cache-Control"] = "no-store"
    return response


def page_of(request, rows, *, size: int = PAGE_SIZE):
    """The page of ``rows`` asked for by ``?page=``; a bad or too-large number gives the nearest page."""
    return Paginator(rows, size).get_page(request.GET.get("page"))


def _query_without(request, *names: str) -> str:
    """The current query minus ``names``, ready to have ``page=`` appended ("status=open&")."""
    kept = [(key, value) for key, values in request.GET.lists() if key not in names for value in values]
    return urlencode(kept) + "&" if kept else ""
