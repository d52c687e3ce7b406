"""Form helpers shared by the portal and the console."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils import timezone

from sladesk.web import throttle

LONDON = ZoneInfo("Europe/London")


def parse_local(value: str) -> dt.datetime | None:
    """A `datetime-local` value, read as UK wall-clock time (as the form says)."""
    try:
        naive = dt.datetime.fromisoformat((value or "").strip())
    except ValueError:
        return None
    return naive if naive.tzinfo else naive.replace(tzinfo=LONDON)


def local_input(at: dt.datetime | None = None) -> str:
    """An instant as a `datetime-local` value in UK time."""
    return (at or timezone.now()).astimezone(LONDON).strftime("%Y-%m-%dT%H:%M")


class ThrottledAuthenticationForm(AuthenticationForm):
    error_messages: dict[str, Any] = {  # noqa: RUF012 - Django's own class attribute
        **AuthenticationForm.error_messages,
        "throttled": (
            "Too many failed sign-ins for this account from your address. "
            "Try again in %(minutes)s minute%(plural)s."
        ),
    }

    def __init__(self, request: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        self.throttled = False
        self.fields["username"].widget.attrs.update({"autocomplete": "username"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})

    def clean(self) -> dict[str, Any]:
        account = self.cleaned_data.get("username") or ""
        ip = throttle.client_ip(self.request) if self.request is not None else "unknown"
        wait = throttle.locked_for(account=account, ip=ip)
        if wait is not None:
            self.throttled = True
            minutes = max(1, -(-int(wait.total_seconds()) // 60))
            raise ValidationError(
                self.error_messages["throttled"],
                code="throttled",
                params={"minutes": minutes, "plural": "" if minutes == 1 else "s"},
            )
        try:
            return super().clean()
        except ValidationError:
            throttle.record_failure(account=account, ip=ip)
            raise
