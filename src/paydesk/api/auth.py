"""Ninja's view of authentication: the middleware already checked the key; this makes the
requirement visible in the OpenAPI document and refuses anything that slipped past it."""

from __future__ import annotations

from ninja.security import HttpBearer


class SecretKeyAuth(HttpBearer):
    openapi_description = "A secret API key: `Authorization: Bearer sk_test_...`"

    def authenticate(self, request, token):
        return getattr(request, "api_key", None)
