"""Security headers every page gets (docs/ui.md "Security headers")."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class SecurityHeadersMiddleware:
    """Content-Security-Policy without inline script, and a few browser hardening headers.

    Django's SecurityMiddleware already sends nosniff, the referrer policy and the
    cross-origin opener policy; this adds what it does not. A view may set its own CSP
    (the attachment download sets a stricter one): `setdefault` leaves it alone.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.SLADESK_CSP)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"
        )
        return response
