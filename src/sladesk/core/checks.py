"""Refuse to run in production without a real secret key."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured

MISSING_KEY_MESSAGE = (
    "SLADESK_SECRET_KEY is not set and SLADESK_DEBUG is false: refusing to run in "
    "production with the built-in development key. Set SLADESK_SECRET_KEY to a long random "
    "value (for example the output of "
    "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`)."
)


def production_without_secret_key() -> bool:
    return not settings.DEBUG and getattr(settings, "SLADESK_SECRET_KEY_MISSING", False)


def refuse_insecure_production() -> None:
    if production_without_secret_key():
        raise ImproperlyConfigured(MISSING_KEY_MESSAGE)


@register("security", deploy=True)
def secret_key_check(app_configs: Any, **kwargs: Any) -> list[Error]:
    if production_without_secret_key():
        return [Error(MISSING_KEY_MESSAGE, id="sladesk.E001")]
    return []


@register("security", deploy=True)
def production_settings_check(app_configs: Any, **kwargs: Any) -> list[Error]:
    """With SLADESK_ENV=production, the settings a deployment must give explicitly."""
    if getattr(settings, "SLADESK_ENV", "") != "production":
        return []
    errors = []
    if settings.DEBUG:
        errors.append(
            Error("SLADESK_ENV is production but SLADESK_DEBUG is true.", id="sladesk.E002")
        )
    if not getattr(settings, "SLADESK_ALLOWED_HOSTS_SET", False):
        errors.append(
            Error(
                "SLADESK_ENV is production but SLADESK_ALLOWED_HOSTS is not set: name the "
                "host names the site is served under (comma-separated).",
                id="sladesk.E003",
            )
        )
    return errors
