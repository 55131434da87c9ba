"""The other ways to pay on the hosted page: a saved card in one click, a wallet, a bank
transfer, or cash on delivery. Each answers with a redirect (post, redirect, get), so a
reload never pays twice."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from paydesk.core.errors import PaydeskError
from paydesk.invoicing.services import invoice_choose_pay_on_delivery
from paydesk.payments.bank_transfers import bank_transfer_start
from paydesk.payments.enums import PaymentStatus
from paydesk.payments.saved_methods import saved_method_get
from paydesk.payments.services import payment_create, payment_create_redirect
from paydesk.providers.sandbox.provider import TEST_WALLET_TOKEN

from .plan_presentation import planned_amount
from .views import after_payment, invoice_for_token, page_locale, refused


@require_http_methods(["POST"])
def pay_with_saved_card(request, token: str):
    invoice = invoice_for_token(token)
    locale = page_locale(request, customer=invoice.customer, business=invoice.business)
    try:
        method = saved_method_get(customer=invoice.customer, public_id=request.POST.get("saved_method", ""))
        payment = payment_create(
            invoice=invoice,
            saved_method=method,
            amount=planned_amount(invoice),
            return_url=settings.BASE_URL + reverse("hosted-invoice-return", kwargs={"token": token}),
        )
    except PaydeskError as error:
        return refused(request, token, error, locale)
    return after_payment(request, token, payment, locale)


@require_http_methods(["POST"])
def pay_with_wallet(request, token: str):
    """The sandbox's test wallet, standing in for Apple Pay and Google Pay in test mode: the
    phone's wallet approves and hands over a one-time token, as the real ones do."""
    invoice = invoice_for_token(token)
    locale = page_locale(request, customer=invoice.customer, business=invoice.business)
    if invoice.livemode or not invoice.business.accepts_wallets:
        return refused(request, token, PaydeskError("payment_method_unavailable", "No wallet here."), locale)
    try:
        payment = payment_create(
            invoice=invoice, wallet="test_wallet", wallet_token=TEST_WALLET_TOKEN, amount=planned_amount(invoice)
        )
    except PaydeskError as error:
        return refused(request, token, error, locale)
    return after_payment(request, token, payment, locale)


@require_http_methods(["POST"])
def choose_bank_transfer(request, token: str):
    invoice = invoice_for_token(token)
    locale = page_locale(request, customer=invoice.customer, business=invoice.business)
    try:
        bank_transfer_start(invoice=invoice)
    except PaydeskError as error:
        return refused(request, token, error, locale)
    return HttpResponseRedirect(reverse("hosted-invoice", kwargs={"token": token}) + "#bank-transfer")


@require_http_methods(["POST"])
def choose_pay_on_delivery(request, token: str):
    invoice = invoice_for_token(token)
    locale = page_locale(request, customer=invoice.customer, business=invoice.business)
    try:
        invoice_choose_pay_on_delivery(invoice=invoice)
    except PaydeskError as error:
        return refused(request, token, error, locale)
    return HttpResponseRedirect(reverse("hosted-invoice", kwargs={"token": token}) + "#pay-on-delivery")


@require_http_methods(["POST"])
def pay_with_paypal(request, token: str):
    """Send the payer to PayPal to approve; they come back to ``paypal_return``."""
    invoice = invoice_for_token(token)
    locale = page_locale(request, customer=invoice.customer, business=invoice.business)
    if not paypal_available(invoice):
        return refused(request, token, PaydeskError("payment_method_unavailable", "No PayPal here."), locale)
    try:
        payment = payment_create_redirect(
            invoice=invoice,
            provider_name="paypal",
            return_url=settings.BASE_URL + reverse("hosted-invoice-paypal-return", kwargs={"token": token}),
            cancel_url=settings.BASE_URL + reverse("hosted-invoice-paypal-cancel", kwargs={"token": token}),
        )
    except PaydeskError as error:
        return refused(request, token, error, locale)
    if payment.status == PaymentStatus.REQUIRES_ACTION and payment.next_action_url:
        return HttpResponseRedirect(payment.next_action_url)
    return after_payment(request, token, payment, locale)


def _paypal_landing(request, token: str, *, approved: bool):
    from paydesk.payments.models import Payment
    from paydesk.payments.services import payment_complete_action
    from paydesk.providers.paypal.convert import split_reference

    invoice = invoice_for_token(token)
    locale = page_locale(request, customer=invoice.customer, business=invoice.business)
    payment = Payment.objects.filter(
        invoice=invoice, provider="paypal", public_id=request.GET.get("payment", "")
    ).first()
    # PayPal appends its order id as ?token=; it must be this payment's order.
    if payment is None or split_reference(payment.provider_reference)[0] != request.GET.get("token", ""):
        return HttpResponseRedirect(reverse("hosted-invoice", kwargs={"token": token}))
    try:
        payment = payment_complete_action(payment=payment, approved=approved)
    except PaydeskError as error:  # PayPal unreachable: its webhook settles the order later
        return refused(request, token, error, locale)
    return after_payment(request, token, payment, locale)


@require_http_methods(["GET"])
def paypal_return(request, token: str):
    return _paypal_landing(request, token, approved=True)


@require_http_methods(["GET"])
def paypal_cancel(request, token: str):
    return _paypal_landing(request, token, approved=False)


def paypal_available(invoice) -> bool:
    """PayPal is offered when the business takes it, PayPal is configured, the currency is
    one PayPal takes, and the PayPal account's mode matches the invoice's: PayPal's sandbox
    for test invoices, the live API for live ones, never sandbox money for a live invoice."""
    from paydesk.providers.paypal.config import paypal_config, paypal_configured
    from paydesk.providers.paypal.convert import paypal_accepts

    if not (invoice.business.accepts_paypal and paypal_configured() and paypal_accepts(invoice.currency)):
        return False
    return paypal_config().is_sandbox == (not invoice.livemode)
