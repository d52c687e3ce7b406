"""Redirects only ever go to this site."""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, fallback: str, *args: object, **kwargs: object) -> str:
    """The `next` URL the form asked for if it stays on this site, else `fallback`
    (a URL name or path). Absolute URLs to other hosts and scheme tricks are refused."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return resolve_url(fallback, *args, **kwargs)
