"""Turning every failure into the error envelope: never a bare 500 page, never Ninja's 422."""

from __future__ import annotations

import logging

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from paydesk.core.errors import API_ERROR, AUTHENTICATION_ERROR, PaydeskError

logger = logging.getLogger(__name__)

_CODE_FOR_PYDANTIC_TYPE = {
    "missing": "parameter_missing",
    "extra_forbidden": "parameter_unknown",
    "int_type": "parameter_invalid_integer",
    "int_parsing": "parameter_invalid_integer",
    "int_from_float": "parameter_invalid_integer",
    "string_type": "parameter_invalid_string",
    "string_too_long": "parameter_invalid_string",
    "string_too_short": "parameter_invalid_empty",
    "string_pattern_mismatch": "parameter_invalid_string",
    "greater_than": "parameter_out_of_range",
    "greater_than_equal": "parameter_out_of_range",
    "less_than": "parameter_out_of_range",
    "less_than_equal": "parameter_out_of_range",
    "too_long": "parameter_invalid_array",
    "too_short": "parameter_invalid_empty",
    "date_from_datetime_parsing": "parameter_invalid_date",
    "date_parsing": "parameter_invalid_date",
    "date_type": "parameter_invalid_date",
    "literal_error": "parameter_invalid_value",
    "enum": "parameter_invalid_value",
    "decimal_parsing": "parameter_invalid_decimal",
    "decimal_type": "parameter_invalid_decimal",
    "decimal_max_places": "parameter_invalid_decimal",
    "decimal_max_digits": "parameter_invalid_decimal",
    "model_type": "parameter_invalid_object",
    "model_attributes_type": "parameter_invalid_object",
    "dict_type": "parameter_invalid_object",
    "list_type": "parameter_invalid_array",
    "value_error": "parameter_invalid_value",
    "bool_type": "parameter_invalid_boolean",
    "missing_card": "parameter_missing",
    "finite_number": "parameter_invalid_decimal",
    "date_from_datetime_inexact": "parameter_invalid_date",
    "string_nul": "parameter_invalid_string",
}


def _param_name(location: tuple) -> str | None:
    """Stripe-style ``lines[0][quantity]`` from Pydantic's ``("body", "payload", "lines", 0, ...)``."""
    parts = [str(part) for part in location if part not in ("body", "payload", "query", "path")]
    if not parts:
        return None
    return parts[0] + "".join(f"[{part}]" for part in parts[1:])


def validation_error_envelope(error: ValidationError) -> PaydeskError:
    first = error.errors[0] if error.errors else {"type": "value_error", "loc": (), "msg": "Invalid request."}
    param = _param_name(tuple(first.get("loc", ())))
    if param is None:
        # The body as a whole is wrong: empty, or JSON that is not an object ([1, 2], "x").
        return PaydeskError("request_body_invalid", "The request body must be a JSON object.")
    if first.get("type") == "missing_card":
        # Raised on the payment method as a whole, but what is missing is its card.
        param, first = f"{param}[card]", {**first, "type": "missing"}
    code = _CODE_FOR_PYDANTIC_TYPE.get(first.get("type", ""), "parameter_invalid")
    message = first.get("msg", "Invalid request.")
    if param:
        message = f"Invalid {param}: {message[0].lower() + message[1:] if message else ''}"
    if first.get("type") == "extra_forbidden":
        message = f"Received unknown parameter: {param}"
    if first.get("type") == "missing":
        message = f"Missing required param: {param}."
    return PaydeskError(code, message, param=param)


def install_error_handlers(api: NinjaAPI) -> None:
    def paydesk_error(request, error: PaydeskError):
        return api.create_response(request, error.as_dict(), status=error.http_status)

    def validation_error(request, error: ValidationError):
        envelope = validation_error_envelope(error)
        return api.create_response(request, envelope.as_dict(), status=envelope.http_status)

    def authentication_error(request, error: AuthenticationError):
        envelope = PaydeskError("api_key_invalid", "Invalid API key provided.", type=AUTHENTICATION_ERROR)
        return api.create_response(request, envelope.as_dict(), status=401)

    def http_error(request, error: HttpError):
        if error.status_code == 400:
            envelope = PaydeskError("request_body_invalid", f"The request body could not be read: {error}")
        else:
            envelope = PaydeskError("http_error", str(error), http_status=error.status_code)
        return api.create_response(request, envelope.as_dict(), status=error.status_code)

    def not_found(request, error: Http404):
        envelope = PaydeskError("resource_missing", "Unrecognized request URL or object.", http_status=404)
        return api.create_response(request, envelope.as_dict(), status=404)

    def unexpected(request, error: Exception):
        logger.exception("unhandled error in %s %s", request.method, request.path)
        envelope = PaydeskError("internal_error", "Something went wrong on our side. Please try again; if it keeps happening, contact support.", type=API_ERROR)
        return api.create_response(request, envelope.as_dict(), status=500)

    api.add_exception_handler(PaydeskError, paydesk_error)
    api.add_exception_handler(ValidationError, validation_error)
    api.add_exception_handler(AuthenticationError, authentication_error)
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(Exception, unexpected)
