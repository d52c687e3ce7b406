"""Back up and restore the whole database with the database's own tools.

PostgreSQL: `pg_dump --format=custom` and `pg_restore --clean --if-exists` (one
transaction, stops at the first error). SQLite: Python's `sqlite3` online backup API, which
copies a consistent snapshot while the database is in use. Attachments live in the private
media folder and are backed up separately (docs/deploy.md).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections


class BackupError(RuntimeError):
    """The backup or restore could not be made; the message says why."""


def _vendor() -> str:
    return str(connections[DEFAULT_DB_ALIAS].vendor)


def _pg_args_and_env() -> tuple[list[str], dict[str, str]]:
    settings: dict[str, Any] = connections[DEFAULT_DB_ALIAS].settings_dict
    args = []
    if settings.get("HOST"):
        args += ["--host", str(settings["HOST"])]
    if settings.get("PORT"):
        args += ["--port", str(settings["PORT"])]
    if settings.get("USER"):
        args += ["--username", str(settings["USER"])]
    env = dict(os.environ)
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings["PASSWORD"])
    args += ["--dbname", str(settings["NAME"])]
    return args, env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed (it comes with the PostgreSQL client)")
    return found


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip()}")


def _sqlite_connect() -> sqlite3.Connection:
    name = str(connections[DEFAULT_DB_ALIAS].settings_dict["NAME"])
    # An in-memory test database is named by a `file:` URI.
    return sqlite3.connect(name, uri=name.startswith("file:"))


def backup(path: Path) -> None:
    vendor = _vendor()
    path.parent.mkdir(parents=True, exist_ok=True)
    if vendor == "postgresql":
        args, env = _pg_args_and_env()
        _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(path), *args], env)
    elif vendor == "sqlite":
        source = _sqlite_connect()
        target = sqlite3.connect(str(path))
        try:
            with target:
                source.backup(target)
        finally:
            target.close()
            source.close()
    else:
        raise BackupError(f"backups of {vendor} databases are not supported")


def restore(path: Path) -> None:
    if not path.is_file():
        raise BackupError(f"{path} is not a file")
    vendor = _vendor()
    # This process's own connection must not hold locks on the tables being replaced.
    connections.close_all()
    if vendor == "postgresql":
        args, env = _pg_args_and_env()
        _run(
            [
                _tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                *args,
                str(path),
            ],
            env,
        )
    elif vendor == "sqlite":
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            if source.execute("PRAGMA integrity_check").fetchone() != ("ok",):
                raise BackupError(f"{path} is not an intact SQLite database")
        except sqlite3.DatabaseError as exc:
            source.close()
            raise BackupError(f"{path} is not an SQLite database: {exc}") from exc
        target = _sqlite_connect()
        try:
            with target:
                source.backup(target)
        finally:
            target.close()
            source.close()
    else:
        raise BackupError(f"restoring {vendor} databases is not supported")
