from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "paydesk.ledger"
    label = "ledger"
