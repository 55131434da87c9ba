"""The customer portal's texts: the questions and answers and the payment instructions its
help page shows. Only the owner and admins may change them (they speak for the business)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from paydesk.businesses.enums import StaffRole
from paydesk.businesses.services import (
    MAX_PAYMENT_INSTRUCTIONS_LENGTH,
    MAX_PORTAL_FAQ_LENGTH,
    business_set_portal_texts,
)
from paydesk.core.errors import PaydeskError

from ..access import forbidden, staff_view
from ..pages import dashboard_page

EDITING_ROLES = frozenset({StaffRole.OWNER, StaffRole.ADMIN})


class PlainTextField(forms.CharField):
    """A text box whose line ends count as one character each, as the browser counts them
    for ``maxlength`` (forms send them as two)."""

    def to_python(self, value):
        return super().to_python(value).replace("\r\n", "\n")


class PortalTextsForm(forms.Form):
    portal_faq = PlainTextField(
        label=gettext_lazy("Questions and answers"),
        required=False,
        max_length=MAX_PORTAL_FAQ_LENGTH,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=gettext_lazy(
            "Plain text, shown as you write it: leave an empty line between paragraphs. Links and formatting are not shown."
        ),
    )
    payment_instructions = PlainTextField(
        label=gettext_lazy("How to pay"),
        required=False,
        max_length=MAX_PAYMENT_INSTRUCTIONS_LENGTH,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy("For example where to send a bank transfer, or when you accept cash. Plain text."),
    )


def _page(request, form, *, status: int = 200):
    return dashboard_page(request, "dashboard/portal_texts.html", {"form": form}, section="support", status=status)


@require_http_methods(["GET", "POST"])
@staff_view(changes_only=True)
def portal_texts_page(request):
    if request.staff.role not in EDITING_ROLES:
        return forbidden(request, _("Only the owner and admins can change what the customer portal says."))
    business = request.staff.business
    if request.method == "GET":
        initial = {"portal_faq": business.portal_faq, "payment_instructions": business.payment_instructions}
        return _page(request, PortalTextsForm(initial=initial))
    form = PortalTextsForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    try:
        business_set_portal_texts(
            business=business,
            portal_faq=form.cleaned_data["portal_faq"],
            payment_instructions=form.cleaned_data["payment_instructions"],
        )
    except PaydeskError as error:  # the limits are the form's too; kept for a changed limit
        form.add_error(error.param, error.message)
        return _page(request, form, status=400)
    messages.success(request, _("The customer portal's texts are saved."))
    return redirect("dashboard:portal-texts")
