"""One helper every status machine uses: look the move up in its table or refuse it."""

from __future__ import annotations

from enum import StrEnum

from .errors import InvalidTransition


def check_transition(
    kind: str,
    table: dict[StrEnum, frozenset[StrEnum]],
    current: StrEnum | str,
    target: StrEnum,
) -> None:
    """Raise ``InvalidTransition`` unless ``table`` allows ``current -> target``."""
    current_status = type(target)(current)
    if target not in table.get(current_status, frozenset()):
        raise InvalidTransition(kind, current_status.value, target.value)
