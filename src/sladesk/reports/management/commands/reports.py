"""`sladesk reports refresh`: build or bring up to date the report rows of every ticket.

Pages bring the rows of the months they show up to date themselves; this command does all
of them at once (after installing the reports on an existing helpdesk, or after an
administrator changed a calendar, with `--all`), so the first page views stay fast.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from sladesk.core.clock import instant
from sladesk.reports.facts import refresh_all, stale
from sladesk.reports.models import ResponseFact
from sladesk.tickets.models import Ticket


class Command(BaseCommand):
    help = "Reports. `reports refresh` brings every ticket's report row up to date."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        refresh = sub.add_parser("refresh", help="(re)compute stale report rows")
        refresh.add_argument(
            "--all",
            action="store_true",
            help="recompute every row (after a calendar or policy change)",
        )
        refresh.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["all"]:
            ResponseFact.objects.all().delete()
        todo = stale(Ticket.objects.all()).count()
        with tqdm(
            total=todo,
            unit="ticket",
            disable=options["quiet"],
            file=getattr(self.stderr, "_out", None),
        ) as bar:
            done = refresh_all(at=instant(None), progress=bar.update)
        self.stdout.write(f"{done} report rows computed; {ResponseFact.objects.count()} in all.")
