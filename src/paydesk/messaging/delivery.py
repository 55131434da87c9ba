"""The worker's side of messages: send what is due, retry failures with backoff."""

from __future__ import annotations

import datetime
import logging
import smtplib

from django.db.models import F

from paydesk.core import clock

from .email import send_email
from .models import Message, MessageStatus

logger = logging.getLogger(__name__)

RETRY_DELAYS_SECONDS = [60, 5 * 60, 30 * 60, 2 * 3600, 6 * 3600]
LEASE_SECONDS = 120


def _claim(message_id: int, expected_next_attempt_at) -> bool:
    lease_until = clock.real_now() + datetime.timedelta(seconds=LEASE_SECONDS)
    return (
        Message.objects.filter(pk=message_id, status=MessageStatus.QUEUED, next_attempt_at=expected_next_attempt_at)
        .update(next_attempt_at=lease_until)
        == 1
    )


def message_deliver(message: Message) -> str:
    """Send one claimed message; returns its new status."""
    if not message.body_text:
        from .notifications import message_render

        message_render(message)
    try:
        handed_over = send_email(message=message, sender_name=message.business.name, reply_to=message.business.email)
    except (smtplib.SMTPException, OSError, ValueError) as error:
        attempts = message.attempt_count + 1
        if attempts > len(RETRY_DELAYS_SECONDS):
            status, next_attempt = MessageStatus.FAILED, message.next_attempt_at
        else:
            status = MessageStatus.QUEUED
            next_attempt = clock.real_now() + datetime.timedelta(seconds=RETRY_DELAYS_SECONDS[attempts - 1])
        Message.objects.filter(pk=message.pk).update(
            status=status, attempt_count=F("attempt_count") + 1, last_error=str(error)[:300], next_attempt_at=next_attempt
        )
        logger.info("message %s not sent: %s", message.public_id, error)
        return status
    status = MessageStatus.SENT if handed_over else MessageStatus.STORED
    Message.objects.filter(pk=message.pk).update(
        status=status, attempt_count=F("attempt_count") + 1, sent_at=clock.real_now(), last_error=""
    )
    return status


def messages_deliver_due(*, limit: int = 100) -> int:
    due = list(
        Message.objects.filter(status=MessageStatus.QUEUED, next_attempt_at__lte=clock.real_now())
        .order_by("next_attempt_at")
        .values_list("pk", "next_attempt_at")[:limit]
    )
    delivered = 0
    for message_id, next_attempt_at in due:
        if _claim(message_id, next_attempt_at):
            message_deliver(Message.objects.select_related("business").get(pk=message_id))
            delivered += 1
    return delivered
