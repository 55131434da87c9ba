from django.urls import path

from .views import customers, invoice_actions, invoices, outbox, overview, payments, reminders, sign_in

app_name = "dashboard"
urlpatterns = [
    path("", overview.overview, name="overview"),
    path("live/payments.json", overview.latest_payments, name="latest-payments"),
    path("login/", sign_in.login, name="login"),
    path("logout/", sign_in.logout, name="logout"),
    path("invoices/", invoices.invoice_list_page, name="invoice-list"),
    path("invoices/new/", invoices.invoice_new, name="invoice-new"),
    path("invoices/<str:invoice_id>/", invoices.invoice_detail, name="invoice-detail"),
    path("invoices/<str:invoice_id>/finalize/", invoice_actions.invoice_finalize_action, name="invoice-finalize"),
    path("invoices/<str:invoice_id>/send/", invoice_actions.invoice_send_action, name="invoice-send"),
    path("invoices/<str:invoice_id>/void/", invoice_actions.invoice_void_action, name="invoice-void"),
    path("invoices/<str:invoice_id>/write-off/", invoice_actions.invoice_write_off_action, name="invoice-write-off"),
    path("invoices/<str:invoice_id>/payments/", invoice_actions.invoice_record_payment, name="invoice-record-payment"),
    path("invoices/<str:invoice_id>/reminders/", reminders.invoice_reminders_action, name="invoice-reminders"),
    path("customers/", customers.customer_list_page, name="customer-list"),
    path("customers/new/", customers.customer_new, name="customer-new"),
    path("customers/<str:customer_id>/", customers.customer_detail, name="customer-detail"),
    path("customers/<str:customer_id>/reminders/", reminders.customer_reminders_action, name="customer-reminders"),
    path(
        "customers/<str:customer_id>/reminder-settings/", reminders.customer_reminder_settings, name="customer-reminder-settings"
    ),
    path("payments/", payments.payment_list_page, name="payment-list"),
    path("payments/<str:payment_id>/", payments.payment_detail, name="payment-detail"),
    path("payments/<str:payment_id>/refunds/", payments.payment_refund, name="payment-refund"),
    path("reminders/", reminders.reminder_policy_page, name="reminder-policy"),
    path("reminders/steps/<int:step_id>/preview/<str:language>/", reminders.reminder_preview_page, name="reminder-preview"),
    path(
        "reminders/steps/<int:step_id>/preview/<str:language>/email.html",
        reminders.reminder_preview_email,
        name="reminder-preview-email",
    ),
    path("outbox/", outbox.message_list_page, name="message-list"),
    path("outbox/<str:message_id>/", outbox.message_detail, name="message-detail"),
]
