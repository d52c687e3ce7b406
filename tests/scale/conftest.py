"""Fixtures for the scale tests: the API's (pinned clock, tokens) are reused here."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

# The API tests' helpers (api_client) live next to their conftest.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "api"))


@pytest.fixture
def api_as(world: Any) -> Any:
    """An API client for a user, with a fresh read-write token."""
    from api_client import Api

    from sladesk.api.actions import create_token

    def _as(user: Any) -> Any:
        _token, raw = create_token(actor=None, user=user, name="scale tests")
        return Api(raw)

    return _as
