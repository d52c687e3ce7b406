"""Failed sign-ins, counted per account and client address (login throttling)."""

from __future__ import annotations

from typing import ClassVar

from django.db import models


class LoginThrottle(models.Model):
    """Failed sign-ins for one account from one address within the current window.

    Kept in the database rather than the cache so every web process sees the same count
    without a shared cache server. Rows are written only by `sladesk.web.throttle`.
    """

    account = models.CharField(max_length=254)
    ip = models.CharField(max_length=45)
    failures = models.PositiveIntegerField(default=0)
    window_started_at = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["account", "ip"], name="one_throttle_per_account_ip")
        ]

    def __str__(self) -> str:
        return f"{self.account} from {self.ip}: {self.failures}"
