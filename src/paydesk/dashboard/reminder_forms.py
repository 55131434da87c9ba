"""The forms of the reminders page and of a customer's reminder settings.

Staff say "3 days after the due date", not "+3": a step is typed as a number of days and
whether they fall before, on or after the due date, and becomes a signed offset here.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from paydesk.core.errors import PaydeskError
from paydesk.messaging.reminder_policy import MAX_STEPS, OFFSET_DAYS_RANGE, StepChange
from paydesk.messaging.reminder_rules import known_zone_names

from .refusals import refusal_text

BEFORE, ON, AFTER = "before", "on", "after"


def step_label(offset_days: int) -> str:
    """"3 days before the due date", "On the due date", "7 days after the due date"."""
    if offset_days == 0:
        return str(_("On the due date"))
    days = abs(offset_days)
    if offset_days < 0:
        return ngettext("%(days)d day before the due date", "%(days)d days before the due date", days) % {"days": days}
    return ngettext("%(days)d day after the due date", "%(days)d days after the due date", days) % {"days": days}


def _hour_choices():
    return [(hour, f"{hour:02d}:00") for hour in range(24)]


def _zone_choices():
    return [(name, name.replace("_", " ")) for name in sorted(known_zone_names())]


class ReminderPolicyForm(forms.Form):
    enabled = forms.BooleanField(label=_("Send payment reminders automatically"), required=False)
    time_zone = forms.ChoiceField(
        label=_("Your time zone"),
        choices=_zone_choices,
        help_text=_("Steps are counted in your calendar days; customers without a time zone of their own get yours."),
    )
    quiet_start_hour = forms.TypedChoiceField(
        label=_("Quiet hours start"), choices=_hour_choices, coerce=int,
        help_text=_("No reminder arrives between these hours in the customer's time zone; it waits for the morning."),
    )
    quiet_end_hour = forms.TypedChoiceField(label=_("Quiet hours end"), choices=_hour_choices, coerce=int)


class ReminderStepForm(forms.Form):
    step_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    days = forms.IntegerField(
        label=_("Days"), min_value=0, max_value=max(-OFFSET_DAYS_RANGE[0], OFFSET_DAYS_RANGE[1]), required=False
    )
    timing = forms.ChoiceField(
        label=_("When"),
        choices=[(BEFORE, _("before the due date")), (ON, _("on the due date")), (AFTER, _("after the due date"))],
    )
    channel = forms.ChoiceField(label=_("Send by"), choices=[("email", _("Email")), ("sms", _("SMS, else email"))])
    enabled = forms.BooleanField(label=_("On"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["days"].widget.attrs["inputmode"] = "numeric"

    def clean(self):
        data = super().clean()
        if data.get("timing") in (BEFORE, AFTER) and not data.get("days"):
            self.add_error("days", _("Enter how many days, from 1."))
        return data

    @property
    def offset_days(self) -> int:
        days, timing = self.cleaned_data.get("days") or 0, self.cleaned_data["timing"]
        return 0 if timing == ON else -days if timing == BEFORE else days

    @staticmethod
    def initial_for(step) -> dict:
        timing = ON if step.offset_days == 0 else BEFORE if step.offset_days < 0 else AFTER
        return {
            "step_id": step.pk,
            "days": abs(step.offset_days) if step.offset_days else None,
            "timing": timing,
            "channel": step.channel,
            "enabled": step.enabled,
        }


class _BaseStepFormSet(forms.BaseFormSet):
    def changes(self) -> list[StepChange]:
        """The steps as left: existing ones always, a new one only when something was typed."""
        return [
            StepChange(
                form.cleaned_data.get("step_id"), form.offset_days, form.cleaned_data["channel"], form.cleaned_data["enabled"]
            )
            for form in self.forms
            if form.cleaned_data.get("step_id") or form.has_changed()
        ]


def step_formset(*, data=None, steps=()):
    """The existing steps, and one empty row to add a step while there is room."""
    extra = 1 if len(steps) < MAX_STEPS else 0
    formset_class = forms.formset_factory(ReminderStepForm, formset=_BaseStepFormSet, extra=extra, max_num=MAX_STEPS)
    return formset_class(data, prefix="steps", initial=[ReminderStepForm.initial_for(step) for step in steps])


def policy_refusal_text(error: PaydeskError) -> str:
    """The policy service's refusals in the page's language."""
    texts = {
        "offset_repeated": _("Two steps cannot fall on the same day."),
        "offset_out_of_range": _("Choose a day from 30 days before to 90 days after the due date."),
        "too_many_steps": _("A policy has at most 10 steps. Switch one off instead of adding another."),
        "time_zone_unknown": _("Choose a time zone from the list."),
        "step_unknown": _("That step is no longer part of your policy. Reload the page."),
    }
    return str(texts.get(error.code, "")) or refusal_text(error)


def place_policy_refusal(error: PaydeskError, *, form: ReminderPolicyForm, steps, general_errors: list[str]) -> None:
    """Put a refusal of ``reminder_policy_update`` next to the field its ``param`` names."""
    text = policy_refusal_text(error)
    param = error.param or ""
    changed_forms = [step_form for step_form in steps.forms if step_form.cleaned_data.get("step_id") or step_form.has_changed()]
    if param.startswith("steps[") and "]" in param:
        index_text, _bracket, rest = param[len("steps[") :].partition("]")
        if index_text.isdigit() and int(index_text) < len(changed_forms):
            field = {"[offset_days]": "days", "[channel]": "channel"}.get(rest)
            changed_forms[int(index_text)].add_error(field, text)
            return
    if param in form.fields:
        form.add_error(param, text)
        return
    general_errors.append(text)


class CustomerReminderSettingsForm(forms.Form):
    time_zone = forms.CharField(
        label=_("Time zone"), required=False, max_length=64,
        help_text=_("Like Europe/Moscow or America/New_York. Leave empty to use your business's time zone."),
    )
    non_essential_opt_out = forms.BooleanField(
        label=_("The customer asked for no reminders (receipts and refunds are still sent)"), required=False
    )

    def clean_time_zone(self) -> str:
        name = self.cleaned_data["time_zone"].strip()
        if name and name not in known_zone_names():
            raise forms.ValidationError(_("That is not a time zone we know. Try a name like Europe/Moscow."))
        return name
