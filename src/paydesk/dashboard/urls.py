from django.urls import path

from .views import (
    customers,
    invoice_actions,
    invoices,
    outbox,
    overview,
    payments,
    plans,
    portal_texts,
    reminders,
    sign_in,
    support,
)

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
    path("invoices/<str:invoice_id>/plan/", plans.invoice_plan_create, name="invoice-plan-create"),
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
    # "settings/" before "<plan_id>/", which would otherwise take it for a plan's id.
    path("plans/", plans.plan_list_page, name="plan-list"),
    path("plans/settings/", plans.plan_policy_page, name="plan-policy"),
    path("plans/<str:plan_id>/", plans.plan_detail, name="plan-detail"),
    path("plans/<str:plan_id>/approve/", plans.plan_approve_action, name="plan-approve"),
    path("plans/<str:plan_id>/decline/", plans.plan_decline_action, name="plan-decline"),
    path("plans/<str:plan_id>/pause/", plans.plan_pause_action, name="plan-pause"),
    path("plans/<str:plan_id>/resume/", plans.plan_resume_action, name="plan-resume"),
    path("plans/<str:plan_id>/cancel/", plans.plan_cancel_action, name="plan-cancel"),
    path("reminders/", reminders.reminder_policy_page, name="reminder-policy"),
    path("reminders/steps/<int:step_id>/preview/<str:language>/", reminders.reminder_preview_page, name="reminder-preview"),
    path(
        "reminders/steps/<int:step_id>/preview/<str:language>/email.html",
        reminders.reminder_preview_email,
        name="reminder-preview-email",
    ),
    path("support/", support.support_list_page, name="support-list"),
    path("support/<str:request_id>/close/", support.support_close_action, name="support-close"),
    path("settings/portal/", portal_texts.portal_texts_page, name="portal-texts"),
    path("outbox/", outbox.message_list_page, name="message-list"),
    path("outbox/<str:message_id>/", outbox.message_detail, name="message-detail"),
]
