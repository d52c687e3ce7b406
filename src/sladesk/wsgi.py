"""WSGI entry point (`gunicorn sladesk.wsgi`). Refuses production without a secret key."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sladesk.settings")

application = get_wsgi_application()

from sladesk.core.checks import refuse_insecure_production  # noqa: E402

refuse_insecure_production()
