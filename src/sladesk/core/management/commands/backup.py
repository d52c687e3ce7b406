"""`sladesk backup PATH`: a consistent copy of the whole database in one file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sladesk.core.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database to PATH (pg_dump custom format, or an SQLite file)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        try:
            backup(path)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"backed up to {path} ({path.stat().st_size:,} bytes)")
