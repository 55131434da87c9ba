"""Automated payment reminders (being built): the sweep that sends what is due."""

from __future__ import annotations


def reminders_sweep(*, business=None, livemode: bool | None = None) -> int:
    """Send every reminder that is due; answers how many were queued."""
    return 0
