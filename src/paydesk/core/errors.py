"""The one error type every outside word is answered with (rule 10).

A service raises ``PaydeskError`` with a stable ``code``; the API turns it into
``{"error": {"type", "code", "message", "param"}}`` and the matching HTTP status.
"""

from __future__ import annotations

from typing import Any

INVALID_REQUEST = "invalid_request_error"
CARD_ERROR = "card_error"
IDEMPOTENCY_ERROR = "idempotency_error"
AUTHENTICATION_ERROR = "authentication_error"
RATE_LIMIT_ERROR = "rate_limit_error"
API_ERROR = "api_error"

_STATUS_FOR_TYPE = {
    INVALID_REQUEST: 400,
    CARD_ERROR: 402,
    IDEMPOTENCY_ERROR: 400,
    AUTHENTICATION_ERROR: 401,
    RATE_LIMIT_ERROR: 429,
    API_ERROR: 500,
}


class PaydeskError(Exception):
    """A refusal the caller can act on: a type, a stable code, a plain message."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        type: str = INVALID_REQUEST,
        param: str | None = None,
        http_status: int | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(message)
        self.type = type
        self.code = code
        self.message = message
        self.param = param
        self.http_status = http_status or _STATUS_FOR_TYPE[type]
        self.extra = extra

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": self.type,
            "code": self.code,
            "message": self.message,
            "param": self.param,
        }
        body.update(self.extra)
        return {"error": body}


class NotFound(PaydeskError):
    """An id that does not exist, or belongs to another business: the same answer for both."""

    def __init__(self, kind: str, public_id: str, param: str | None = None) -> None:
        super().__init__(
            "resource_missing",
            f"No such {kind}: '{public_id}'",
            param=param,
            http_status=404,
        )


class InvalidTransition(PaydeskError):
    """A status change the transition table forbids."""

    def __init__(self, kind: str, current: str, target: str) -> None:
        super().__init__(
            f"{kind}_unexpected_state",
            f"This {kind} is {current} and cannot become {target}.",
            http_status=400,
            current_status=current,
        )
