"""Stripe's list envelope with cursor pagination by id (newest first)."""

from __future__ import annotations

from typing import Callable

from django.db.models import QuerySet

from paydesk.core.errors import NotFound, PaydeskError

DEFAULT_LIMIT = 10
MAX_LIMIT = 100


def list_envelope(
    queryset: QuerySet,
    *,
    to_object: Callable,
    url: str,
    limit: int | None,
    starting_after: str | None,
    kind: str,
) -> dict:
    """One page of ``queryset``, newest first, after the object ``starting_after`` if given.

    Refuses a ``limit`` outside 1..100 and a cursor that is not in ``queryset`` (another
    business's id included: the same 404 as an id that never existed).
    """
    # The cursor is "every row older than this one": that holds only in this order.
    queryset = queryset.order_by("-pk")
    limit = DEFAULT_LIMIT if limit is None else limit
    if not 1 <= limit <= MAX_LIMIT:
        raise PaydeskError("parameter_out_of_range", f"limit must be from 1 to {MAX_LIMIT}.", param="limit")
    if starting_after:
        cursor = queryset.filter(public_id=starting_after).values_list("pk", flat=True).first()
        if cursor is None:
            raise NotFound(kind, starting_after, param="starting_after")
        queryset = queryset.filter(pk__lt=cursor)
    rows = list(queryset[: limit + 1])
    return {
        "object": "list",
        "url": url,
        "has_more": len(rows) > limit,
        "data": [to_object(row) for row in rows[:limit]],
    }
