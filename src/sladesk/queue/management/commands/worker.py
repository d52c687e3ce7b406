"""`sladesk worker`: run background tasks and the SLA monitor.

One process runs, in turn: the tasks waiting in the database queue (django-tasks-db; emails,
webhook deliveries), the email outbox and IMAP mailbox (sladesk.mail), the housekeeping of
the reports (stale report rows, every SLADESK_REPORTS_REFRESH_INTERVAL seconds) and of the
knowledge base (abandoned deflection attempts) and, every SLADESK_MONITOR_INTERVAL seconds,
one SLA monitor scan.
Several processes against one PostgreSQL database are safe: tasks and monitor rows are
claimed with SELECT ... FOR UPDATE SKIP LOCKED. With another task backend (Redis, see
docs/queue.md) run that backend's own worker for tasks and `sladesk worker --scan-only`
for the monitor.
"""

from __future__ import annotations

import os
import signal
import socket
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError, close_old_connections, connections


class Command(BaseCommand):
    help = "Run background tasks and the periodic SLA monitor scan (Ctrl-C to stop)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--interval",
            type=float,
            default=settings.SLADESK_MONITOR_INTERVAL,
            help="seconds between SLA monitor scans (default: SLADESK_MONITOR_INTERVAL)",
        )
        parser.add_argument("--scan-only", action="store_true", help="run the monitor, no tasks")
        parser.add_argument("--tasks-only", action="store_true", help="run tasks, no monitor")
        parser.add_argument(
            "--once", action="store_true", help="one scan and every ready task, then exit"
        )
        parser.add_argument("--worker-id", default=f"{socket.gethostname()}-{os.getpid()}")

    def handle(self, *args: Any, **options: Any) -> None:
        self.running = True
        worker_id = options["worker_id"][:60]
        run_tasks = not options["scan_only"] and _database_backend()
        run_scan = not options["tasks_only"]
        if not options["scan_only"] and not run_tasks:
            self.stderr.write(
                "The task backend is not the database backend: run its own worker for tasks."
            )

        def stop(signum: int, frame: Any) -> None:
            self.running = False

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        self.stdout.write(f"sladesk worker {worker_id}: tasks={run_tasks} monitor={run_scan}")
        next_scan = 0.0
        while self.running:
            close_old_connections()
            try:
                next_scan = self._round(options, worker_id, run_tasks, run_scan, next_scan)
            except DatabaseError as exc:
                if options["once"]:
                    raise
                # The database restarted or is unreachable for a moment: drop the broken
                # connection and carry on. Work claimed but not recorded is retried from its
                # lease (the outbox) or its task row, never lost.
                self.stderr.write(f"database unavailable ({type(exc).__name__}: {exc}); retrying")
                connections.close_all()
                time.sleep(1.0)
                continue
            if next_scan < 0:
                return

    def _round(
        self,
        options: dict[str, Any],
        worker_id: str,
        run_tasks: bool,
        run_scan: bool,
        next_scan: float,
    ) -> float:
        """One pass of the loop; returns when the next scan is due (-1: stop, for --once)."""
        if run_scan and time.monotonic() >= next_scan:
            from sladesk.queue.monitor import scan

            result = scan(worker=worker_id)
            if result.checked or result.escalations or result.requeued:
                self.stdout.write(
                    f"scan: checked {result.checked}, warnings {result.warnings}, "
                    f"breaches {result.breaches}, pages {result.pages}, "
                    f"escalations {result.escalations}, requeued {result.requeued}"
                )
            next_scan = time.monotonic() + options["interval"]
        ran = run_ready_tasks(worker_id) if run_tasks else 0
        # The email outbox (and the IMAP mailbox, when configured) runs in every kind of
        # worker: a Redis install runs only `--scan-only` workers beside its RQ workers, and
        # the outbox leases make several senders safe (ADR 0012).
        from sladesk.mail.jobs import periodic

        line = periodic(worker=worker_id)
        if line:
            self.stdout.write(line)
        if run_scan:
            # Housekeeping so that pages need not, beside the monitor (so a `--scan-only`
            # worker of a Redis install does it too): stale report rows and their months'
            # figures, and abandoned deflection attempts. Each paces itself.
            from sladesk.knowledge import housekeeping as knowledge
            from sladesk.reports import housekeeping as reports

            for housekeeping in (reports.periodic, knowledge.periodic):
                line = housekeeping(worker=worker_id)
                if line:
                    self.stdout.write(line)
        if options["once"]:
            if run_tasks:
                while run_ready_tasks(worker_id):
                    pass
            return -1.0
        if not ran:
            time.sleep(min(1.0, max(0.0, next_scan - time.monotonic())) or 0.2)
        return next_scan


def _database_backend() -> bool:
    from django_tasks import task_backends
    from django_tasks_db import DatabaseBackend

    return isinstance(task_backends["default"], DatabaseBackend)


def run_ready_tasks(worker_id: str, limit: int = 100) -> int:
    """Run up to `limit` ready tasks from the database queue; returns how many ran."""
    from django_tasks_db.management.commands.db_worker import Worker

    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=limit,
        worker_id=worker_id,
        excluded_queue_names=[],
    )
    worker.run()
    return worker._run_tasks
