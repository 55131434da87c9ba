"""The email outbox: every message queued for a customer, and what each one said."""

from __future__ import annotations

from paydesk.messaging.notifications import message_bodies
from django.views.decorators.http import require_GET

from ..access import staff_view
from ..lookups import message_for, outbox_messages
from ..pages import dashboard_page, page_of


@require_GET
@staff_view()
def message_list_page(request):
    context = {"page": page_of(request, outbox_messages(request))}
    return dashboard_page(request, "dashboard/message_list.html", context, section="outbox")


@require_GET
@staff_view()
def message_detail(request, message_id: str):
    message = message_for(request, message_id)
    context = {"message": message, "body_text": message_bodies(message)[0]}
    return dashboard_page(request, "dashboard/message_detail.html", context, section="outbox")
