"""The REST API at /api/v1/: one NinjaAPI, one router per domain."""

from __future__ import annotations

from ninja import NinjaAPI

from . import automatic_charges, customers, events, invoices, messages, payment_links, payment_plans, payments
from .auth import SecretKeyAuth
from .errors import install_error_handlers

api = NinjaAPI(
    title="Paydesk API",
    version="1",
    description=(
        "Invoices, payments, refunds, events and webhooks. Amounts are integers in minor "
        "units; every POST accepts an `Idempotency-Key` header. Errors are "
        '`{"error": {"type", "code", "message", "param"}}`.'
    ),
    auth=SecretKeyAuth(),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
install_error_handlers(api)
for module in (customers, invoices, payments, automatic_charges, payment_plans, payment_links, messages, events):
    api.add_router("/", module.router)
