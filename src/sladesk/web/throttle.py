"""Login throttling: refuse sign-ins for a while after repeated failures.

Failures are counted per (account, client address). After `SLADESK_LOGIN_MAX_FAILURES`
failures within `SLADESK_LOGIN_WINDOW_SECONDS`, that account is refused from that address
for `SLADESK_LOGIN_LOCK_SECONDS`, even with the right password, so guessing cannot go on
at full speed. Other addresses (the real user elsewhere) are not locked out by an attacker.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest

from sladesk.core.clock import instant
from sladesk.web.models import LoginThrottle


def client_ip(request: HttpRequest) -> str:
    # REMOTE_ADDR only: a forwarded-for header is set by the client and could be forged to
    # dodge the count. Behind a proxy, have the proxy set REMOTE_ADDR (e.g. gunicorn's
    # --forwarded-allow-ips) rather than trusting headers here.
    return (request.META.get("REMOTE_ADDR") or "unknown")[:45]


def _key(account: str) -> str:
    return (account or "").strip().lower()[:254]


def locked_for(*, account: str, ip: str, at: dt.datetime | None = None) -> dt.timedelta | None:
    """How long this account is still refused from this address, or None."""
    at = instant(at)
    row = LoginThrottle.objects.filter(account=_key(account), ip=ip).first()
    if row is None or row.locked_until is None or row.locked_until <= at:
        return None
    return row.locked_until - at


def record_failure(*, account: str, ip: str, at: dt.datetime | None = None) -> LoginThrottle:
    at = instant(at)
    window = dt.timedelta(seconds=settings.SLADESK_LOGIN_WINDOW_SECONDS)
    for _ in range(2):
        try:
            with transaction.atomic():
                row, _created = LoginThrottle.objects.select_for_update().get_or_create(
                    account=_key(account), ip=ip, defaults={"window_started_at": at}
                )
                if at - row.window_started_at > window or (
                    row.locked_until is not None and row.locked_until <= at
                ):
                    # A new window: old failures (or a lock that has run out) no longer count.
                    row.failures = 0
                    row.window_started_at = at
                    row.locked_until = None
                row.failures += 1
                if row.failures >= settings.SLADESK_LOGIN_MAX_FAILURES:
                    row.locked_until = at + dt.timedelta(
                        seconds=settings.SLADESK_LOGIN_LOCK_SECONDS
                    )
                row.save()
                return row
        except IntegrityError:
            continue  # two first failures at once: the other one created the row; count again
    raise RuntimeError("could not record the failed sign-in")


def clear(*, account: str, ip: str) -> None:
    LoginThrottle.objects.filter(account=_key(account), ip=ip).delete()
