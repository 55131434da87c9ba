"""Every knob Paydesk has, each read from one environment variable.

The README lists them all. Defaults give the embedded set-up: SQLite and a file-backed
job queue under ``PAYDESK_DATA_DIR``, a secret key generated once and kept there.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

SOURCE_DIR = Path(__file__).resolve().parent.parent


def _environment(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


DATA_DIR = Path(_environment("PAYDESK_DATA_DIR", "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """The key signing sessions and deriving the field-encryption key.

    Taken from ``PAYDESK_SECRET_KEY``; otherwise generated on first start and kept in the
    data directory, because a key that changed on every restart would log everyone out and
    make encrypted fields unreadable.
    """
    configured = _environment("PAYDESK_SECRET_KEY")
    if configured:
        return configured
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.touch(mode=0o600)
        key_file.write_text(secrets.token_urlsafe(50))
    return key_file.read_text().strip()


def _database(url: str) -> dict:
    """Django's DATABASES entry from ``PAYDESK_DATABASE_URL`` (postgres://) or SQLite."""
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "paydesk.sqlite3",
            "OPTIONS": {
                # IMMEDIATE takes the write lock when a transaction starts, so two writers
                # never both read a balance and then both write: SQLite's stand-in for
                # row locks (select_for_update is a no-op there).
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                ),
            },
            # A file, not memory: tests with several threads need SQLite's real locking.
            "TEST": {"NAME": str(DATA_DIR / "test-paydesk.sqlite3")},
        }
    parsed = urlparse(url)
    if parsed.scheme not in {"postgres", "postgresql"}:
        raise RuntimeError("PAYDESK_DATABASE_URL must start with postgres:// or postgresql://")
    options = {key: values[-1] for key, values in parse_qs(parsed.query).items()}
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parsed.path.lstrip("/")) or "paydesk",
        "USER": unquote(parsed.username or ""),
        "PASSWORD": unquote(parsed.password or ""),
        "HOST": parsed.hostname or "",
        "PORT": str(parsed.port or ""),
        "CONN_MAX_AGE": 60,
        "OPTIONS": options,
    }


SECRET_KEY = _secret_key()
DEBUG = _environment("PAYDESK_DEBUG") == "1"
BASE_URL = _environment("PAYDESK_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
ALLOWED_HOSTS = [
    host.strip()
    for host in _environment("PAYDESK_ALLOWED_HOSTS", "").split(",")
    if host.strip()
] or [urlparse(BASE_URL).hostname or "127.0.0.1", "127.0.0.1", "localhost", "testserver"]
QUEUE_URL = _environment("PAYDESK_QUEUE_URL")
DATABASE_URL = _environment("PAYDESK_DATABASE_URL")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "huey.contrib.djhuey",
    "ninja",
    "paydesk.core",
    "paydesk.businesses",
    "paydesk.customers",
    "paydesk.invoicing",
    "paydesk.payments",
    "paydesk.terms",
    "paydesk.support",
    "paydesk.providers.sandbox",
    "paydesk.providers.stripe",
    "paydesk.ledger",
    "paydesk.events",
    "paydesk.messaging",
    "paydesk.api",
    "paydesk.portal",
    "paydesk.dashboard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "paydesk.core.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "paydesk.api.middleware.ApiRequestMiddleware",
]

ROOT_URLCONF = "paydesk.config.urls"
WSGI_APPLICATION = "paydesk.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": _database(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ru", "Русский")]
LOCALE_PATHS = [SOURCE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Static files are served by the web process itself (whitenoise) straight from the
# packages, so there is no collectstatic step and no other host to configure.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
WHITENOISE_MAX_AGE = 3600

LOGIN_URL = "dashboard:login"
LOGIN_REDIRECT_URL = "dashboard:overview"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if BASE_URL.startswith("https://"):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_TRUSTED_ORIGINS = [BASE_URL]

# The job queue only wakes workers (rule 5): the database holds the truth, so losing the
# queue file loses no work. SQLite file by default; Redis when PAYDESK_QUEUE_URL says so.
HUEY_IMMEDIATE = _environment("PAYDESK_QUEUE_IMMEDIATE") == "1"
if QUEUE_URL.startswith("redis://"):
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "paydesk",
        "url": QUEUE_URL,
        "immediate": HUEY_IMMEDIATE,
    }
elif QUEUE_URL.startswith(("postgres://", "postgresql://")):
    # A queue table in PostgreSQL (huey's SQL storage), for workers on several machines
    # that share no Redis.
    HUEY = {
        "huey_class": "huey.contrib.sql_huey.SqlHuey",
        "name": "paydesk",
        "database": "postgresql://" + QUEUE_URL.split("://", 1)[1],
        "immediate": HUEY_IMMEDIATE,
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "paydesk",
        "filename": str(DATA_DIR / "queue.sqlite3"),
        # The queue only wakes workers; losing a wake-up in a power cut loses nothing (the
        # sweep finds the work), so it need not wait for the disk on every enqueue.
        "fsync": False,
        "immediate": HUEY_IMMEDIATE,
    }

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": _environment("PAYDESK_LOG_LEVEL", "INFO")},
    "loggers": {"huey": {"level": "WARNING"}},
}

# Email: SMTP when PAYDESK_EMAIL_URL is set (smtp://user:pass@host:port?security=starttls),
# otherwise messages stay in the outbox that the dashboard shows.
EMAIL_URL = _environment("PAYDESK_EMAIL_URL")
EMAIL_FROM_ADDRESS = _environment("PAYDESK_EMAIL_FROM", "billing@paydesk.localhost")

# Stripe: each business connects its own account (docs/stripe.md). These only matter for
# testing against a local stand-in for Stripe's API, and for how often the SDK retries.
STRIPE_API_BASE = _environment("PAYDESK_STRIPE_API_BASE")
STRIPE_MAX_NETWORK_RETRIES = int(_environment("PAYDESK_STRIPE_MAX_NETWORK_RETRIES", "2"))

# Webhook deliveries: how long a delivery is retried, and how long one attempt may take.
WEBHOOK_RETRY_WINDOW_SECONDS = 3 * 24 * 3600
WEBHOOK_TIMEOUT_SECONDS = 10
# Webhooks go only to public addresses unless this is set (a receiver on this machine or a
# private network, as in development): an API key must not become a way to probe inside.
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = _environment("PAYDESK_WEBHOOK_ALLOW_PRIVATE_ADDRESSES") == "1"

# How long financial records (invoices, payments, refunds, the ledger) are kept, in years,
# also after a customer asks for their data to be deleted; the customer portal says so.
_financial_records_years = _environment("PAYDESK_FINANCIAL_RECORDS_YEARS", "7")
if not (_financial_records_years.isascii() and _financial_records_years.isdigit() and int(_financial_records_years) >= 1):
    raise RuntimeError("PAYDESK_FINANCIAL_RECORDS_YEARS must be a whole number of years, at least 1")
FINANCIAL_RECORDS_YEARS = int(_financial_records_years)
