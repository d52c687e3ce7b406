"""`sladesk backup` and `sladesk restore` bring the data back, on SQLite and PostgreSQL.

Each test drives the real commands in child processes against a database of its own: a
temporary SQLite file, or a PostgreSQL database created next to the test database (on the
PostgreSQL run only).
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))

WRITE_BEFORE = (
    "from sladesk.customers.models import Company\n"
    "Company.objects.create(name='Acme Contact Centres', slug='acme')\n"
)
CHANGE_AFTER = (
    "from sladesk.customers.models import Company\n"
    "Company.objects.filter(slug='acme').update(name='Renamed by mistake')\n"
    "Company.objects.create(name='Created after the backup', slug='later')\n"
)
READ = (
    "from sladesk.customers.models import Company\n"
    "print(sorted(Company.objects.values_list('slug', 'name')))\n"
)
APPLIED = (
    "from django.db.migrations.recorder import MigrationRecorder\n"
    "print(len(MigrationRecorder.Migration.objects.all()))\n"
)


def _env(database_url: str, tmp_path: Path) -> dict[str, str]:
    base = {
        k: v for k, v in os.environ.items() if not k.startswith("SLADESK_") and k != "DATABASE_URL"
    }
    return {
        **base,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "sladesk.settings",
        "SLADESK_ENV_FILE": "/nonexistent/.env",
        "SLADESK_VAR_DIR": str(tmp_path / "var"),
    }


def _sladesk(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sladesk.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _python(env: dict[str, str], code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def _backup_change_restore(env: dict[str, str], backup: Path) -> None:
    migrated = _sladesk(env, "migrate", "--verbosity", "0")
    assert migrated.returncode == 0, migrated.stderr
    _python(env, WRITE_BEFORE)
    applied = _python(env, APPLIED)

    made = _sladesk(env, "backup", str(backup))
    assert made.returncode == 0, made.stderr
    assert made.stdout.startswith(f"backed up to {backup} (")
    assert backup.stat().st_size > 0

    _python(env, CHANGE_AFTER)
    assert _python(env, READ) == (
        "[('acme', 'Renamed by mistake'), ('later', 'Created after the backup')]"
    )

    restored = _sladesk(env, "restore", "--noinput", str(backup))
    assert restored.returncode == 0, restored.stderr
    assert restored.stdout.strip() == f"restored from {backup}"
    assert _python(env, READ) == "[('acme', 'Acme Contact Centres')]"
    # The restored database is complete: the same migrations are recorded as applied.
    assert _python(env, APPLIED) == applied


def test_backup_then_restore_brings_back_the_data_on_sqlite(tmp_path):
    env = _env(f"sqlite:///{tmp_path / 'live.sqlite3'}", tmp_path)

    _backup_change_restore(env, tmp_path / "backups" / "sladesk.sqlite3")


def test_restore_refuses_a_file_that_is_not_a_backup_and_changes_nothing(tmp_path):
    env = _env(f"sqlite:///{tmp_path / 'live.sqlite3'}", tmp_path)
    assert _sladesk(env, "migrate", "--verbosity", "0").returncode == 0
    _python(env, WRITE_BEFORE)
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"this is not a database" * 100)

    result = _sladesk(env, "restore", "--noinput", str(junk))

    assert result.returncode != 0
    assert f"{junk} is not an SQLite database" in result.stderr
    assert _python(env, READ) == "[('acme', 'Acme Contact Centres')]"


def test_restore_of_a_missing_file_says_so(tmp_path):
    env = _env(f"sqlite:///{tmp_path / 'live.sqlite3'}", tmp_path)

    result = _sladesk(env, "restore", "--noinput", str(tmp_path / "nowhere.dump"))

    assert result.returncode != 0
    assert f"{tmp_path / 'nowhere.dump'} is not a file" in result.stderr


@pytest.mark.skipif(
    not ON_POSTGRES, reason="pg_dump/pg_restore need PostgreSQL: runs when DATABASE_URL is one"
)
def test_backup_then_restore_brings_back_the_data_on_postgresql(tmp_path):
    import psycopg

    parts = urlsplit(os.environ["DATABASE_URL"])
    name = f"sladesk_backup_test_{uuid.uuid4().hex[:8]}"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        env = _env(urlunsplit(parts._replace(path=f"/{name}")), tmp_path)
        _backup_change_restore(env, tmp_path / "backups" / "sladesk.dump")
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
