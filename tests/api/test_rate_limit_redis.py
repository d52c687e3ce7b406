"""The API rate limit across processes: with SLADESK_CACHE_URL=redis://... two separate OS
processes share one count, so together they get exactly `limit` successes, then 429 with
Retry-After. The local-memory default counts per process (shown for contrast).

These tests need the Redis at SLADESK_TEST_REDIS_URL (default redis://127.0.0.1:6379/0) and
fail, not skip, when it is not reachable: CI starts it. Their keys live under a prefix of
their own (SLADESK_CACHE_KEY_PREFIX), deleted afterwards.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

REDIS_URL = os.environ.get("SLADESK_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
LIMIT = 10
# Far longer than the test: the fixed window cannot roll over while the clients run.
WINDOW = 10 * 365 * 86400

# One API client process: Django's test client against the shared database, with the
# settings built from the environment exactly as a web process builds them. It says
# "ready", waits for "go" on stdin (so both processes call at the same time), calls
# GET /api/v1/modules `n` times, and prints its pid and each (status, Retry-After).
CLIENT = textwrap.dedent(
    """
    import json, os, sys
    import django
    django.setup()
    from django.conf import settings
    from django.test import Client
    token, n = sys.argv[1], int(sys.argv[2])
    client = Client()
    default = settings.CACHES["default"]
    print(json.dumps({"ready": {k: default.get(k) for k in ("BACKEND", "KEY_PREFIX")}}), flush=True)
    sys.stdin.readline()
    answers = []
    for _ in range(n):
        r = client.get("/api/v1/modules", headers={"Authorization": "Bearer " + token})
        answers.append([r.status_code, r.headers.get("Retry-After")])
    print(json.dumps({"pid": os.getpid(), "answers": answers}), flush=True)
    """
)


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=5)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as exc:
        pytest.fail(
            f"Redis is not reachable at {REDIS_URL} ({exc}); start it, or point "
            "SLADESK_TEST_REDIS_URL at one"
        )
    prefix = f"sladesk-test-{uuid.uuid4().hex}"
    yield prefix
    keys = list(client.scan_iter(match=f"{prefix}:*"))
    if keys:
        client.delete(*keys)
    client.close()


def _shared_database(tmp_path: Path) -> str:
    """A DATABASE_URL other processes can open, holding this test's committed rows."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        # The test database is in memory: copy it to a file.
        connection.ensure_connection()
        path = tmp_path / "shared.sqlite3"
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
        return f"sqlite:///{path}"
    assert connection.vendor == "postgresql"
    auth = settings["USER"] + (f":{settings['PASSWORD']}" if settings.get("PASSWORD") else "")
    return (
        f"postgres://{auth}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/"
        f"{settings['NAME']}"
    )


def _token() -> str:
    from sladesk.accounts.models import User
    from sladesk.api.actions import create_token

    user = User.objects.create_user("ed@helpdesk.example", None, role="engineer")
    _token, raw = create_token(actor=None, user=user, name="crm", scopes=("read",))
    return raw


def _two_processes(tmp_path: Path, raw_token: str, **env: str) -> list[dict[str, Any]]:
    base = {
        k: v for k, v in os.environ.items() if not k.startswith("SLADESK_") and k != "DATABASE_URL"
    }
    full_env = {
        **base,
        "DJANGO_SETTINGS_MODULE": "sladesk.settings",
        "SLADESK_ENV_FILE": str(tmp_path / "no.env"),
        "SLADESK_VAR_DIR": str(tmp_path),
        "SLADESK_SECRET_KEY": "rate-limit-test-" + "x" * 40,
        "SLADESK_ALLOWED_HOSTS": "testserver",
        "SLADESK_API_RATE_LIMIT": str(LIMIT),
        "SLADESK_API_RATE_WINDOW_SECONDS": str(WINDOW),
        "DATABASE_URL": _shared_database(tmp_path),
        **env,
    }
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", CLIENT, raw_token, str(LIMIT)],
            env=full_env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    ready: list[dict[str, str]] = []
    try:
        for process in processes:
            assert process.stdout is not None
            line = process.stdout.readline()
            assert line, process.communicate(timeout=60)[1]
            ready.append(json.loads(line)["ready"])
        for process in processes:
            assert process.stdin is not None
            process.stdin.write("go\n")
            process.stdin.flush()
        results = []
        for process in processes:
            out, err = process.communicate(timeout=120)
            assert process.returncode == 0, err
            results.append({**json.loads(out.strip().splitlines()[-1]), "cache": ready.pop(0)})
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
    return results


@pytest.mark.django_db(transaction=True)
def test_two_processes_sharing_redis_get_exactly_the_limit_together(tmp_path, redis_prefix):
    import redis

    from sladesk.api.models import ApiToken

    raw = _token()

    results = _two_processes(
        tmp_path, raw, SLADESK_CACHE_URL=REDIS_URL, SLADESK_CACHE_KEY_PREFIX=redis_prefix
    )

    # Each process built Django's own Redis backend from SLADESK_CACHE_URL.
    assert [r["cache"] for r in results] == [
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "KEY_PREFIX": redis_prefix}
    ] * 2
    pids = {r["pid"] for r in results}
    assert len(pids) == 2
    assert os.getpid() not in pids
    answers = [a for r in results for a in r["answers"]]
    assert len(answers) == 2 * LIMIT
    assert sum(1 for status, _ in answers if status == 200) == LIMIT
    refused = [(status, retry) for status, retry in answers if status != 200]
    assert {status for status, _ in refused} == {429}
    assert all(retry is not None and 1 <= int(retry) <= WINDOW for _, retry in refused)
    # The count only grows: once a process is refused, it stays refused in this window.
    for result in results:
        statuses = [status for status, _ in result["answers"]]
        assert statuses == sorted(statuses)
    # One counter in Redis (Django's RedisCache key: prefix, version, the limiter's key with
    # its window start) holding every request of both processes.
    client = redis.Redis.from_url(REDIS_URL)
    keys = [k.decode() for k in client.scan_iter(match=f"{redis_prefix}:*")]
    assert len(keys) == 1
    assert keys[0].startswith(
        f"{redis_prefix}:1:sladesk:api-rate:token:{ApiToken.objects.get().pk}:"
    )
    assert int(client.get(keys[0])) == 2 * LIMIT
    client.close()


@pytest.mark.django_db(transaction=True)
def test_without_a_shared_cache_each_process_counts_alone(tmp_path):
    raw = _token()

    results = _two_processes(tmp_path, raw)

    # The limitation docs/api.md states: local memory is per process.
    assert [r["cache"]["BACKEND"] for r in results] == [
        "django.core.cache.backends.locmem.LocMemCache"
    ] * 2
    assert [[status for status, _ in r["answers"]] for r in results] == [[200] * LIMIT] * 2


def test_an_unreachable_cache_lets_the_request_through_and_logs_it(settings, caplog):
    from sladesk.api.ratelimit import hit

    # Nothing listens on port 1: the connection is refused at once.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    settings.SLADESK_API_RATE_LIMIT = 1

    hit("token:1", now=100.0)
    hit("token:1", now=101.0)

    assert [r.getMessage() for r in caplog.records] == [
        "API rate limit not counted: the cache is unreachable"
    ] * 2


def test_a_process_that_loses_the_race_to_create_the_counter_counts_on_the_winners():
    from django.core.cache.backends.locmem import LocMemCache

    from sladesk.api.ratelimit import _count

    class OtherProcessCreatesFirst(LocMemCache):
        """The counter is missing at `incr`; another process adds it before our `add`."""

        def add(self, key: str, value: Any, timeout: Any = None, version: Any = None) -> bool:
            super().add(key, 1, timeout=timeout, version=version)
            return super().add(key, value, timeout=timeout, version=version)

    cache = OtherProcessCreatesFirst(f"race-{uuid.uuid4().hex}", {})

    assert _count(cache, "k", timeout=60) == 2
    assert _count(cache, "k", timeout=60) == 3
