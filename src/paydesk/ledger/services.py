"""Posting to the journal: the only write the ledger has."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction

from paydesk.businesses.models import Business
from paydesk.core import clock
from paydesk.core.money import MAX_AMOUNT_MINOR

from .enums import JournalKind, LedgerAccount
from .models import JournalEntry, JournalTransaction


@dataclass(frozen=True)
class Posting:
    """One side of a transaction: positive debits, negative credits."""

    account: LedgerAccount
    amount_minor: int


class UnbalancedTransaction(AssertionError):
    """Debits and credits differ: a programming error, never a user's."""


def ledger_post(
    *,
    business: Business,
    livemode: bool,
    kind: JournalKind,
    description: str,
    currency: str,
    postings: list[Posting],
    invoice=None,
    payment=None,
    refund=None,
) -> JournalTransaction:
    """Write one balanced transaction. Refuses (raises) anything that does not sum to zero.

    Zero postings are dropped (a 0.00 tax line carries no information); a transaction
    with nothing left is refused too, since it would record a movement that did not happen.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("ledger_post must run inside the money movement's transaction")
    postings = [posting for posting in postings if posting.amount_minor != 0]
    if not postings:
        raise UnbalancedTransaction("a journal transaction needs at least one non-zero posting")
    totals_by_side: dict[bool, int] = defaultdict(int)
    for posting in postings:
        if type(posting.amount_minor) is not int or abs(posting.amount_minor) > MAX_AMOUNT_MINOR:
            raise UnbalancedTransaction(f"bad amount {posting.amount_minor!r}")
        totals_by_side[posting.amount_minor > 0] += posting.amount_minor
    if totals_by_side[True] + totals_by_side[False] != 0:
        raise UnbalancedTransaction(
            f"debits {totals_by_side[True]} != credits {-totals_by_side[False]} ({kind})"
        )
    journal_transaction = JournalTransaction.objects.create(
        business=business,
        livemode=livemode,
        kind=kind.value,
        description=description[:200],
        created=clock.now(),
    )
    JournalEntry.objects.bulk_create(
        [
            JournalEntry(
                transaction=journal_transaction,
                business=business,
                account=posting.account.value,
                currency=currency,
                amount_minor=posting.amount_minor,
                invoice=invoice,
                payment=payment,
                refund=refund,
            )
            for posting in postings
        ]
    )
    return journal_transaction
