"""Health and readiness endpoints for load balancers and process supervisors.

`/healthz` answers as long as the process serves requests (liveness: restart it if not).
`/readyz` also checks that the database answers and that every migration this code ships
is applied (readiness: send it traffic only then); 503 otherwise. Both are plain JSON,
need no login and are never cached.
"""

from __future__ import annotations

from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

# The migrations a process ships never change while it runs, and applied migrations are not
# unapplied by an upgrade: once all are seen applied, later checks only ask the database.
_migrations_applied = False


def _unapplied_migrations() -> list[str]:
    connection = connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    targets = executor.loader.graph.leaf_nodes()
    return [f"{m.app_label}.{m.name}" for m, _ in executor.migration_plan(targets)]


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    global _migrations_applied
    checks: dict[str, Any] = {}
    ready = True
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception as exc:  # any driver error means "not ready", with its reason
        checks["database"] = f"unreachable: {type(exc).__name__}"
        ready = False
    if ready and not _migrations_applied:
        try:
            pending = _unapplied_migrations()
        except Exception as exc:
            checks["migrations"] = f"unknown: {type(exc).__name__}"
            ready = False
        else:
            if pending:
                checks["migrations"] = f"{len(pending)} not applied: {', '.join(pending[:5])}"
                ready = False
            else:
                _migrations_applied = True
    if ready:
        checks["migrations"] = "ok"
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks},
        status=200 if ready else 503,
    )
