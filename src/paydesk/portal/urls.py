from django.urls import path

from . import methods, payment_links, receipts, stripe_checkout, views

urlpatterns = [
    path("i/<str:token>", views.hosted_invoice, name="hosted-invoice"),
    path("i/<str:token>/pay", views.hosted_invoice_pay, name="hosted-invoice-pay"),
    path("i/<str:token>/return", views.hosted_invoice_return, name="hosted-invoice-return"),
    path("i/<str:token>/pay/saved", methods.pay_with_saved_card, name="hosted-invoice-pay-saved"),
    path("i/<str:token>/pay/wallet", methods.pay_with_wallet, name="hosted-invoice-pay-wallet"),
    path("i/<str:token>/pay/paypal", methods.pay_with_paypal, name="hosted-invoice-pay-paypal"),
    path("i/<str:token>/paypal/return", methods.paypal_return, name="hosted-invoice-paypal-return"),
    path("i/<str:token>/paypal/cancel", methods.paypal_cancel, name="hosted-invoice-paypal-cancel"),
    path("i/<str:token>/stripe", stripe_checkout.stripe_checkout, name="hosted-invoice-stripe"),
    path("i/<str:token>/stripe/return", stripe_checkout.stripe_return, name="hosted-invoice-stripe-return"),
    path("i/<str:token>/bank-transfer", methods.choose_bank_transfer, name="hosted-invoice-bank-transfer"),
    path("i/<str:token>/pay-on-delivery", methods.choose_pay_on_delivery, name="hosted-invoice-pay-on-delivery"),
    path("i/<str:token>/invoice.pdf", receipts.invoice_pdf, name="hosted-invoice-pdf"),
    # The .pdf route first: <str:...> would also match "pay_....pdf".
    path("i/<str:token>/receipts/<str:payment_id>.pdf", receipts.receipt_pdf, name="receipt-pdf"),
    path("i/<str:token>/receipts/<str:payment_id>", receipts.receipt, name="receipt"),
    path("l/<str:token>", payment_links.payment_link_page, name="payment-link"),
    path("logos/<str:business_id>", views.business_logo, name="business-logo"),
]
