"""Shared fixtures: a small helpdesk world (see `helpdesk_world`)."""

from __future__ import annotations

from typing import Any

import pytest

from helpdesk_world import World, build_world, valid_ticket_fields


@pytest.fixture
def fast_settings(settings: Any, tmp_path: Any) -> Any:
    """Attachments in a temporary private root; a fast password hasher.

    Not autouse, so the pure SLA engine tests stay free of Django fixtures. Argon2 is the
    configured hasher (tested in tests/accounts); these tests use a fast one.
    """
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "private"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings


@pytest.fixture
def world(db: Any, fast_settings: Any) -> World:
    return build_world()


@pytest.fixture
def log(world: World) -> Any:
    """Log a valid ticket through the action; keyword arguments override the fields."""
    from sladesk.tickets.actions import log_ticket

    def _log(**overrides: Any) -> Any:
        return log_ticket(**valid_ticket_fields(world, **overrides))

    return _log
