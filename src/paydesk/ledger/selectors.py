from __future__ import annotations

from django.db.models import Sum

from paydesk.businesses.models import Business

from .enums import LedgerAccount
from .models import JournalEntry


def account_balance(
    *, business: Business, account: LedgerAccount, currency: str, livemode: bool = False, invoice=None
) -> int:
    """Signed balance (debits minus credits) of one account, optionally for one invoice."""
    entries = JournalEntry.objects.filter(
        business=business,
        account=account.value,
        currency=currency,
        transaction__livemode=livemode,
    )
    if invoice is not None:
        entries = entries.filter(invoice=invoice)
    return entries.aggregate(total=Sum("amount_minor"))["total"] or 0
