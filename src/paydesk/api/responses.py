"""JSON responses in the API's shapes, usable before django-ninja is reached."""

from __future__ import annotations

from django.http import JsonResponse

from paydesk.core.errors import PaydeskError


def error_response(error: PaydeskError) -> JsonResponse:
    return JsonResponse(error.as_dict(), status=error.http_status)
