"""Paying a live invoice through Stripe's Payment Element (cards, Apple Pay, Google Pay).

The card details go from the payer's browser straight to Stripe; Paydesk only creates the
PaymentIntent and reads its outcome when the payer comes back. This page is the one place
that loads a script from another host (Stripe's, which its terms require to be loaded from
js.stripe.com), so its Content-Security-Policy names exactly Stripe's hosts.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from paydesk.core.errors import PaydeskError
from paydesk.payments.models import Payment
from paydesk.payments.services import payment_complete_action, payment_start_for_element
from paydesk.providers.stripe.models import StripeConnection

from .presentation import invoice_view
from .views import after_payment, invoice_for_token, page_locale, refused, render_customer_page

STRIPE_CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data: https://*.stripe.com",
        "style-src 'self'",
        "script-src 'self' https://js.stripe.com",
        "frame-src https://js.stripe.com https://hooks.stripe.com",
        "connect-src 'self' https://api.stripe.com",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)


def stripe_connection_for(invoice) -> StripeConnection | None:
    """The business's live Stripe account, when the invoice is live (test mode uses the sandbox)."""
    if not invoice.livemode:
        return None
    return StripeConnection.objects.filter(business=invoice.business, livemode=True).first()


@require_http_methods(["POST"])
def stripe_checkout(request, token: str):
    invoice = invoice_for_token(token)
    locale = page_locale(request, customer=invoice.customer, business=invoice.business)
    connection = stripe_connection_for(invoice)
    if connection is None:
        return refused(request, token, PaydeskError("payment_method_unavailable", "Stripe is not connected."), locale)
    try:
        payment, client_secret = payment_start_for_element(invoice=invoice)
    except PaydeskError as error:
        return refused(request, token, error, locale)
    context = {
        **invoice_view(invoice, locale),
        "publishable_key": connection.publishable_key,
        "client_secret": client_secret,
        "return_url": settings.BASE_URL
        + reverse("hosted-invoice-stripe-return", kwargs={"token": token})
        + f"?payment={payment.public_id}",
    }
    response = render_customer_page(request, "portal/stripe_checkout.html", context, locale)
    response["Content-Security-Policy"] = STRIPE_CONTENT_SECURITY_POLICY
    return response


@require_http_methods(["GET"])
def stripe_return(request, token: str):
    """Stripe sends the payer back with ``payment_intent=pi_...``; it must be this payment's."""
    invoice = invoice_for_token(token)
    locale = page_locale(request, customer=invoice.customer, business=invoice.business)
    payment = Payment.objects.filter(invoice=invoice, provider="stripe", public_id=request.GET.get("payment", "")).first()
    if payment is None or payment.provider_reference != request.GET.get("payment_intent", ""):
        return HttpResponseRedirect(reverse("hosted-invoice", kwargs={"token": token}))
    try:
        payment = payment_complete_action(payment=payment, approved=True)
    except PaydeskError as error:  # Stripe unreachable: the webhook will settle it later
        return refused(request, token, error, locale)
    return after_payment(request, token, payment, locale)
