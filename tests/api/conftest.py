"""API fixtures: the clock pinned, rate limiting off, tokens for the world's people."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from api_client import NOW, Api
from django.core.cache import cache

from helpdesk_world import World


@pytest.fixture(autouse=True)
def _pinned_clock(monkeypatch: Any) -> None:
    monkeypatch.setattr("sladesk.core.clock.timezone.now", lambda: NOW.astimezone(dt.UTC))


@pytest.fixture(autouse=True)
def _api_settings(settings: Any) -> None:
    # Rate limiting has its own tests; elsewhere it would couple tests through the cache.
    settings.SLADESK_API_RATE_LIMIT = 0
    cache.clear()


@pytest.fixture
def api_as(world: World) -> Any:
    from sladesk.api.actions import create_token

    def _as(user: Any, scopes: tuple[str, ...] = ("read", "write")) -> Api:
        _token, raw = create_token(actor=None, user=user, name="tests", scopes=scopes)
        return Api(raw)

    return _as
