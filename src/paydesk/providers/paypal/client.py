"""A small client of PayPal's REST API (OAuth2, Orders v2, Payments v2, webhook verification).

Standard library only (``urllib.request``): no SDK. It speaks JSON, caches the OAuth2
access token until shortly before it expires, sends ``PayPal-Request-Id`` so a retried POST
is answered with the first answer instead of acting twice, and turns every failure into one
of the exceptions below. It knows nothing of Paydesk's results: ``convert.py`` does that.

Refusals:

- ``PayPalAuthenticationFailed``: PayPal refused the credentials (401/403). Staff must fix
  ``PAYDESK_PAYPAL_CLIENT_ID``/``PAYDESK_PAYPAL_CLIENT_SECRET``; retrying will not help.
- ``PayPalUnavailable``: PayPal could not be reached, timed out, answered 429 or 5xx, or
  answered something unreadable. Whether the action happened is unknown; retrying with the
  same ``PayPal-Request-Id`` is safe.
- ``PayPalDeclined``: PayPal understood and refused for a business reason (422); ``issue``
  says which (``INSTRUMENT_DECLINED``, ``ORDER_NOT_APPROVED``, ``REFUND_AMOUNT_EXCEEDED``...).
- ``PayPalRequestRefused``: any other 4xx (a malformed request, an unknown id): a defect here.
"""

from __future__ import annotations

import base64
import http.client
import json
import logging
import re
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from paydesk.core.errors import API_ERROR, CARD_ERROR, PaydeskError

from .config import PayPalConfig

logger = logging.getLogger("paydesk.providers.paypal")

TOKEN_PATH = "/v1/oauth2/token"
ORDERS_PATH = "/v2/checkout/orders"
CAPTURES_PATH = "/v2/payments/captures"
VERIFY_WEBHOOK_PATH = "/v1/notifications/verify-webhook-signature"

DEFAULT_TIMEOUT_SECONDS = 20.0
# A token is renewed this long before PayPal says it expires, so a request never starts
# with a token that dies on the way.
TOKEN_RENEWAL_MARGIN_SECONDS = 60.0
# PayPal's ids for orders, captures and refunds: upper-case letters and digits (the
# documented pattern ^[A-Z0-9]+$). Checked before an id goes into a URL path.
_PAYPAL_ID = re.compile(r"^[A-Z0-9]{1,36}$")


class PayPalError(PaydeskError):
    """Something went wrong talking to PayPal. ``debug_id`` is PayPal's id for support."""

    def __init__(self, code: str, message: str, *, type: str = API_ERROR, http_status: int, debug_id: str = "") -> None:
        super().__init__(code, message, type=type, http_status=http_status)
        # Kept as attributes, not as ``extra``: they are for our logs, not for API clients.
        self.debug_id = debug_id


class PayPalAuthenticationFailed(PayPalError):
    def __init__(self, message: str, *, debug_id: str = "") -> None:
        super().__init__("provider_authentication_failed", message, http_status=502, debug_id=debug_id)


class PayPalUnavailable(PayPalError):
    def __init__(self, message: str, *, status: int | None = None, debug_id: str = "") -> None:
        super().__init__("provider_unavailable", message, http_status=503, debug_id=debug_id)
        self.status = status


class PayPalDeclined(PayPalError):
    def __init__(self, issue: str, description: str = "", *, debug_id: str = "") -> None:
        super().__init__(
            "provider_declined",
            description or f"PayPal refused the request ({issue}).",
            type=CARD_ERROR,
            http_status=402,
            debug_id=debug_id,
        )
        self.issue = issue
        self.description = description


class PayPalRequestRefused(PayPalError):
    def __init__(self, status: int, name: str, issue: str, message: str, *, debug_id: str = "") -> None:
        super().__init__("provider_request_refused", message, http_status=502, debug_id=debug_id)
        self.status = status
        self.name = name
        self.issue = issue


def checked_paypal_id(value: str, what: str) -> str:
    """``value`` if it looks like a PayPal id; refuses anything that could bend a URL path."""
    if not isinstance(value, str) or not _PAYPAL_ID.match(value):
        raise PaydeskError("provider_reference_invalid", f"{value!r} is not a PayPal {what} id.")
    return value


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """PayPal's API does not redirect; following one could carry a bearer token elsewhere."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: D102 - urllib hook
        return None


class PayPalClient:
    """One PayPal REST app (client id and secret) at one API base. Safe to share between threads."""

    def __init__(
        self,
        config: PayPalConfig,
        *,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self.timeout_seconds = timeout_seconds
        self._monotonic = monotonic
        self._token_lock = threading.Lock()
        self._token = ""
        self._token_renew_at = 0.0
        self._opener = urllib.request.build_opener(_NoRedirects())

    # -- the calls Paydesk makes ------------------------------------------------------------

    def order_create(self, body: dict[str, Any], *, request_id: str) -> dict[str, Any]:
        """POST /v2/checkout/orders. PayPal answers 201 with the order id and its links."""
        return self.request("POST", ORDERS_PATH, body=body, request_id=request_id)

    def order_get(self, order_id: str) -> dict[str, Any]:
        """GET /v2/checkout/orders/{id}: the order as it is now."""
        return self.request("GET", f"{ORDERS_PATH}/{checked_paypal_id(order_id, 'order')}")

    def order_capture(self, order_id: str, *, request_id: str) -> dict[str, Any]:
        """POST /v2/checkout/orders/{id}/capture: take the money the payer approved.

        Asks for the full representation: the minimal answer leaves out the capture itself.
        """
        path = f"{ORDERS_PATH}/{checked_paypal_id(order_id, 'order')}/capture"
        return self.request("POST", path, body={}, request_id=request_id, prefer="return=representation")

    def capture_refund(self, capture_id: str, body: dict[str, Any], *, request_id: str) -> dict[str, Any]:
        """POST /v2/payments/captures/{id}/refund: give back some or all of a capture."""
        path = f"{CAPTURES_PATH}/{checked_paypal_id(capture_id, 'capture')}/refund"
        return self.request("POST", path, body=body, request_id=request_id)

    def webhook_signature_verify(self, body: bytes) -> dict[str, Any]:
        """POST /v1/notifications/verify-webhook-signature with a body built by the caller.

        Takes bytes, not a dict: the event inside must be the exact text PayPal sent, since
        PayPal checks its signature over that text (re-serializing it changes ``1.0`` to ``1``
        or the key order, and verification then fails).
        """
        return self.request("POST", VERIFY_WEBHOOK_PATH, raw_body=body)

    # -- the machinery ----------------------------------------------------------------------

    def access_token(self) -> str:
        """A valid OAuth2 access token, fetched once and reused until shortly before expiry."""
        with self._token_lock:
            if self._token and self._monotonic() < self._token_renew_at:
                return self._token
            requested_at = self._monotonic()
            credentials = f"{self.config.client_id}:{self.config.client_secret}".encode()
            status, answer, debug_id = self._send(
                "POST",
                TOKEN_PATH,
                b"grant_type=client_credentials",
                {
                    "Authorization": "Basic " + base64.b64encode(credentials).decode("ascii"),
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Accept": "application/json",
                },
            )
            if status in (401, 403):
                raise PayPalAuthenticationFailed(
                    "PayPal refused Paydesk's credentials; check PAYDESK_PAYPAL_CLIENT_ID and "
                    "PAYDESK_PAYPAL_CLIENT_SECRET (and that they belong to PAYDESK_PAYPAL_API_BASE).",
                    debug_id=debug_id,
                )
            body = self._checked(status, answer, debug_id)
            token = body.get("access_token")
            expires_in = body.get("expires_in")
            if not isinstance(token, str) or not token or type(expires_in) is not int or expires_in <= 0:
                raise PayPalUnavailable("PayPal's token answer had no usable access token.", status=status)
            self._token = token
            self._token_renew_at = requested_at + expires_in - TOKEN_RENEWAL_MARGIN_SECONDS
            return token

    def _forget_token(self, token: str) -> None:
        with self._token_lock:
            if self._token == token:
                self._token = ""
                self._token_renew_at = 0.0

    def request(
        self,
        method: str,
        path: str,
        *,
        body: dict[str, Any] | None = None,
        raw_body: bytes | None = None,
        request_id: str | None = None,
        prefer: str | None = None,
    ) -> dict[str, Any]:
        """Call the API with a bearer token; the decoded JSON answer, or one of our exceptions.

        A 401 with a cached token means PayPal revoked it early: the token is fetched again
        and the call repeated once (safe: the same ``PayPal-Request-Id`` goes with it).
        """
        data = raw_body if raw_body is not None else (None if body is None else json.dumps(body).encode())
        for attempt in (1, 2):
            token = self.access_token()
            headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
            if data is not None:
                headers["Content-Type"] = "application/json"
            if request_id:
                headers["PayPal-Request-Id"] = request_id
            if prefer:
                headers["Prefer"] = prefer
            status, answer, debug_id = self._send(method, path, data, headers)
            if status == 401 and attempt == 1:
                self._forget_token(token)
                continue
            if status in (401, 403):
                raise PayPalAuthenticationFailed(
                    "PayPal refused Paydesk's access (HTTP %d); check the REST app's credentials "
                    "and permissions." % status,
                    debug_id=debug_id,
                )
            return self._checked(status, answer, debug_id)
        raise AssertionError("unreachable: the second attempt always returns or raises")

    def _send(self, method: str, path: str, data: bytes | None, headers: dict[str, str]) -> tuple[int, bytes, str]:
        """One HTTP exchange: (status, body, PayPal-Debug-Id). Network trouble is PayPalUnavailable."""
        request = urllib.request.Request(self.config.api_base + path, data=data, headers=headers, method=method)
        try:
            try:
                with self._opener.open(request, timeout=self.timeout_seconds) as response:
                    return response.status, response.read(), response.headers.get("PayPal-Debug-Id", "")
            except urllib.error.HTTPError as error:
                with error:
                    return error.code, error.read(), error.headers.get("PayPal-Debug-Id", "")
        except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
            # URLError covers refused connections and connect timeouts; a timeout while
            # reading the answer arrives as a bare TimeoutError (an OSError).
            logger.warning("PayPal %s %s unreachable: %s", method, path, type(error).__name__)
            raise PayPalUnavailable("PayPal could not be reached. Try again in a minute.") from error

    def _checked(self, status: int, answer: bytes, debug_id: str) -> dict[str, Any]:
        """The decoded body of a 2xx answer; otherwise the matching exception."""
        try:
            body = json.loads(answer) if answer.strip() else {}
        except ValueError:
            body = None
        if 200 <= status < 300:
            if not isinstance(body, dict):
                raise PayPalUnavailable("PayPal's answer could not be read.", status=status, debug_id=debug_id)
            return body
        details = body if isinstance(body, dict) else {}
        debug_id = debug_id or str(details.get("debug_id", ""))
        issue, description = _first_issue(details)
        logger.warning("PayPal answered HTTP %d (%s %s), debug id %s", status, details.get("name", ""), issue, debug_id)
        if status == 429 or status >= 500:
            raise PayPalUnavailable(
                "PayPal is not answering properly just now. Try again in a minute.", status=status, debug_id=debug_id
            )
        if status == 422 and issue:
            raise PayPalDeclined(issue, description, debug_id=debug_id)
        raise PayPalRequestRefused(
            status,
            str(details.get("name", "")),
            issue,
            str(details.get("message") or details.get("error_description") or f"PayPal refused the request (HTTP {status})."),
            debug_id=debug_id,
        )


def _first_issue(error_body: dict[str, Any]) -> tuple[str, str]:
    """PayPal's error answers name the problem in ``details[0].issue``."""
    details = error_body.get("details")
    if isinstance(details, list) and details and isinstance(details[0], dict):
        return str(details[0].get("issue", "")), str(details[0].get("description", ""))
    return "", ""


@lru_cache(maxsize=4)
def shared_client(config: PayPalConfig) -> PayPalClient:
    """One client per configuration, so the access token is reused across requests."""
    return PayPalClient(config)
