"""The daily digest email for staff: yesterday's money in and out, what is overdue, and
the payment plan requests waiting for an answer.

Sent once a day per business and staff member (a unique purpose key per date), after 7:00
UTC in the business's clock, to the owner, admins and accountants.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db import transaction
from django.db.models import Count, Sum
from django.template.loader import render_to_string
from django.utils import translation

from paydesk.businesses.models import Business, StaffMembership
from paydesk.core import clock
from paydesk.core.formatting import date_text, money_text

from .models import Message

SEND_AFTER_HOUR = 7
ROLES = ("owner", "admin", "accountant")


def _totals(rows, locale) -> list[str]:
    return [money_text(total, currency, locale) for currency, total in sorted(rows.items()) if total]


def digest_context(business: Business, day: datetime.date, locale: str) -> dict:
    """What the digest for ``day`` says, as plain JSON (rendered when sent)."""
    from paydesk.invoicing.models import Invoice
    from paydesk.payments.models import Payment, Refund

    start = datetime.datetime.combine(day, datetime.time(0), tzinfo=datetime.timezone.utc)
    end = start + datetime.timedelta(days=1)
    received = defaultdict(int)
    received_count = 0
    for row in (
        Payment.objects.filter(business=business, livemode=False, status="succeeded", succeeded_at__gte=start, succeeded_at__lt=end)
        .values("currency")
        .annotate(total=Sum("amount"), count=Count("id"))
    ):
        received[row["currency"]] += row["total"]
        received_count += row["count"]
    failed_count = Payment.objects.filter(
        business=business, livemode=False, status="failed", failed_at__gte=start, failed_at__lt=end
    ).count()
    refunded = defaultdict(int)
    for row in (
        Refund.objects.filter(business=business, livemode=False, status="succeeded", created__gte=start, created__lt=end)
        .values("currency")
        .annotate(total=Sum("amount"))
    ):
        refunded[row["currency"]] += row["total"]
    overdue = defaultdict(int)
    overdue_count = 0
    for invoice in Invoice.objects.filter(business=business, livemode=False, status="open", due_date__lt=day + datetime.timedelta(days=1)).only(
        "currency", "total", "amount_paid", "status"
    ):
        overdue[invoice.currency] += invoice.amount_remaining
        overdue_count += 1
    from paydesk.terms.models import PaymentPlan

    plan_requests_count = PaymentPlan.objects.filter(business=business, livemode=False, status="requested").count()
    return {
        "plan_requests_count": plan_requests_count,
        "business": {"name": business.name, "email": business.email},
        "day": date_text(day, locale),
        "received": _totals(received, locale),
        "received_count": received_count,
        "failed_count": failed_count,
        "refunded": _totals(refunded, locale),
        "overdue": _totals(overdue, locale),
        "overdue_count": overdue_count,
        "locale": locale,
    }


def staff_digests_sweep() -> int:
    """Queue today's digest for every business's staff who have not had it; answers how many."""
    queued = 0
    for business in Business.objects.all():
        with clock.business_time(business, livemode=False):
            now = clock.now()
            if now.hour < SEND_AFTER_HOUR:
                continue
            day = now.date() - datetime.timedelta(days=1)
            dedupe_prefix = f"staff_digest:{now.date().isoformat()}"
            members = StaffMembership.objects.filter(business=business, role__in=ROLES).select_related("user")
            for member in members:
                email = member.user.email
                if not email:
                    continue
                dedupe_key = f"{dedupe_prefix}:{member.user_id}"
                if Message.objects.filter(business=business, dedupe_key=dedupe_key).exists():
                    continue
                locale = business.default_locale
                context = digest_context(business, day, locale)
                with translation.override(locale):
                    subject = " ".join(render_to_string("messaging/email/staff_digest_subject.txt", context).split())
                with transaction.atomic():
                    Message.objects.create(
                        business=business, livemode=False, to=email, locale=locale, template="staff_digest",
                        subject=subject[:300], context=context, next_attempt_at=clock.real_now(),
                        dedupe_key=dedupe_key, created=now,
                    )
                queued += 1
    return queued
