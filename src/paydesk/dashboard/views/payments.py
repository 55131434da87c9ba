"""Payments: the list, one payment with its refunds, and the refund form."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from paydesk.core.errors import PaydeskError
from paydesk.payments.enums import RefundStatus
from paydesk.payments.refunds import refund_create
from paydesk.payments.selectors import payment_list, refund_list

from ..access import staff_view
from ..forms import RefundForm, place_refusal_on
from ..lookups import payment_for
from ..pages import dashboard_page, page_of
from ..templatetags.dashboard_format import money


@require_GET
@staff_view()
def payment_list_page(request):
    context = {"page": page_of(request, payment_list(**request.staff.scoped()))}
    return dashboard_page(request, "dashboard/payment_list.html", context, section="payments")


def _payment_page(request, payment, *, refund_form=None, status: int = 200):
    context = {
        "payment": payment,
        "refunds": refund_list(**request.staff.scoped(), payment=payment),
        "refund_form": refund_form or RefundForm(currency=payment.currency),
        "can_refund": payment.amount_refundable > 0,
    }
    return dashboard_page(request, "dashboard/payment_detail.html", context, section="payments", status=status)


@require_GET
@staff_view()
def payment_detail(request, payment_id: str):
    return _payment_page(request, payment_for(request, payment_id))


@require_POST
@staff_view()
def payment_refund(request, payment_id: str):
    payment = payment_for(request, payment_id)
    form = RefundForm(request.POST, currency=payment.currency)
    if not form.is_valid():
        return _payment_page(request, payment, refund_form=form, status=400)
    try:
        refund = refund_create(payment=payment, amount=form.cleaned_data["amount"], reason=form.cleaned_data["reason"])
    except PaydeskError as error:
        payment = payment_for(request, payment_id)
        place_refusal_on(
            form, error, fields={"amount": "amount", "reason": "reason"}, limit_text=money(payment.amount_refundable, payment.currency)
        )
        return _payment_page(request, payment, refund_form=form, status=400)
    amount = money(refund.amount, refund.currency)
    if refund.status == RefundStatus.FAILED:
        messages.error(
            request, _("The refund of %(amount)s failed: %(reason)s") % {"amount": amount, "reason": refund.failure_reason}
        )
    else:
        messages.success(request, _("Refunded %(amount)s.") % {"amount": amount})
    return redirect("dashboard:payment-detail", payment_id=payment.public_id)
