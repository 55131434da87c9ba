from enum import StrEnum


class LedgerAccount(StrEnum):
    """The chart of accounts. Debits are positive amounts, credits negative.

    Assets (receivable, cash) grow with debits; income and liabilities grow with credits.
    """

    ACCOUNTS_RECEIVABLE = "accounts_receivable"  # asset: what customers owe
    CASH_AT_PROVIDER = "cash_at_provider"  # asset: money held by the payment provider
    CASH_ON_HAND = "cash_on_hand"  # asset: cash and offline payments staff recorded
    CASH_AT_BANK = "cash_at_bank"  # asset: bank transfers seen arriving
    REVENUE = "revenue"  # income: invoiced amounts net of discount and tax
    TAX_PAYABLE = "tax_payable"  # liability: tax collected for the authorities
    REFUNDS = "refunds"  # contra-income: money given back
    PROVIDER_FEES = "provider_fees"  # expense: what the provider kept
    BAD_DEBT = "bad_debt"  # expense: receivables written off as uncollectible


class JournalKind(StrEnum):
    INVOICE_FINALIZED = "invoice_finalized"
    INVOICE_VOIDED = "invoice_voided"
    INVOICE_WRITTEN_OFF = "invoice_written_off"
    PAYMENT_SUCCEEDED = "payment_succeeded"
    PROVIDER_FEE = "provider_fee"
    REFUND_SUCCEEDED = "refund_succeeded"
