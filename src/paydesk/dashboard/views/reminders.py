"""Payment reminders: the business's policy (steps, quiet hours), a preview of each step's
message in English and Russian, the measured effect of each step, and pausing reminders
for one invoice or one customer."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from paydesk.core.errors import PaydeskError
from paydesk.core.formatting import money_text
from paydesk.messaging.models import ReminderStep
from paydesk.messaging.reminder_effect import EFFECT_WINDOW, reminder_effect
from paydesk.messaging.reminder_pauses import (
    customer_reminder_preferences_set,
    customer_reminders_pause,
    invoice_reminders_pause,
)
from paydesk.messaging.reminder_policy import reminder_policy_for, reminder_policy_update
from paydesk.messaging.reminder_preview import reminder_preview

from ..access import staff_view
from ..forms import place_refusal_on
from ..language import LANGUAGE_NAMES
from ..lookups import customer_for, invoice_for
from ..pages import dashboard_page
from ..reminder_forms import (
    CustomerReminderSettingsForm,
    ReminderPolicyForm,
    place_policy_refusal,
    step_formset,
    step_label,
)

# The email is shown as the customer's mail program would: its own inline styles, nothing
# else, no scripts, framed only by the preview page itself.
EMAIL_PREVIEW_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "frame-ancestors 'self'; base-uri 'none'; form-action 'none'; sandbox"
)


def _effect_rows(request) -> list[dict]:
    locale = translation.get_language() or "en"
    rows = []
    for effect in reminder_effect(**request.staff.scoped()):
        rows.append(
            {
                "label": step_label(effect.step.offset_days),
                "enabled": effect.step.enabled,
                "sent": effect.sent,
                "paid": effect.paid_within_window,
                "paid_percent": effect.paid_percent,
                "recovered": ", ".join(
                    money_text(amount, currency, locale) for currency, amount in sorted(effect.recovered.items())
                ),
            }
        )
    return rows


def _retry_rows(request) -> list[dict]:
    """What smart retries of automatic charges recovered, by the first decline's reason."""
    from paydesk.dashboard.labels import DECLINE_REASON, label
    from paydesk.payments.automatic_charges import retry_effect

    locale = translation.get_language() or "en"
    return [
        {
            "reason": label(DECLINE_REASON, row["decline_code"]),
            "retried": row["retried"],
            "recovered": row["recovered"],
            "amount": ", ".join(money_text(amount, currency, locale) for currency, amount in sorted(row["amounts"].items())),
        }
        for row in retry_effect(**request.staff.scoped())
    ]


def _policy_page(request, *, policy, form, steps, general_errors=(), status: int = 200):
    saved = {step.pk: step for step in policy.steps.all()}
    step_rows = []
    for step_form in steps.forms:
        step = saved.get(step_form.initial.get("step_id"))
        step_rows.append(
            {"form": step_form, "step_id": step.pk if step else None, "label": step_label(step.offset_days) if step else ""}
        )
    context = {
        "policy": policy,
        "form": form,
        "steps": steps,
        "step_rows": step_rows,
        "languages": LANGUAGE_NAMES,
        "effects": _effect_rows(request),
        "retries": _retry_rows(request),
        "effect_window_days": EFFECT_WINDOW.days,
        "general_errors": list(general_errors),
    }
    return dashboard_page(request, "dashboard/reminder_policy.html", context, section="reminders", status=status)


@require_http_methods(["GET", "POST"])
@staff_view()
def reminder_policy_page(request):
    business = request.staff.business
    policy = reminder_policy_for(business=business)
    existing_steps = list(policy.steps.all())
    if request.method == "GET":
        form = ReminderPolicyForm(
            initial={
                "enabled": policy.enabled,
                "time_zone": business.time_zone,
                "quiet_start_hour": policy.quiet_start_hour,
                "quiet_end_hour": policy.quiet_end_hour,
            }
        )
        return _policy_page(request, policy=policy, form=form, steps=step_formset(steps=existing_steps))
    form = ReminderPolicyForm(request.POST)
    steps = step_formset(data=request.POST, steps=existing_steps)
    if not (form.is_valid() & steps.is_valid()):
        return _policy_page(request, policy=policy, form=form, steps=steps, status=400)
    general_errors: list[str] = []
    try:
        reminder_policy_update(
            **request.staff.scoped(),
            enabled=form.cleaned_data["enabled"],
            quiet_start_hour=form.cleaned_data["quiet_start_hour"],
            quiet_end_hour=form.cleaned_data["quiet_end_hour"],
            time_zone=form.cleaned_data["time_zone"],
            steps=steps.changes(),
        )
    except PaydeskError as error:
        place_policy_refusal(error, form=form, steps=steps, general_errors=general_errors)
        return _policy_page(request, policy=policy, form=form, steps=steps, general_errors=general_errors, status=400)
    messages.success(request, _("Reminder settings saved."))
    return redirect("dashboard:reminder-policy")


def _step_for(request, step_id: int) -> ReminderStep:
    step = ReminderStep.objects.filter(pk=step_id, policy__business=request.staff.business).first()
    if step is None:
        raise Http404("No such step")
    return step


def _preview_for(request, step_id: int, language: str):
    if language not in LANGUAGE_NAMES:
        raise Http404("No such language")
    step = _step_for(request, step_id)
    return step, reminder_preview(business=request.staff.business, step=step, locale=language)


@require_GET
@staff_view()
def reminder_preview_page(request, step_id: int, language: str):
    step, preview = _preview_for(request, step_id, language)
    context = {
        "step": step,
        "step_label": step_label(step.offset_days),
        # Not "language": the base template names the page's own language so.
        "preview_language": language,
        "language_name": LANGUAGE_NAMES[language],
        "other_languages": {code: name for code, name in LANGUAGE_NAMES.items() if code != language},
        "preview": preview,
    }
    return dashboard_page(request, "dashboard/reminder_preview.html", context, section="reminders")


@require_GET
@staff_view()
@xframe_options_sameorigin
def reminder_preview_email(request, step_id: int, language: str):
    """The email's HTML alone, for the preview page's frame."""
    _step, preview = _preview_for(request, step_id, language)
    response = HttpResponse(preview.html, content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = EMAIL_PREVIEW_POLICY
    response["Cache-Control"] = "no-store"
    return response


def _paused_from(request) -> bool:
    return request.POST.get("paused") == "true"


@require_POST
@staff_view()
def invoice_reminders_action(request, invoice_id: str):
    paused = _paused_from(request)
    invoice_reminders_pause(invoice=invoice_for(request, invoice_id), paused=paused)
    messages.success(
        request, _("Reminders for this invoice are paused.") if paused else _("Reminders for this invoice are on again.")
    )
    return redirect("dashboard:invoice-detail", invoice_id=invoice_id)


@require_POST
@staff_view()
def customer_reminders_action(request, customer_id: str):
    paused = _paused_from(request)
    customer_reminders_pause(customer=customer_for(request, customer_id), paused=paused)
    messages.success(
        request, _("Reminders for this customer are paused.") if paused else _("Reminders for this customer are on again.")
    )
    return redirect("dashboard:customer-detail", customer_id=customer_id)


@require_POST
@staff_view()
def customer_reminder_settings(request, customer_id: str):
    customer = customer_for(request, customer_id)
    form = CustomerReminderSettingsForm(request.POST)
    if form.is_valid():
        try:
            customer_reminder_preferences_set(
                customer=customer,
                time_zone=form.cleaned_data["time_zone"],
                non_essential_opt_out=form.cleaned_data["non_essential_opt_out"],
            )
        except PaydeskError as error:
            place_refusal_on(form, error, fields={"time_zone": "time_zone"})
        else:
            messages.success(request, _("The customer's reminder settings are saved."))
            return redirect("dashboard:customer-detail", customer_id=customer_id)
    for field_errors in form.errors.values():
        for error_text in field_errors:
            messages.error(request, error_text)
    return redirect("dashboard:customer-detail", customer_id=customer_id)
