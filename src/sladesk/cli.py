"""The `sladesk` console script.

`sladesk sla ...` runs the pure SLA engine without starting Django, so it stays fast and
usable without a database. Every other subcommand is a Django management command
(`sladesk demo`, `sladesk serve`, `sladesk user create`, `sladesk migrate`...).
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:2] == ["sla", "what-if"]:
        # The one `sla` subcommand that needs the database: a Django management command.
        args = ["sla_what_if", *args[2:]]
    elif args and args[0] == "sla":
        from sladesk.sla.cli import main as sla_main

        return sla_main(args[1:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sladesk.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["sladesk", *args])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
