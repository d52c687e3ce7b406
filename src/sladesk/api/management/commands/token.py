"""`sladesk token create --user EMAIL [--name N] [--scope read --scope write]`, and
`sladesk token list` / `sladesk token revoke ID`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sladesk.accounts.models import User
from sladesk.api.actions import create_token, revoke_token
from sladesk.api.models import ApiToken, Scope
from sladesk.core.errors import ActionValidationError


class Command(BaseCommand):
    help = "Manage personal API tokens. `token create` prints the new token once."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        create = sub.add_parser("create", help="create a token and print it")
        create.add_argument("--user", required=True, help="the owner's email")
        create.add_argument("--name", default="command line", help="what will use the token")
        create.add_argument(
            "--scope",
            action="append",
            choices=list(Scope.values),
            help="repeat for several; default: read and write",
        )
        listing = sub.add_parser("list", help="list tokens (never the tokens themselves)")
        listing.add_argument("--user", help="only this owner's tokens")
        revoke = sub.add_parser("revoke", help="revoke a token by id")
        revoke.add_argument("id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        command = options["subcommand"]
        if command == "create":
            self._create(options)
        elif command == "list":
            self._list(options)
        else:
            self._revoke(options)

    def _create(self, options: dict[str, Any]) -> None:
        user = User.objects.filter(email__iexact=options["user"].strip()).first()
        if user is None:
            raise CommandError(f"no user {options['user']!r}")
        try:
            token, raw = create_token(
                actor=None,
                user=user,
                name=options["name"],
                scopes=options["scope"] or list(Scope.values),
            )
        except ActionValidationError as exc:
            raise CommandError(str(exc)) from exc
        self.stderr.write(
            f"Token {token.pk} for {user.email} ({', '.join(token.scopes)}). "
            "It is shown once and not stored: keep it now."
        )
        self.stdout.write(raw)

    def _list(self, options: dict[str, Any]) -> None:
        tokens = ApiToken.objects.select_related("user").order_by("user__email", "-created_at")
        if options.get("user"):
            tokens = tokens.filter(user__email__iexact=options["user"].strip())
        for t in tokens:
            state = f"revoked {t.revoked_at:%Y-%m-%d %H:%M}Z" if t.revoked_at else "active"
            self.stdout.write(
                f"{t.pk}\t{t.user.email}\t{t.name}\t{t.prefix}…\t{','.join(t.scopes)}\t{state}"
            )

    def _revoke(self, options: dict[str, Any]) -> None:
        token = ApiToken.objects.filter(pk=options["id"]).first()
        if token is None:
            raise CommandError(f"no token {options['id']}")
        try:
            revoke_token(actor=None, token=token)
        except ActionValidationError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"revoked {token.pk}")
