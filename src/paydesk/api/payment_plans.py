from __future__ import annotations

from ninja import Router

from paydesk.core.errors import PaydeskError
from paydesk.invoicing.selectors import invoice_get
from paydesk.payments.saved_methods import saved_method_default, saved_method_get
from paydesk.terms.enums import PlanStatus
from paydesk.terms.models import PaymentPlan
from paydesk.terms.selectors import plan_get
from paydesk.terms.services import (
    plan_approve,
    plan_cancel,
    plan_create,
    plan_decline,
    plan_pause,
    plan_resume,
    plan_set_payment_method,
)

from .objects import payment_plan_object
from .pagination import list_envelope
from .schemas import PaymentPlanAnswer, PaymentPlanCreate, PaymentPlanUpdate

router = Router(tags=["payment plans"])


def _plan(request, plan_id: str) -> PaymentPlan:
    return plan_get(business=request.business, livemode=request.livemode, public_id=plan_id)


@router.post("/payment_plans", summary="Split what remains of an invoice into parts (or move it to a later date)")
def create_payment_plan(request, payload: PaymentPlanCreate):
    invoice = invoice_get(business=request.business, livemode=request.livemode, public_id=payload.invoice, param="invoice")
    method = None
    if payload.payment_method:
        if not payload.auto_charge:
            raise PaydeskError(
                "parameter_invalid_value", "payment_method is only used with auto_charge: true.", param="payment_method"
            )
        method = saved_method_get(customer=invoice.customer, public_id=payload.payment_method, param="payment_method")
    plan = plan_create(
        invoice=invoice,
        parts=payload.installments,
        interval=payload.interval,
        start_date=payload.start_date,
        deposit_amount=payload.deposit_amount,
        auto_charge=payload.auto_charge,
        saved_method=method,
    )
    return payment_plan_object(_plan(request, plan.public_id))


@router.get("/payment_plans", summary="List payment plans")
def list_payment_plans(
    request, limit: int | None = None, starting_after: str | None = None, invoice: str | None = None, status: str | None = None
):
    plans = PaymentPlan.objects.filter(business=request.business, livemode=request.livemode).select_related(
        "invoice", "customer", "saved_method", "business"
    ).prefetch_related("parts")
    if status:
        if status not in {choice.value for choice in PlanStatus}:
            raise PaydeskError("parameter_invalid_value", f"Unknown status '{status}'.", param="status")
        plans = plans.filter(status=status)
    if invoice:
        plans = plans.filter(
            invoice=invoice_get(business=request.business, livemode=request.livemode, public_id=invoice, param="invoice")
        )
    return list_envelope(
        plans, to_object=payment_plan_object, url="/api/v1/payment_plans",
        limit=limit, starting_after=starting_after, kind="payment_plan",
    )


@router.get("/payment_plans/{plan_id}", summary="Retrieve a payment plan and its schedule")
def retrieve_payment_plan(request, plan_id: str):
    return payment_plan_object(_plan(request, plan_id))


@router.post("/payment_plans/{plan_id}", summary="Charge the parts to a saved card automatically, or stop doing so")
def update_payment_plan(request, plan_id: str, payload: PaymentPlanUpdate):
    plan = _plan(request, plan_id)
    method = None
    if payload.payment_method and not payload.auto_charge:
        raise PaydeskError(
            "parameter_invalid_value", "payment_method is only used with auto_charge: true.", param="payment_method"
        )
    if payload.auto_charge:
        if payload.payment_method:
            method = saved_method_get(customer=plan.customer, public_id=payload.payment_method, param="payment_method")
        else:
            method = saved_method_default(customer=plan.customer)
        if method is None:
            raise PaydeskError("payment_method_missing", "The customer has no saved card to charge.", param="auto_charge")
    plan_set_payment_method(plan=plan, saved_method=method)
    return payment_plan_object(_plan(request, plan_id))


def _act(request, plan_id: str, action, **arguments):
    action(plan=_plan(request, plan_id), **arguments)
    return payment_plan_object(_plan(request, plan_id))


@router.post("/payment_plans/{plan_id}/cancel", summary="Cancel a plan: what remains is owed as usual")
def cancel_payment_plan(request, plan_id: str):
    return _act(request, plan_id, plan_cancel)


@router.post("/payment_plans/{plan_id}/pause", summary="Pause a plan: no automatic charges or reminders")
def pause_payment_plan(request, plan_id: str):
    return _act(request, plan_id, plan_pause)


@router.post("/payment_plans/{plan_id}/resume", summary="Resume a paused plan")
def resume_payment_plan(request, plan_id: str):
    return _act(request, plan_id, plan_resume)


@router.post("/payment_plans/{plan_id}/approve", summary="Approve a customer's request for a plan")
def approve_payment_plan(request, plan_id: str, payload: PaymentPlanAnswer | None = None):
    return _act(request, plan_id, plan_approve, message=payload.message if payload else "")


@router.post("/payment_plans/{plan_id}/decline", summary="Decline a customer's request for a plan")
def decline_payment_plan(request, plan_id: str, payload: PaymentPlanAnswer | None = None):
    return _act(request, plan_id, plan_decline, message=payload.message if payload else "")
