import pytest
from django.db import DatabaseError, connection, transaction

from paydesk.ledger.checks import ledger_check
from paydesk.ledger.enums import JournalKind, LedgerAccount
from paydesk.ledger.models import JournalEntry, JournalTransaction
from paydesk.ledger.selectors import account_balance
from paydesk.ledger.services import Posting, UnbalancedTransaction, ledger_post
from paydesk.payments.services import payment_create

from ..conftest import card


def test_an_unbalanced_transaction_is_refused_and_nothing_is_written(business):
    with pytest.raises(UnbalancedTransaction), transaction.atomic():
        ledger_post(
            business=business,
            livemode=False,
            kind=JournalKind.PAYMENT_SUCCEEDED,
            description="broken",
            currency="usd",
            postings=[Posting(LedgerAccount.CASH_AT_PROVIDER, 100), Posting(LedgerAccount.ACCOUNTS_RECEIVABLE, -99)],
        )
    assert JournalTransaction.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_posting_outside_a_transaction_is_refused(business):
    # (the test database wraps ordinary tests in a transaction; this one runs without)
    with pytest.raises(RuntimeError):
        ledger_post(
            business=business,
            livemode=False,
            kind=JournalKind.PAYMENT_SUCCEEDED,
            description="no transaction",
            currency="usd",
            postings=[Posting(LedgerAccount.CASH_AT_PROVIDER, 1), Posting(LedgerAccount.REVENUE, -1)],
        )


def test_finalize_and_pay_move_the_receivable_to_cash_minus_fees(open_invoice, business):
    # given an open invoice of 12000: the receivable is booked
    assert account_balance(business=business, account=LedgerAccount.ACCOUNTS_RECEIVABLE, currency="usd") == 12000
    assert account_balance(business=business, account=LedgerAccount.TAX_PAYABLE, currency="usd") == -2000
    # when it is paid
    payment_create(invoice=open_invoice, card=card())
    # then the receivable is gone, cash is at the provider less its 2.9% fee
    assert account_balance(business=business, account=LedgerAccount.ACCOUNTS_RECEIVABLE, currency="usd") == 0
    assert account_balance(business=business, account=LedgerAccount.CASH_AT_PROVIDER, currency="usd") == 12000 - 348
    assert account_balance(business=business, account=LedgerAccount.PROVIDER_FEES, currency="usd") == 348
    assert ledger_check()["balanced"]


def test_journal_rows_cannot_be_changed_through_the_models(open_invoice):
    entry = JournalEntry.objects.first()
    entry.amount_minor = 1
    with pytest.raises(RuntimeError):
        entry.save()
    with pytest.raises(RuntimeError):
        entry.delete()


def test_journal_rows_cannot_be_changed_even_with_raw_sql(open_invoice):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE ledger_journalentry SET amount_minor = amount_minor + 1")
    assert ledger_check()["balanced"]


def test_ledger_check_finds_an_invoice_whose_paid_amount_was_tampered_with(open_invoice):
    # given a consistent book
    assert ledger_check()["balanced"]
    # when someone overwrites the cached paid amount by hand
    type(open_invoice).objects.filter(pk=open_invoice.pk).update(amount_paid=500)
    # then the check names the invoice
    report = ledger_check()
    assert not report["balanced"]
    assert any(open_invoice.public_id in problem for problem in report["problems"])
