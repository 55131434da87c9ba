"""Support requests from the customer portal: the open ones (newest first) with a button to
close each, and the closed ones below, a page at a time. Closing answers with a redirect to
the list (so a reload never repeats it) and a message saying what happened."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from paydesk.core.errors import NotFound, PaydeskError
from paydesk.support.selectors import closed_support_requests, open_support_requests, support_request_get
from paydesk.support.services import support_request_close

from ..access import staff_view
from ..pages import dashboard_page, page_of


def _support_request_for(request, public_id: str):
    try:
        return support_request_get(**request.staff.scoped(), public_id=public_id)
    except NotFound:
        raise Http404("No such support request") from None


@require_GET
@staff_view()
def support_list_page(request):
    scope = request.staff.scoped()
    closed_page = page_of(request, closed_support_requests(**scope))
    context = {
        "open_requests": list(open_support_requests(**scope)),
        "closed_requests": closed_page.object_list,
        "page": closed_page,
    }
    return dashboard_page(request, "dashboard/support_list.html", context, section="support")


@require_POST
@staff_view()
def support_close_action(request, request_id: str):
    support_request = _support_request_for(request, request_id)
    try:
        support_request_close(support_request=support_request)
    except PaydeskError:
        messages.error(request, _("This request was already closed."))
    else:
        messages.success(request, _("The request from %(customer)s is closed.") % {"customer": support_request.customer})
    return redirect("dashboard:support-list")
