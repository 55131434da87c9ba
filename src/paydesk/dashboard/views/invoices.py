"""Invoices: the list with its status filter, one invoice, and the form that makes a draft."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from paydesk.api.objects import invoice_hosted_url
from paydesk.core import clock
from paydesk.core.errors import PaydeskError
from paydesk.customers.selectors import customer_list
from paydesk.invoicing.enums import InvoiceStatus
from paydesk.invoicing.selectors import invoice_list
from paydesk.invoicing.services import invoice_create, invoice_finalize
from paydesk.payments.saved_methods import saved_method_default
from paydesk.payments.selectors import payment_list
from paydesk.terms.selectors import live_plan_for, policy_for

from .. import labels
from ..access import staff_view
from ..forms import InvoiceForm, LineFormSet, OfflinePaymentForm, read_invoice_submission
from ..lookups import invoice_for, outbox_messages
from ..pages import dashboard_page, page_of
from ..plan_forms import InvoicePlanForm
from ..plan_summaries import plan_progress
from ..refusals import refusal_text

OVERDUE = "overdue"


def _status_filters(chosen: str) -> list[dict]:
    codes = ["", *[status.value for status in InvoiceStatus], OVERDUE]
    names = {"": _("All"), OVERDUE: _("Overdue"), **labels.INVOICE_STATUS}
    return [{"code": code, "name": str(names[code]), "current": code == chosen} for code in codes]


@require_GET
@staff_view()
def invoice_list_page(request):
    chosen = request.GET.get("status", "")
    if chosen not in {status.value for status in InvoiceStatus} | {OVERDUE}:
        chosen = ""
    if chosen == OVERDUE:
        invoices = invoice_list(**request.staff.scoped(), status=InvoiceStatus.OPEN).filter(due_date__lt=clock.today())
    else:
        invoices = invoice_list(**request.staff.scoped(), status=chosen or None)
    context = {
        "page": page_of(request, invoices),
        "status_filters": _status_filters(chosen),
        "chosen_status": chosen,
        "today": clock.today(),
    }
    return dashboard_page(request, "dashboard/invoice_list.html", context, section="invoices")


def invoice_page(request, invoice, *, payment_form=None, plan_form=None, status: int = 200):
    """The invoice detail page; also re-shown with a payment form's or a plan form's errors."""
    is_open = invoice.status == InvoiceStatus.OPEN
    context = {
        "invoice": invoice,
        "lines": invoice.lines.all(),
        "payments": payment_list(**request.staff.scoped(), invoice=invoice),
        "messages_sent": outbox_messages(request, invoice=invoice),
        "hosted_url": invoice_hosted_url(invoice),
        "is_overdue": bool(is_open and invoice.due_date and invoice.due_date < clock.today()),
        "can_finalize": invoice.status == InvoiceStatus.DRAFT,
        "can_send": invoice.status in (InvoiceStatus.OPEN, InvoiceStatus.PAID),
        "can_void": invoice.status == InvoiceStatus.DRAFT or (is_open and invoice.amount_paid == 0),
        "can_record_payment": is_open,
        "can_write_off": is_open,
        "payment_form": payment_form or OfflinePaymentForm(currency=invoice.currency),
        **_plan_context(invoice, plan_form=plan_form, can_write=request.staff.can_write),
    }
    return dashboard_page(request, "dashboard/invoice_detail.html", context, section="invoices", status=status)


def _plan_context(invoice, *, plan_form, can_write: bool) -> dict:
    """The invoice's live plan and its progress, or the form to set one up when it can have one."""
    plan = live_plan_for(invoice)
    if plan is not None:
        grace_days = policy_for(invoice.business).grace_days
        return {"plan_progress": plan_progress(plan, grace_days=grace_days, today=clock.today())}
    can_have_plan = invoice.status == InvoiceStatus.OPEN and invoice.amount_remaining > 0
    if not (can_have_plan and can_write):
        return {}
    saved_card = saved_method_default(customer=invoice.customer)
    return {"plan_form": plan_form or InvoicePlanForm(currency=invoice.currency, saved_card=saved_card)}


@require_GET
@staff_view()
def invoice_detail(request, invoice_id: str):
    return invoice_page(request, invoice_for(request, invoice_id))


@require_http_methods(["GET", "POST"])
@staff_view(changes_only=True)
def invoice_new(request):
    customers = customer_list(**request.staff.scoped())
    if request.method == "GET":
        form = InvoiceForm(
            customers=customers,
            initial={"currency": request.staff.business.default_currency, "customer": request.GET.get("customer")},
        )
        return _invoice_form_page(request, form, LineFormSet(prefix="lines"), [])
    submission = read_invoice_submission(request.POST, customers=customers)
    if submission.draft is not None:
        draft = submission.draft
        try:
            invoice = invoice_create(
                **request.staff.scoped(),
                customer=draft.customer,
                currency=draft.currency,
                lines=draft.lines,
                due_date=draft.due_date,
                discount_amount=draft.discount_amount,
                description=draft.description,
            )
        except PaydeskError as error:
            submission.place_refusal(error)
        else:
            return _after_create(request, invoice, finalize="finalize" in request.POST)
    return _invoice_form_page(request, submission.form, submission.lines, submission.general_errors, status=400)


def _after_create(request, invoice, *, finalize: bool):
    if not finalize:
        messages.success(request, _("Draft invoice saved. Check it, then finalize it to give it a number."))
        return redirect("dashboard:invoice-detail", invoice_id=invoice.public_id)
    try:
        invoice = invoice_finalize(invoice=invoice)
    except PaydeskError as error:
        messages.error(request, _("The draft was saved but not finalized: %(reason)s") % {"reason": refusal_text(error)})
    else:
        messages.success(request, _("Invoice %(number)s is finalized.") % {"number": invoice.number})
    return redirect("dashboard:invoice-detail", invoice_id=invoice.public_id)


def _invoice_form_page(request, form, lines, general_errors, *, status: int = 200):
    has_errors = bool(form.errors or lines.non_form_errors() or any(line.errors for line in lines.forms))
    context = {"form": form, "lines": lines, "general_errors": general_errors, "has_errors": has_errors}
    return dashboard_page(request, "dashboard/invoice_form.html", context, section="invoices", status=status)
