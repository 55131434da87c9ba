"""Automatic charges of a saved card on the due date, and smart retries (being built)."""

from __future__ import annotations


def automatic_charges_sweep(*, business=None, livemode: bool | None = None) -> int:
    """Charge what is due and retry what failed, on schedule; answers how many were tried."""
    return 0
