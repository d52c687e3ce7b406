"""`sladesk restore PATH`: replace the whole database with a backup made by `sladesk backup`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sladesk.core.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore the database from PATH, replacing everything in it. Stop the web and "
        "worker processes first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="do not ask for confirmation",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        if not path.is_file():
            raise CommandError(f"{path} is not a file")
        if options["interactive"]:
            answer = input(
                f"This replaces every row of the database with the backup {path}. "
                "Type 'yes' to continue: "
            )
            if answer.strip() != "yes":
                raise CommandError("restore cancelled; nothing was changed")
        try:
            restore(path)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"restored from {path}")
