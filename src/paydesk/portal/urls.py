from django.urls import path

from . import payment_links, receipts, views

urlpatterns = [
    path("i/<str:token>", views.hosted_invoice, name="hosted-invoice"),
    path("i/<str:token>/pay", views.hosted_invoice_pay, name="hosted-invoice-pay"),
    path("i/<str:token>/return", views.hosted_invoice_return, name="hosted-invoice-return"),
    path("i/<str:token>/invoice.pdf", receipts.invoice_pdf, name="hosted-invoice-pdf"),
    # The .pdf route first: <str:...> would also match "pay_....pdf".
    path("i/<str:token>/receipts/<str:payment_id>.pdf", receipts.receipt_pdf, name="receipt-pdf"),
    path("i/<str:token>/receipts/<str:payment_id>", receipts.receipt, name="receipt"),
    path("l/<str:token>", payment_links.payment_link_page, name="payment-link"),
    path("logos/<str:business_id>", views.business_logo, name="business-logo"),
]
