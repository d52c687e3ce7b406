"""`sladesk serve`: run the production server (gunicorn) against DATABASE_URL."""

from __future__ import annotations

import logging
import os
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from sladesk.core.checks import MISSING_KEY_MESSAGE, production_without_secret_key


class Command(BaseCommand):
    help = "Serve sladesk with gunicorn (migrates first unless --no-migrate)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=os.environ.get("SLADESK_BIND", "127.0.0.1:8000"))
        # A request is mostly Python work (the database answers in well under a
        # millisecond a statement): processes, not threads, use the cores. On the 2-core
        # load-test machine 4 processes of 1 thread logged tickets fastest
        # (docs/benchmarks.md, docs/deploy.md).
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("SLADESK_WORKERS", "0")) or 2 * (os.cpu_count() or 1),
            help="web processes (default: SLADESK_WORKERS, else twice the CPU count)",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=int(os.environ.get("SLADESK_THREADS", "1")),
            help="requests each process serves at once (default: SLADESK_THREADS, else 1)",
        )
        parser.add_argument("--no-migrate", action="store_true")
        parser.add_argument(
            "--check-only",
            action="store_true",
            help="run the start-up checks and migrations, then exit without serving",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if production_without_secret_key():
            raise CommandError(MISSING_KEY_MESSAGE)
        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=1)
        if options["check_only"]:
            self.stdout.write("ready to serve")
            return
        from django.conf import settings
        from gunicorn.app.base import BaseApplication

        from sladesk.wsgi import application

        json_logs = settings.SLADESK_LOG_FORMAT == "json"
        config: dict[str, Any] = {
            "bind": options["bind"],
            "workers": options["workers"],
            "threads": options["threads"],
            "worker_class": "gthread",
            # In JSON form sladesk logs each request itself (sladesk.core.logs); gunicorn's
            # text access line would only duplicate it.
            "accesslog": None if json_logs else "-",
            "errorlog": "-",
        }
        if json_logs:
            config["logconfig_dict"] = {
                "formatters": {"json": {"()": "sladesk.core.logs.JsonFormatter"}},
                # Gunicorn merges this over its own defaults, which name both handlers.
                "handlers": {
                    name: {
                        "class": "logging.StreamHandler",
                        "formatter": "json",
                        "stream": stream,
                    }
                    for name, stream in (
                        ("console", "ext://sys.stdout"),
                        ("error_console", "ext://sys.stderr"),
                    )
                },
                "loggers": {
                    "gunicorn.error": {
                        "level": "INFO",
                        "handlers": ["error_console"],
                        "propagate": False,
                        "qualname": "gunicorn.error",
                    },
                    "gunicorn.access": {"level": "WARNING", "handlers": [], "propagate": False},
                },
            }

        class SladeskGunicorn(BaseApplication):  # type: ignore[misc]
            def load_config(self) -> None:
                for key, value in config.items():
                    self.cfg.set(key, value)

            def load(self) -> Any:
                return application

        if json_logs:
            logging.getLogger("sladesk").info("sladesk serving on http://%s", options["bind"])
        else:
            self.stdout.write(f"sladesk serving on http://{options['bind']}")
        SladeskGunicorn().run()
