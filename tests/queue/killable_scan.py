"""A monitor scan that stops mid-way (after deciding its first alert, before committing) and
waits to be killed. Started as a separate process by test_monitor_workers_postgres.py."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import django


def main() -> None:
    flag = Path(sys.argv[1])
    at = sys.argv[2]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sladesk.settings")
    django.setup()
    import datetime as dt

    from sladesk.core import notify
    from sladesk.queue.monitor import scan

    def hang(**kwargs: object) -> None:
        flag.write_text("claimed, not committed")
        time.sleep(120)

    notify.announce = hang  # type: ignore[assignment]
    scan(at=dt.datetime.fromisoformat(at), worker="doomed")


if __name__ == "__main__":
    main()
