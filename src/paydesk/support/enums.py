from enum import StrEnum


class SupportRequestStatus(StrEnum):
    OPEN = "open"  # staff have not dealt with it yet: reminders about its invoice rest
    CLOSED = "closed"


SUPPORT_REQUEST_TRANSITIONS: dict[SupportRequestStatus, frozenset[SupportRequestStatus]] = {
    SupportRequestStatus.OPEN: frozenset({SupportRequestStatus.CLOSED}),
    SupportRequestStatus.CLOSED: frozenset(),
}
