"""The one place time is read. Every time-dependent rule asks ``now()`` or ``today()``.

Two things move time without patching ``datetime`` across the code:
- ``frozen_at(moment)`` for tests;
- a business's **test clock**: in test mode a business can move its own time forward
  (``POST /api/v1/test_helpers/advance_clock``). While Paydesk works for that business in
  test mode (an API request with a test key, a sweep over its test-mode rows), ``now()``
  answers its time: ``business_time(business, livemode=...)`` sets that up.
"""

from __future__ import annotations

import datetime as _datetime
from contextlib import contextmanager
from contextvars import ContextVar

_frozen: _datetime.datetime | None = None
_offset: ContextVar[_datetime.timedelta] = ContextVar("paydesk_clock_offset", default=_datetime.timedelta(0))


def real_now() -> _datetime.datetime:
    """The time on the wall (or the frozen test time), whatever business is being served."""
    return _frozen or _datetime.datetime.now(_datetime.timezone.utc)


def now() -> _datetime.datetime:
    """The current time, timezone-aware, in UTC, as the business being served sees it."""
    return real_now() + _offset.get()


def today() -> _datetime.date:
    return now().date()


def offset_of(business, *, livemode: bool) -> _datetime.timedelta:
    """How far a business's test clock is ahead. Live mode never moves: real money, real time."""
    if livemode or business is None:
        return _datetime.timedelta(0)
    return _datetime.timedelta(seconds=business.test_clock_offset_seconds)


@contextmanager
def business_time(business, *, livemode: bool):
    """Within the block, ``now()`` is the business's time in that mode."""
    token = _offset.set(offset_of(business, livemode=livemode))
    try:
        yield
    finally:
        _offset.reset(token)


@contextmanager
def frozen_at(moment: _datetime.datetime):
    """Within the block, the wall clock stands at ``moment`` (for tests)."""
    global _frozen
    previous, _frozen = _frozen, moment
    try:
        yield
    finally:
        _frozen = previous
