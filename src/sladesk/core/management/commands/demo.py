"""`sladesk demo`: a ready-to-try helpdesk on the local database, served until Ctrl-C."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from sladesk.core.demo import DEFAULT_SEED, DEFAULT_TICKETS, load_demo


class Command(BaseCommand):
    help = "Migrate, load the demo data once, and serve at http://127.0.0.1:8000 until Ctrl-C."
    # The demo runs on a workstation; the production checks belong to `sladesk serve`.
    requires_system_checks: list[str] = []  # noqa: RUF012

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--addr", default="127.0.0.1")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
        parser.add_argument("--tickets", type=int, default=DEFAULT_TICKETS)
        parser.add_argument("--no-serve", action="store_true", help="prepare the database and exit")

    def handle(self, *args: Any, **options: Any) -> None:
        # The demo is served over plain http://127.0.0.1: cookies marked Secure (the
        # production default) would never come back, and nobody could sign in.
        settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        db = settings.DATABASES["default"]
        where = db["NAME"] if db["ENGINE"].endswith("sqlite3") else f"{db['ENGINE']} {db['NAME']}"
        self.stdout.write(f"Database: {where}")
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Loading demo data (first run only)...")
        summary = load_demo(seed=options["seed"], tickets=options["tickets"])
        state = "loaded" if summary.created else "already present, reused"
        self.stdout.write(f"Demo data {state}: {summary.tickets} tickets.")
        url = f"http://{options['addr']}:{options['port']}/"
        self.stdout.write("")
        self.stdout.write(f"sladesk demo at {url}  (admin: {url}admin/)")
        self.stdout.write("Demo logins (all with the same password):")
        for email, password, role in summary.logins:
            self.stdout.write(f"  {email:<28} {password:<14} {role}")
        if options["no_serve"]:
            return
        self.stdout.write("Press Ctrl-C to stop.")
        self.stdout.flush()
        self._serve(options["addr"], options["port"])

    def _serve(self, addr: str, port: int) -> None:
        import signal

        from django.core.servers.basehttp import WSGIServer, run
        from django.core.wsgi import get_wsgi_application

        def stop(signum: int, frame: Any) -> None:
            raise KeyboardInterrupt

        # Ctrl-C stops the demo even when started from a shell that ignores SIGINT for
        # background jobs; SIGTERM stops it the same way.
        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            run(
                addr,
                port,
                get_wsgi_application(),
                ipv6=":" in addr,
                threading=True,
                server_cls=WSGIServer,
            )
        except KeyboardInterrupt:
            self.stdout.write("\nStopped.")
