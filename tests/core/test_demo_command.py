"""`sladesk demo --no-serve`: migrate, load once, print the URL and the logins."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_the_demo_command_prepares_the_database_and_prints_the_logins(fast_settings, tmp_path):
    fast_settings.VAR_DIR = tmp_path / "var"
    first, second = io.StringIO(), io.StringIO()

    call_command("demo", "--no-serve", "--tickets", "40", stdout=first)
    call_command("demo", "--no-serve", stdout=second)

    assert "Demo data loaded:" in first.getvalue()
    assert "sladesk demo at http://127.0.0.1:8000/" in first.getvalue()
    assert "operator@sladesk.demo" in first.getvalue()
    assert "Demo data already present, reused:" in second.getvalue()
    assert (tmp_path / "var").is_dir()
