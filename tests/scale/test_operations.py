"""Operations: health and readiness endpoints, structured logs, production settings."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from typing import Any

import pytest
from django.db import OperationalError

from sladesk.core import health
from sladesk.core.logs import JsonFormatter


@pytest.fixture
def fresh_readiness(monkeypatch: Any) -> None:
    monkeypatch.setattr(health, "_migrations_applied", False)


def test_healthz_answers_ok_without_a_login_or_the_database(client, monkeypatch):
    def no_database(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("healthz must not touch the database")

    monkeypatch.setattr(health, "_unapplied_migrations", no_database)

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_is_ready_when_the_database_answers_and_every_migration_is_applied(
    client, fresh_readiness
):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "migrations": "ok"}}


@pytest.mark.django_db
def test_the_migrated_test_database_has_no_unapplied_migration():
    assert health._unapplied_migrations() == []


@pytest.mark.django_db
def test_readyz_is_503_and_names_the_migrations_not_yet_applied(
    client, fresh_readiness, monkeypatch
):
    monkeypatch.setattr(
        health, "_unapplied_migrations", lambda: ["tickets.0099_new_index", "core.0002_x"]
    )

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {
            "database": "ok",
            "migrations": "2 not applied: tickets.0099_new_index, core.0002_x",
        },
    }
    assert health._migrations_applied is False


@pytest.mark.django_db
def test_readyz_is_503_when_the_database_does_not_answer(client, fresh_readiness, monkeypatch):
    class DeadCursor:
        def __enter__(self) -> DeadCursor:
            raise OperationalError("connection refused")

        def __exit__(self, *exc: object) -> None:
            return None

    from django.db import connections

    monkeypatch.setattr(connections["default"], "cursor", lambda: DeadCursor())

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "unreachable: OperationalError"},
    }


def test_health_endpoints_refuse_writes(client):
    assert client.post("/healthz").status_code == 405
    assert client.post("/readyz").status_code == 405


def test_each_request_is_logged_once_with_its_id_method_path_status_and_duration(client, caplog):
    caplog.set_level(logging.INFO, logger="sladesk.request")

    response = client.get("/healthz", headers={"X-Request-ID": "proxy-1234"})

    assert response["X-Request-ID"] == "proxy-1234"
    records = [r for r in caplog.records if r.name == "sladesk.request"]
    assert len(records) == 1
    line = json.loads(JsonFormatter().format(records[0]))
    assert line["request_id"] == "proxy-1234"
    assert line["method"] == "GET"
    assert line["path"] == "/healthz"
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], float)
    assert line["duration_ms"] >= 0
    assert line["level"] == "INFO"
    assert line["logger"] == "sladesk.request"
    assert line["message"] == "GET /healthz 200"


def test_a_request_id_that_is_not_a_short_token_is_replaced(client):
    response = client.get("/healthz", headers={"X-Request-ID": "bad id\twith spaces"})

    assert response["X-Request-ID"] != "bad id\twith spaces"
    assert len(response["X-Request-ID"]) == 32


def test_the_json_formatter_writes_one_object_per_line_with_the_exception():
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.getLogger("sladesk.test").makeRecord(
            "sladesk.test", logging.ERROR, __file__, 1, "failed %s", ("twice",), sys.exc_info()
        )

    text = JsonFormatter().format(record)

    assert "\n" not in text.replace("\\n", "")
    line = json.loads(text)
    assert line["message"] == "failed twice"
    assert line["level"] == "ERROR"
    assert "ValueError: boom" in line["exception"]


def _sladesk(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    # The browser tests' conftest sets DJANGO_ALLOW_ASYNC_UNSAFE for the whole test session;
    # a production process never has it, and `check --deploy` rightly refuses it.
    dropped = {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    base = {
        k: v for k, v in os.environ.items() if not k.startswith("SLADESK_") and k not in dropped
    }
    return subprocess.run(
        [sys.executable, "-m", "sladesk.cli", *args],
        env={**base, "SLADESK_ENV_FILE": "/nonexistent/.env", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


PRODUCTION = {
    "SLADESK_ENV": "production",
    "SLADESK_SECRET_KEY": "k" * 20 + "-production-secret-" + "z9" * 20,
    "SLADESK_ALLOWED_HOSTS": "helpdesk.example.com",
}


def test_check_deploy_reports_no_issues_with_the_production_settings(tmp_path):
    result = _sladesk(
        "check", "--deploy", "--fail-level", "WARNING", SLADESK_VAR_DIR=str(tmp_path), **PRODUCTION
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


def test_check_deploy_fails_in_production_without_allowed_hosts_or_with_debug(tmp_path):
    env = {**PRODUCTION, "SLADESK_DEBUG": "true"}
    del env["SLADESK_ALLOWED_HOSTS"]

    result = _sladesk("check", "--deploy", SLADESK_VAR_DIR=str(tmp_path), **env)

    assert result.returncode != 0
    assert "sladesk.E002" in result.stderr
    assert "sladesk.E003" in result.stderr
    assert "SLADESK_ALLOWED_HOSTS is not set" in result.stderr


def test_production_redirects_plain_http_but_not_the_health_checks(tmp_path):
    code = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "c = Client()\n"
        "print(c.get('/login/', HTTP_HOST='helpdesk.example.com').status_code)\n"
        "print(c.get('/healthz', HTTP_HOST='helpdesk.example.com').status_code)\n"
        "print(c.get('/login/', HTTP_HOST='helpdesk.example.com',"
        " HTTP_X_FORWARDED_PROTO='https').status_code)\n"
    )
    # The browser tests' conftest sets DJANGO_ALLOW_ASYNC_UNSAFE for the whole test session;
    # a production process never has it, and `check --deploy` rightly refuses it.
    dropped = {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    base = {
        k: v for k, v in os.environ.items() if not k.startswith("SLADESK_") and k not in dropped
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={
            **base,
            "DJANGO_SETTINGS_MODULE": "sladesk.settings",
            "SLADESK_ENV_FILE": "/nonexistent/.env",
            "SLADESK_VAR_DIR": str(tmp_path),
            **PRODUCTION,
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["301", "200", "200"]


def test_sladesk_serve_writes_only_json_lines_with_one_line_per_request(tmp_path):
    import socket
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # The browser tests' conftest sets DJANGO_ALLOW_ASYNC_UNSAFE for the whole test session;
    # a production process never has it, and `check --deploy` rightly refuses it.
    dropped = {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    base = {
        k: v for k, v in os.environ.items() if not k.startswith("SLADESK_") and k not in dropped
    }
    env = {
        **base,
        "SLADESK_ENV_FILE": "/nonexistent/.env",
        "SLADESK_VAR_DIR": str(tmp_path),
        "SLADESK_LOG_FORMAT": "json",
        "SLADESK_DEBUG": "false",
        "SLADESK_SECRET_KEY": "s" * 60,
    }
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "sladesk.cli",
                "serve",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--threads",
                "2",
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 90
            while True:
                try:
                    request = urllib.request.Request(
                        f"http://127.0.0.1:{port}/healthz", headers={"X-Request-ID": "probe-7"}
                    )
                    with urllib.request.urlopen(request, timeout=5) as response:
                        assert response.status == 200
                        break
                except OSError:
                    assert server.poll() is None, log.read_text()
                    assert time.monotonic() < deadline, "sladesk serve never answered"
                    time.sleep(0.3)
            time.sleep(0.5)
        finally:
            server.terminate()
            server.wait(timeout=30)

    # Migrations print their progress first (a one-off command, not the server's log).
    lines = [line for line in log.read_text().splitlines() if line.startswith("{")]
    entries = [json.loads(line) for line in lines]
    text_after_start = log.read_text().split('"Starting gunicorn', 1)[1].splitlines()[1:]
    assert all(line.startswith("{") for line in text_after_start), text_after_start
    requests = [e for e in entries if e["logger"] == "sladesk.request"]
    assert [(e["request_id"], e["method"], e["path"], e["status"]) for e in requests] == [
        ("probe-7", "GET", "/healthz", 200)
    ]
    assert not [e for e in entries if e["logger"] == "gunicorn.access"]
