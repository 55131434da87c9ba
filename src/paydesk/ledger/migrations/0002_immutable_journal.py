"""Database triggers that refuse changes to the journal.

PostgreSQL refuses UPDATE and DELETE of single rows (TRUNCATE, which wipes a whole test or
demo database at once, still works). SQLite refuses UPDATE; it has no TRUNCATE, so its
DELETE stays possible for wiping test databases and is refused by the models instead.
The models refuse both; these catch raw SQL and future mistakes. Corrections are new,
reversing transactions.
"""

from django.db import migrations

TABLES = ["ledger_journaltransaction", "ledger_journalentry"]


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "sqlite":
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'journal rows are immutable'); END;"
            )
        elif vendor == "postgresql":
            schema_editor.execute(
                "CREATE OR REPLACE FUNCTION paydesk_refuse_journal_change() RETURNS trigger AS $$ "
                "BEGIN RAISE EXCEPTION 'journal rows are immutable'; END; $$ LANGUAGE plpgsql;"
            )
            schema_editor.execute(
                f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION paydesk_refuse_journal_change();"
            )


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
        elif vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_immutable ON {table}")


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]
    operations = [migrations.RunPython(create_triggers, drop_triggers)]
