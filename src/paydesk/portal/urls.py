from django.urls import path

from . import methods, payment_links, plans, receipts, stripe_checkout, views
from .views import in_business_time

urlpatterns = [
    path("i/<str:token>", in_business_time(views.hosted_invoice), name="hosted-invoice"),
    path("i/<str:token>/pay", in_business_time(views.hosted_invoice_pay), name="hosted-invoice-pay"),
    path("i/<str:token>/return", in_business_time(views.hosted_invoice_return), name="hosted-invoice-return"),
    path("i/<str:token>/pay/saved", in_business_time(methods.pay_with_saved_card), name="hosted-invoice-pay-saved"),
    path("i/<str:token>/pay/wallet", in_business_time(methods.pay_with_wallet), name="hosted-invoice-pay-wallet"),
    path("i/<str:token>/pay/paypal", in_business_time(methods.pay_with_paypal), name="hosted-invoice-pay-paypal"),
    path("i/<str:token>/paypal/return", in_business_time(methods.paypal_return), name="hosted-invoice-paypal-return"),
    path("i/<str:token>/paypal/cancel", in_business_time(methods.paypal_cancel), name="hosted-invoice-paypal-cancel"),
    path("i/<str:token>/stripe", in_business_time(stripe_checkout.stripe_checkout), name="hosted-invoice-stripe"),
    path("i/<str:token>/stripe/return", in_business_time(stripe_checkout.stripe_return), name="hosted-invoice-stripe-return"),
    path("i/<str:token>/bank-transfer", in_business_time(methods.choose_bank_transfer), name="hosted-invoice-bank-transfer"),
    path("i/<str:token>/pay-on-delivery", in_business_time(methods.choose_pay_on_delivery), name="hosted-invoice-pay-on-delivery"),
    path("i/<str:token>/plan", in_business_time(plans.pay_in_parts), name="hosted-invoice-plan"),
    path("i/<str:token>/later", in_business_time(plans.pay_later), name="hosted-invoice-later"),
    path("i/<str:token>/invoice.pdf", in_business_time(receipts.invoice_pdf), name="hosted-invoice-pdf"),
    # The .pdf route first: <str:...> would also match "pay_....pdf".
    path("i/<str:token>/receipts/<str:payment_id>.pdf", in_business_time(receipts.receipt_pdf), name="receipt-pdf"),
    path("i/<str:token>/receipts/<str:payment_id>", in_business_time(receipts.receipt), name="receipt"),
    path("l/<str:token>", payment_links.payment_link_page, name="payment-link"),
    path("logos/<str:business_id>", views.business_logo, name="business-logo"),
]
