"""English and Russian: the switch, the browser's choice, and a catalogue with nothing missing."""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract
from babel.messages.pofile import read_po
from django.utils.translation.template import templatize

import paydesk.dashboard

from ..conftest import make_invoice

DASHBOARD = Path(paydesk.dashboard.__file__).parent
CATALOGUE = DASHBOARD / "locale" / "ru" / "LC_MESSAGES" / "django.po"
KEYWORDS = {**DEFAULT_KEYWORDS, "gettext_lazy": None, "ngettext_lazy": (1, 2)}


def wanted_messages() -> set[tuple[str | tuple, str | None]]:
    """Every (msgid, context) the dashboard's templates and modules ask to translate.

    Templates go through Django's own ``templatize`` (what ``makemessages`` uses), so
    ``{% translate %}`` and ``{% blocktranslate %}`` give the msgids Django will look up.
    """
    sources = [
        io.BytesIO(templatize(path.read_text(), origin=str(path)).encode())
        for path in sorted((DASHBOARD / "templates").rglob("*.html"))
    ] + [io.BytesIO(path.read_bytes()) for path in sorted(DASHBOARD.rglob("*.py"))]
    wanted = set()
    for source in sources:
        for _line, message, _comments, context in extract("python", source, keywords=KEYWORDS):
            wanted.add((message, context))
    return wanted


def test_every_dashboard_message_has_a_russian_translation():
    catalogue = read_po(CATALOGUE.open("rb"), locale="ru")
    missing = []
    for message, context in wanted_messages():
        msgid = message[0] if isinstance(message, tuple) else message
        entry = catalogue.get(msgid, context=context)
        translations = entry.string if entry is not None else ""
        translations = translations if isinstance(translations, tuple) else (translations,)
        if entry is None or entry.fuzzy or not all(translations):
            missing.append(msgid)
    assert missing == []


def test_the_catalogue_keeps_every_placeholder():
    catalogue = read_po(CATALOGUE.open("rb"), locale="ru")

    problems = [(message.id, [str(error) for error in errors]) for message, errors in catalogue.check()]

    assert problems == []


def test_lang_ru_switches_the_dashboard_to_russian_and_remembers_it(staff, open_invoice):
    first = staff.get("/dashboard/?lang=ru").content.decode()
    later = staff.get(f"/dashboard/invoices/{open_invoice.public_id}/").content.decode()

    assert '<html lang="ru">' in first
    assert "Обзор" in first and "Последние платежи" in first
    assert "Записать платёж, полученный вручную" in later
    assert "120,00" in later
    assert staff.get("/dashboard/?lang=en").content.decode().count("Latest payments") == 1


def test_the_browsers_language_is_followed_until_one_is_chosen(owner, business, customer):
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE="ru-RU,ru;q=0.9,en;q=0.5")
    client.force_login(owner)

    html = client.get("/dashboard/invoices/").content.decode()

    assert "Счета" in html
    assert "Новый счёт" in html


def test_the_switch_keeps_the_rest_of_the_query(staff):
    html = staff.get("/dashboard/invoices/?status=open&page=1").content.decode()

    assert 'href="?status=open&amp;page=1&amp;lang=ru"' in html


def test_russian_errors_and_messages(staff, business, customer):
    draft = make_invoice(business, customer, finalize=False)
    staff.get("/dashboard/?lang=ru")

    refused = staff.post(f"/dashboard/invoices/{draft.public_id}/send/", follow=True).content.decode()
    finalized = staff.post(f"/dashboard/invoices/{draft.public_id}/finalize/", follow=True).content.decode()

    assert "Отправить можно только выставленный счёт. Сначала выставьте черновик." in refused
    assert "Счёт INV-0001 выставлен." in finalized


def test_the_login_page_speaks_russian(db, client):
    html = client.get("/dashboard/login/?lang=ru").content.decode()

    assert "Вход в панель управления" in html
    assert '<label for="id_username">Адрес электронной почты</label>' in html
