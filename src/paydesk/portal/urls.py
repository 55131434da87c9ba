from django.urls import path

from . import (
    find,
    help_pages,
    methods,
    payment_links,
    plans,
    portal_access_views,
    portal_pages,
    preferences,
    receipts,
    stripe_checkout,
    views,
    your_data,
)
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
    # The customer portal: in by a magic link or a portal session URL, never a password.
    path("portal/find", find.find_my_bill, name="portal-find"),
    path("portal/enter/<str:token>", portal_access_views.portal_enter, name="portal-enter"),
    path("portal/sign-out", portal_access_views.portal_sign_out, name="portal-sign-out"),
    path("portal/", portal_pages.home, name="portal-home"),
    path("portal/pay", portal_pages.pay_selected, name="portal-pay"),
    path("portal/pay/return", portal_pages.pay_return, name="portal-pay-return"),
    path("portal/history", portal_pages.history, name="portal-history"),
    path("portal/plans", portal_pages.plans, name="portal-plans"),
    path("portal/cards", portal_pages.methods, name="portal-methods"),
    path("portal/details", portal_pages.details, name="portal-details"),
    *preferences.urlpatterns,
    *help_pages.urlpatterns,
    *your_data.urlpatterns,
    path("logos/<str:business_id>", views.business_logo, name="business-logo"),
]
