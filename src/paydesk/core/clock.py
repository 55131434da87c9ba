"""The one place time is read. Every time-dependent rule asks ``now()``.

Tests and, later, per-business test clocks move time by replacing what this returns,
instead of patching ``datetime`` across the code.
"""

from __future__ import annotations

import datetime as _datetime
from contextlib import contextmanager

_frozen: _datetime.datetime | None = None


def now() -> _datetime.datetime:
    """The current time, timezone-aware, in UTC."""
    return _frozen or _datetime.datetime.now(_datetime.timezone.utc)


def today() -> _datetime.date:
    return now().date()


@contextmanager
def frozen_at(moment: _datetime.datetime):
    """Within the block, ``now()`` answers ``moment`` (for tests)."""
    global _frozen
    previous, _frozen = _frozen, moment
    try:
        yield
    finally:
        _frozen = previous
