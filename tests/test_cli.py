import json

from paydesk.businesses.models import ApiKey, Business
from paydesk.businesses.services import api_key_digest
from paydesk.cli import main
from paydesk.invoicing.models import Invoice


def test_business_create_prints_ids_and_keys_and_stores_only_digests(db, capsys):
    exit_code = main(["business", "create", "--name", "Yoga Loft", "--email", "hi@yoga.test", "--password", "s3cret-pass", "--json"])
    printed = json.loads(capsys.readouterr().out)
    assert exit_code == 0
    assert printed["id"].startswith("biz_")
    assert printed["secret_key"].startswith("sk_test_") and printed["publishable_key"].startswith("pk_test_")
    business = Business.objects.get(public_id=printed["id"])
    digests = set(ApiKey.objects.filter(business=business).values_list("digest", flat=True))
    assert digests == {api_key_digest(printed["secret_key"]), api_key_digest(printed["publishable_key"])}
    assert not ApiKey.objects.filter(digest__contains=printed["secret_key"][8:]).exists()
    assert business.staff.get().user.check_password("s3cret-pass")


def test_business_create_refuses_a_bad_email(db, capsys):
    assert main(["business", "create", "--name", "X", "--email", "not-an-email", "--json"]) == 2
    assert "email" in capsys.readouterr().err


def test_ledger_check_passes_on_consistent_books_and_fails_on_tampered_ones(open_invoice, capsys):
    assert main(["ledger", "check", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["balanced"] is True
    Invoice.objects.filter(pk=open_invoice.pk).update(amount_paid=1)
    assert main(["ledger", "check", "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["balanced"] is False and report["problem_count"] >= 1


def test_stripe_connect_reads_the_secrets_from_standard_input(business, capsys, monkeypatch):
    import io

    from paydesk.providers.stripe.models import StripeConnection

    monkeypatch.setattr("sys.stdin", io.StringIO("sk_test_51Abcdefghijklmnop\nwhsec_abcdefghijklmnop\n"))
    exit_code = main(["stripe", "connect", "--business", business.public_id, "--publishable-key", "pk_test_51Abcdefghijklmnop"])
    assert exit_code == 0, capsys.readouterr().err
    connection = StripeConnection.objects.get(business=business)
    assert connection.livemode is False and connection.secret_key == "sk_test_51Abcdefghijklmnop"
    assert f"/providers/stripe/webhooks/{business.public_id}" in capsys.readouterr().out
    # a live key for test mode is refused
    monkeypatch.setattr("sys.stdin", io.StringIO("sk_live_51Abcdefghijklmnop\nwhsec_abcdefghijklmnop\n"))
    assert main(["stripe", "connect", "--business", business.public_id, "--publishable-key", "pk_test_51Abcdefghijklmnop"]) == 2
