"""WSGI entry point used by ``paydesk serve`` and ``paydesk web``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paydesk.config.settings")
application = get_wsgi_application()
