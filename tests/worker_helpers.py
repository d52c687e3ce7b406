"""Run the tasks waiting in the database queue inside a test (no worker process).

The real worker (`sladesk worker`) closes and reopens connections between tasks, which a
test's wrapping transaction does not allow; here each ready task is called directly.
"""

from __future__ import annotations

from typing import Any


def run_queued_tasks(path_contains: str = "") -> list[Any]:
    from django_tasks_db.models import DBTaskResult

    results = []
    for row in DBTaskResult.objects.filter(status="READY").order_by("enqueued_at", "pk"):
        if path_contains and path_contains not in row.task_path:
            continue
        task = row.task
        results.append(task.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"]))
        row.status = "SUCCESSFUL"
        row.save(update_fields=["status"])
    return results
