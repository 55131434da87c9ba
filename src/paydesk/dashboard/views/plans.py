"""Payment plans: the business's plan policy, the list of plans (requests waiting for review
first), one plan with its schedule and what staff may do to it, and a plan staff set up for
an invoice.

Each action answers with a redirect to the plan (so a reload never repeats it) and a message
saying what happened; a refusal of the plan services is shown as an error message.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from paydesk.core import clock
from paydesk.core.errors import PaydeskError
from paydesk.payments.saved_methods import saved_method_default
from paydesk.terms.enums import PLAN_TRANSITIONS, PlanStatus
from paydesk.terms.selectors import amount_due_now, policy_for
from paydesk.terms.services import (
    plan_approve,
    plan_cancel,
    plan_create,
    plan_decline,
    plan_pause,
    plan_policy_update,
    plan_resume,
)

from ..access import staff_view
from ..lookups import business_plans, invoice_for, plan_for
from ..pages import dashboard_page, page_of
from ..plan_forms import InvoicePlanForm, PlanAnswerForm, PlanPolicyForm, place_plan_refusal, plan_refusal_text
from ..plan_summaries import ENDED_STATUSES, UNDERWAY_STATUSES, plan_progress, underway_order
from .invoices import invoice_page


@require_http_methods(["GET", "POST"])
@staff_view()
def plan_policy_page(request):
    business = request.staff.business
    currency = business.default_currency
    if request.method == "GET":
        form = PlanPolicyForm(initial=PlanPolicyForm.initial_for(policy_for(business), currency), currency=currency)
        return _policy_page(request, form)
    form = PlanPolicyForm(request.POST, currency=currency)
    if not form.is_valid():
        return _policy_page(request, form, status=400)
    plan_policy_update(business=business, values=form.policy_values())
    messages.success(request, _("Payment plan settings saved."))
    return redirect("dashboard:plan-policy")


def _policy_page(request, form, *, status: int = 200):
    return dashboard_page(request, "dashboard/plan_policy.html", {"form": form}, section="plans", status=status)


@require_GET
@staff_view()
def plan_list_page(request):
    plans = business_plans(request)
    grace_days, today = policy_for(request.staff.business).grace_days, clock.today()

    def progress_of(rows):
        return [plan_progress(plan, grace_days=grace_days, today=today) for plan in rows]

    # Requests and running plans are shown whole: they are the business's open work. Ended
    # plans only ever grow in number, so they come a page at a time.
    underway = progress_of(plans.filter(status__in=UNDERWAY_STATUSES))
    ended_page = page_of(request, plans.filter(status__in=ENDED_STATUSES).order_by("-id"))
    context = {
        "requests": progress_of(plans.filter(status=PlanStatus.REQUESTED.value).order_by("created", "id")),
        "underway": sorted(underway, key=underway_order),
        "ended": progress_of(ended_page.object_list),
        "page": ended_page,
    }
    return dashboard_page(request, "dashboard/plan_list.html", context, section="plans")


def _offered_actions(status: str) -> dict[str, bool]:
    """Which buttons the plan's status allows, by the moves in ``PLAN_TRANSITIONS``.

    Approving and resuming both lead to "active", from a request and from a pause; a plan
    past due becomes active only when the customer catches up, never by a button.
    """
    current = PlanStatus(status)
    allowed = PLAN_TRANSITIONS[current]
    return {
        "approve": current == PlanStatus.REQUESTED and PlanStatus.ACTIVE in allowed,
        "decline": PlanStatus.DECLINED in allowed,
        "pause": PlanStatus.PAUSED in allowed,
        "resume": current == PlanStatus.PAUSED and PlanStatus.ACTIVE in allowed,
        "cancel": PlanStatus.CANCELED in allowed,
    }


def plan_page(request, plan, *, approve_form=None, decline_form=None, status: int = 200):
    """The plan detail page; also re-shown with an answer form's errors."""
    today = clock.today()
    progress = plan_progress(plan, grace_days=policy_for(plan.business).grace_days, today=today)
    underway = plan.status in UNDERWAY_STATUSES
    context = {
        "plan": plan,
        "progress": progress,
        "due_now": amount_due_now(plan, today=today) if underway else 0,
        "actions": _offered_actions(plan.status),
        "approve_form": approve_form or PlanAnswerForm(prefix="approve", required=False),
        "decline_form": decline_form or PlanAnswerForm(prefix="decline", required=True),
    }
    return dashboard_page(request, "dashboard/plan_detail.html", context, section="plans", status=status)


@require_GET
@staff_view()
def plan_detail(request, plan_id: str):
    return plan_page(request, plan_for(request, plan_id))


def _attempt(request, plan, action, success_text: str, **arguments):
    """Run ``action`` on the plan; say ``success_text`` or the refusal, then show the plan."""
    try:
        action(plan=plan, **arguments)
    except PaydeskError as error:
        messages.error(request, plan_refusal_text(error))
    else:
        messages.success(request, success_text)
    return redirect("dashboard:plan-detail", plan_id=plan.public_id)


@require_POST
@staff_view()
def plan_approve_action(request, plan_id: str):
    plan = plan_for(request, plan_id)
    form = PlanAnswerForm(request.POST, prefix="approve", required=False)
    if not form.is_valid():
        return plan_page(request, plan, approve_form=form, status=400)
    success = _("The plan is approved and running.")
    return _attempt(request, plan, plan_approve, success, message=form.cleaned_data["message"])


@require_POST
@staff_view()
def plan_decline_action(request, plan_id: str):
    plan = plan_for(request, plan_id)
    form = PlanAnswerForm(request.POST, prefix="decline", required=True)
    if not form.is_valid():
        return plan_page(request, plan, decline_form=form, status=400)
    success = _("The request is declined; the invoice stays as it was.")
    return _attempt(request, plan, plan_decline, success, message=form.cleaned_data["message"])


@require_POST
@staff_view()
def plan_pause_action(request, plan_id: str):
    success = _("The plan is paused: no automatic charges and no reminders until you resume it.")
    return _attempt(request, plan_for(request, plan_id), plan_pause, success)


@require_POST
@staff_view()
def plan_resume_action(request, plan_id: str):
    return _attempt(request, plan_for(request, plan_id), plan_resume, _("The plan is running again."))


@require_POST
@staff_view()
def plan_cancel_action(request, plan_id: str):
    success = _("The plan is canceled. What remains is owed on the invoice as usual.")
    return _attempt(request, plan_for(request, plan_id), plan_cancel, success)


@require_POST
@staff_view()
def invoice_plan_create(request, invoice_id: str):
    invoice = invoice_for(request, invoice_id)
    saved_card = saved_method_default(customer=invoice.customer)
    form = InvoicePlanForm(request.POST, currency=invoice.currency, saved_card=saved_card)
    if form.is_valid():
        data = form.cleaned_data
        # The form offers automatic charges only when the customer has a saved card to charge.
        auto_charge = bool(data.get("auto_charge"))
        try:
            plan = plan_create(
                invoice=invoice,
                parts=data["parts"],
                interval=data["interval"],
                start_date=data["start_date"],
                deposit_amount=data["deposit"],
                auto_charge=auto_charge,
                saved_method=saved_card if auto_charge else None,
                requested_by="staff",
            )
        except PaydeskError as error:
            if not place_plan_refusal(form, error):
                # About the invoice, not the form (a plan already, no longer open): the page
                # may no longer show the form, so the refusal is said at the top instead.
                messages.error(request, plan_refusal_text(error))
                return redirect("dashboard:invoice-detail", invoice_id=invoice.public_id)
        else:
            messages.success(request, _("The payment plan is set up."))
            return redirect("dashboard:plan-detail", plan_id=plan.public_id)
    return invoice_page(request, invoice_for(request, invoice_id), plan_form=form, status=400)
