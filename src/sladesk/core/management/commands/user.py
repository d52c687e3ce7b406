"""`sladesk user create --email E --role ROLE [--company C] --password-stdin`."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from sladesk.accounts.actions import create_user
from sladesk.accounts.roles import Role
from sladesk.core.errors import ActionValidationError
from sladesk.customers.models import Company


class Command(BaseCommand):
    stealth_options = ("stdin",)
    help = "Manage users. `user create` adds a user with a role (password read from stdin)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        create = sub.add_parser("create", help="create a user")
        create.add_argument("--email", required=True)
        create.add_argument("--role", required=True, choices=[r.value for r in Role])
        create.add_argument("--company", help="customer company (slug, name or id); customers only")
        create.add_argument("--name", default="", help="full name")
        create.add_argument("--phone", default="")
        create.add_argument(
            "--password-stdin",
            action="store_true",
            required=True,
            help="read the password from standard input (first line)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] != "create":  # pragma: no cover - argparse enforces it
            raise CommandError("unknown subcommand")
        stdin = options.get("stdin") or sys.stdin
        password = stdin.readline().rstrip("\r\n")
        company = None
        if options.get("company"):
            key = options["company"]
            query = Q(slug=key) | Q(name__iexact=key)
            if key.isdigit():
                query |= Q(pk=int(key))
            company = Company.objects.filter(query).first()
            if company is None:
                raise CommandError(f"no company {key!r}")
        try:
            user = create_user(
                actor=None,
                email=options["email"],
                role=options["role"],
                password=password,
                company=company,
                full_name=options["name"],
                phone=options["phone"],
            )
        except ActionValidationError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"created {user.email} ({user.role_label})")
