"""Handing messages to an SMTP server, or keeping them in the outbox when none is set.

``PAYDESK_EMAIL_URL``: ``smtp://user:password@host:port`` with an optional
``?security=starttls`` (the default on port 587), ``?security=ssl`` (default on 465) or
``?security=none``; ``&timeout=10``.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import formataddr
from urllib.parse import parse_qs, unquote, urlparse

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    username: str
    password: str
    use_tls: bool
    use_ssl: bool
    timeout_seconds: int


def smtp_settings(url: str) -> SmtpSettings | None:
    if not url:
        return None
    parsed = urlparse(url)
    if parsed.scheme not in {"smtp", "smtps"}:
        raise ValueError("PAYDESK_EMAIL_URL must start with smtp:// or smtps://")
    options = {key: values[-1] for key, values in parse_qs(parsed.query).items()}
    port = parsed.port or (465 if parsed.scheme == "smtps" else 25)
    default_security = "ssl" if (parsed.scheme == "smtps" or port == 465) else ("starttls" if port == 587 else "none")
    security = options.get("security", default_security)
    if security not in {"ssl", "starttls", "none"}:
        raise ValueError("security must be ssl, starttls or none")
    return SmtpSettings(
        host=parsed.hostname or "localhost",
        port=port,
        username=unquote(parsed.username or ""),
        password=unquote(parsed.password or ""),
        use_tls=security == "starttls",
        use_ssl=security == "ssl",
        timeout_seconds=int(options.get("timeout", "10")),
    )


def send_email(*, message, sender_name: str, reply_to: str) -> bool:
    """Send one message. True when an SMTP server took it; False when there is no server
    configured (the message stays in the outbox). Raises on a delivery failure."""
    smtp = smtp_settings(settings.EMAIL_URL)
    if smtp is None:
        return False
    connection = get_connection(
        "django.core.mail.backends.smtp.EmailBackend",
        host=smtp.host,
        port=smtp.port,
        username=smtp.username or None,
        password=smtp.password or None,
        use_tls=smtp.use_tls,
        use_ssl=smtp.use_ssl,
        timeout=smtp.timeout_seconds,
        fail_silently=False,
    )
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=formataddr((sender_name, settings.EMAIL_FROM_ADDRESS)),
        to=[message.to],
        reply_to=[reply_to] if reply_to else None,
        headers={"Content-Language": message.locale, "X-Paydesk-Message": message.public_id},
        connection=connection,
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    email.send()
    return True
