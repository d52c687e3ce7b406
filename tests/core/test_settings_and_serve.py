"""Production refuses to start without a secret key; settings come from the environment."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def _run(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {
        k: v for k, v in os.environ.items() if not k.startswith("SLADESK_") and k != "DATABASE_URL"
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        env={
            **base,
            "DJANGO_SETTINGS_MODULE": "sladesk.settings",
            "SLADESK_ENV_FILE": "/nonexistent/.env",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_wsgi_application_refuses_production_without_a_secret_key(tmp_path):
    result = _run("import sladesk.wsgi", SLADESK_DEBUG="false", SLADESK_VAR_DIR=str(tmp_path))

    assert result.returncode != 0
    assert "SLADESK_SECRET_KEY is not set and SLADESK_DEBUG is false" in result.stderr


def test_the_wsgi_application_starts_in_production_with_a_secret_key(tmp_path):
    result = _run(
        "import sladesk.wsgi; print('ok')",
        SLADESK_DEBUG="false",
        SLADESK_SECRET_KEY="x" * 60,
        SLADESK_VAR_DIR=str(tmp_path),
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout == "ok\n"


def test_serve_refuses_production_without_a_secret_key(tmp_path):
    result = _run(
        "from sladesk.cli import main; main(['serve', '--check-only'])",
        SLADESK_DEBUG="false",
        SLADESK_VAR_DIR=str(tmp_path),
    )

    assert result.returncode != 0
    assert "refusing to run in production" in result.stderr
    assert not (tmp_path / "sladesk.sqlite3").exists()


def test_serve_migrates_the_database_named_by_database_url(tmp_path):
    db = tmp_path / "elsewhere.sqlite3"
    result = _run(
        "from sladesk.cli import main; main(['serve', '--check-only'])",
        SLADESK_DEBUG="false",
        SLADESK_SECRET_KEY="y" * 60,
        DATABASE_URL=f"sqlite:///{db}",
        SLADESK_VAR_DIR=str(tmp_path / "var"),
    )

    assert result.returncode == 0, result.stderr
    assert "ready to serve" in result.stdout
    assert db.stat().st_size > 0


@pytest.mark.parametrize(
    ("url", "engine"),
    [
        ("postgres://postgres@127.0.0.1:5432/sladesk", "django.db.backends.postgresql"),
        ("sqlite:///x.sqlite3", "django.db.backends.sqlite3"),
    ],
)
def test_database_url_chooses_the_database(url, engine, tmp_path):
    result = _run(
        "from django.conf import settings; d = settings.DATABASES['default'];"
        "print(d['ENGINE']); print(d.get('OPTIONS'))",
        DATABASE_URL=url,
        SLADESK_VAR_DIR=str(tmp_path),
    )

    assert result.returncode == 0, result.stderr
    printed_engine, options = result.stdout.splitlines()
    assert printed_engine == engine
    if engine.endswith("sqlite3"):
        assert "journal_mode=WAL" in options
        assert "'transaction_mode': 'IMMEDIATE'" in options


def _serve_defaults(monkeypatch, **env: str) -> tuple[int, int]:
    from sladesk.core.management.commands.serve import Command

    for name in ("SLADESK_WORKERS", "SLADESK_THREADS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    options = Command().create_parser("sladesk", "serve").parse_args([])
    return options.workers, options.threads


def test_serve_runs_two_single_threaded_processes_per_cpu_by_default(monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: 3)

    assert _serve_defaults(monkeypatch) == (6, 1)


def test_serve_takes_its_process_and_thread_counts_from_the_environment(monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: 3)

    assert _serve_defaults(monkeypatch, SLADESK_WORKERS="5", SLADESK_THREADS="4") == (5, 4)


_DB_OPTIONS = (
    "from django.conf import settings; o = settings.DATABASES['default'].get('OPTIONS', {}); "
    "print(o.get('server_side_binding'), o.get('prepare_threshold'))"
)


@pytest.mark.parametrize(
    ("database_url", "prepared", "expected"),
    [
        ("postgres://app@db.example:5432/sladesk", None, "True 5\n"),
        ("postgres://app@db.example:5432/sladesk", "false", "None None\n"),
        ("sqlite:///{tmp}/x.sqlite3", None, "None None\n"),
    ],
    ids=["postgresql-prepares", "turned-off-for-a-pooler", "sqlite-unaffected"],
)
def test_postgresql_connections_prepare_their_frequent_statements_unless_turned_off(
    tmp_path, database_url, prepared, expected
):
    env = {"DATABASE_URL": database_url.format(tmp=tmp_path), "SLADESK_VAR_DIR": str(tmp_path)}
    if prepared is not None:
        env["SLADESK_DB_PREPARED_STATEMENTS"] = prepared
    result = _run("import django; django.setup(); " + _DB_OPTIONS, **env)

    assert result.returncode == 0, result.stderr
    assert result.stdout == expected
