"""PDFs of invoices and receipts, rendered by WeasyPrint from the same templates as the pages."""

from __future__ import annotations

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation


def pdf_response(*, template: str, context: dict, locale: str, filename: str) -> HttpResponse:
    # Imported here: WeasyPrint loads Pango at import, which only the PDF views need.
    from weasyprint import HTML

    with translation.override(locale):
        html = render_to_string(template, {**context, "locale": locale, "for_pdf": True})
    pdf = HTML(string=html).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
