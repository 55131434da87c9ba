"""Template helpers for the reminder panels that sit on pages other views render."""

from __future__ import annotations

from django import template

from ..reminder_forms import CustomerReminderSettingsForm

register = template.Library()


@register.simple_tag
def customer_reminder_settings_form(customer) -> CustomerReminderSettingsForm:
    """The customer's reminder settings form, filled in: ``{% customer_reminder_settings_form customer as form %}``."""
    return CustomerReminderSettingsForm(
        initial={"time_zone": customer.time_zone, "non_essential_opt_out": customer.non_essential_opt_out}
    )
