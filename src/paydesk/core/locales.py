"""Which language to speak to a customer: theirs, then the browser's, then the business's."""

from __future__ import annotations

from django.utils.translation import get_supported_language_variant

SUPPORTED_LOCALES = ("en", "ru")


def _supported(code: str | None) -> str | None:
    if not code:
        return None
    try:
        return get_supported_language_variant(code.strip().lower().replace("_", "-"))
    except LookupError:
        return None


def parse_accept_language(header: str) -> list[str]:
    """Language codes from an Accept-Language header, most preferred first."""
    weighted = []
    for position, part in enumerate(header.split(",")):
        code, _, parameters = part.strip().partition(";")
        if not code or code == "*":
            continue
        quality = 1.0
        if parameters.strip().startswith("q="):
            try:
                quality = float(parameters.strip()[2:])
            except ValueError:
                quality = 0.0
        weighted.append((-quality, position, code))
    return [code for _, _, code in sorted(weighted)]


def locale_for(*, customer=None, business=None, accept_language: str = "") -> str:
    """The customer's preferred_locales win, then Accept-Language, then the business default."""
    candidates: list[str] = []
    if customer is not None:
        candidates += list(customer.preferred_locales or [])
    candidates += parse_accept_language(accept_language or "")
    if business is not None:
        candidates.append(business.default_locale)
    for candidate in candidates:
        supported = _supported(candidate)
        if supported:
            return supported
    return "en"
