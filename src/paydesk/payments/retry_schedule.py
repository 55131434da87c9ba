"""When to try a failed automatic charge again, by why it failed. Pure: dates in, dates out.

- ``insufficient_funds``: wait at least 3 days, on the next 1st or 15th of a month (when
  pay usually arrives);
- ``expired_card``, ``incorrect_cvc`` (and other card problems a retry cannot fix): never;
  the customer is asked to update the card instead;
- anything else: 1, 3 and 7 days after the first failure;
- never more than 4 tries in all, and none later than 14 days after the first try.
"""

from __future__ import annotations

import datetime

MAXIMUM_TRIES = 4
WINDOW = datetime.timedelta(days=14)
NO_RETRY_CODES = frozenset({"expired_card", "incorrect_cvc", "invalid_cvc", "incorrect_number", "lost_card", "stolen_card"})
GENERIC_RETRY_DAYS = (1, 3, 7)
FUNDS_WAIT = datetime.timedelta(days=3)


def _next_payday(after: datetime.datetime) -> datetime.datetime:
    """The first 1st or 15th of a month at or after ``after`` (same time of day)."""
    day = after.date()
    while day.day not in (1, 15):
        day += datetime.timedelta(days=1)
    return datetime.datetime.combine(day, after.timetz())


def next_retry_at(
    *, decline_code: str, first_attempt_at: datetime.datetime, failed_at: datetime.datetime, tries_so_far: int
) -> datetime.datetime | None:
    """The time of the next try, or None when there should be none."""
    if decline_code in NO_RETRY_CODES or tries_so_far >= MAXIMUM_TRIES:
        return None
    if decline_code == "insufficient_funds":
        candidate = _next_payday(failed_at + FUNDS_WAIT)
    else:
        retry_index = tries_so_far - 1  # the first retry follows the first try
        if retry_index >= len(GENERIC_RETRY_DAYS):
            return None
        candidate = first_attempt_at + datetime.timedelta(days=GENERIC_RETRY_DAYS[retry_index])
        if candidate <= failed_at:
            candidate = failed_at + datetime.timedelta(hours=1)
    if candidate > first_attempt_at + WINDOW:
        return None
    return candidate


def asks_the_customer(decline_code: str) -> bool:
    """A failure only the customer can fix (a new card), so they are asked to update it."""
    return decline_code in NO_RETRY_CODES
