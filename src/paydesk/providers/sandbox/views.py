"""The sandbox's 3-D Secure challenge page: what a card issuer's page does, simulated."""

from __future__ import annotations

from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from paydesk.core.money import Money, format_money
from paydesk.payments.models import Payment
from paydesk.payments.services import payment_complete_action

from .models import SandboxCharge


@require_http_methods(["GET", "POST"])
def challenge(request, reference: str):
    charge = SandboxCharge.objects.filter(reference=reference).first()
    if charge is None:
        raise Http404("No such challenge")
    payment = Payment.objects.filter(provider="sandbox", provider_reference=reference).first()
    if payment is None:
        raise Http404("No such challenge")
    if request.method == "POST":
        approved = request.POST.get("outcome") == "approve"
        payment = payment_complete_action(payment=payment, approved=approved)
        if payment.return_url:
            # As real providers do, tell the merchant's page which payment came back.
            separator = "&" if "?" in payment.return_url else "?"
            return HttpResponseRedirect(f"{payment.return_url}{separator}payment={payment.public_id}")
        return render(request, "sandbox/challenge_done.html", {"payment": payment})
    context = {
        "charge": charge,
        "amount": format_money(Money(charge.amount, charge.currency), "en"),
        "answered": charge.status != "requires_action",
    }
    response = render(request, "sandbox/challenge.html", context)
    if payment.return_url:
        # The answer is a redirect to the merchant's page, which may be on another host.
        from urllib.parse import urlsplit

        from paydesk.core.middleware import content_security_policy

        parts = urlsplit(payment.return_url)
        response["Content-Security-Policy"] = content_security_policy(form_action=(f"{parts.scheme}://{parts.netloc}",))
    return response
