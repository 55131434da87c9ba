"""Reads of businesses and keys."""

from __future__ import annotations

from .models import ApiKey
from .services import api_key_digest


def api_key_find(raw_key: str) -> ApiKey | None:
    """The active key matching ``raw_key``, with its business, or None."""
    if not raw_key or len(raw_key) > 200:
        return None
    return (
        ApiKey.objects.select_related("business")
        .filter(digest=api_key_digest(raw_key), revoked_at__isnull=True)
        .first()
    )
