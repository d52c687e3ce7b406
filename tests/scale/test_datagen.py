"""bench/datagen.py: a small run makes consistent, deterministic data (PostgreSQL only)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
pytestmark = pytest.mark.skipif(
    not ON_POSTGRES, reason="the generator bulk-loads with PostgreSQL's COPY: runs on PostgreSQL"
)

FINGERPRINT = """
SELECT md5(string_agg(concat_ws('|', reference, logged_at, priority, status, coverage,
                                response_due, responded_at, response_met, company_id),
                      ',' ORDER BY id))
FROM tickets_ticket
"""


def _generate(url: str) -> str:
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "datagen.py"),
            "--tickets",
            "3000",
            "--companies",
            "20",
            "--contacts-per-company",
            "3",
            "--staff",
            "8",
            "--database-url",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    return result.stderr


def test_a_small_generated_database_is_consistent_and_the_same_every_run():
    import psycopg

    parts = urlsplit(os.environ["DATABASE_URL"])
    name = f"{parts.path.lstrip('/')}_datagen"
    url = urlunsplit(parts._replace(path=f"/{name}"))
    admin = urlunsplit(parts._replace(path="/postgres"))
    try:
        progress = _generate(url)
        assert "500 random tickets agree with the per-ticket due time" in progress
        with psycopg.connect(url) as conn:
            one = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
            first = one(FINGERPRINT)
            assert one("SELECT count(*) FROM tickets_ticket") == 3000
            assert one("SELECT value FROM tickets_ticketcounter WHERE name = 'ticket'") == 103000
            assert one("SELECT max(reference) FROM tickets_ticket") == "CS-103000"
            assert (
                one(
                    "SELECT count(*) FROM tickets_ticket t JOIN customers_contact c "
                    "ON c.id = t.contact_id WHERE c.company_id <> t.company_id"
                )
                == 0
            )
            # Five years, logged in order of their ids.
            assert one(
                "SELECT max(logged_at) - min(logged_at) > interval '1800 days' FROM tickets_ticket"
            )
            assert (
                one(
                    "SELECT count(*) FROM (SELECT logged_at < lag(logged_at) OVER (ORDER BY id) "
                    "AS back FROM tickets_ticket) s WHERE back"
                )
                == 0
            )
            # Responded tickets have their first reply and their audit events.
            assert (
                one(
                    "SELECT count(*) FROM tickets_ticket t WHERE t.responded_at IS NOT NULL "
                    "AND NOT EXISTS (SELECT 1 FROM tickets_message m WHERE m.ticket_id = t.id "
                    "AND m.at = t.responded_at AND m.kind = 'public')"
                )
                == 0
            )
            assert (
                one("SELECT count(*) FROM audit_auditevent WHERE action = 'ticket.logged'") == 3000
            )
            assert one("SELECT count(*) FROM tickets_attachment") == 375
            # No contract: no target and flagged for review.
            assert (
                one(
                    "SELECT count(*) FROM tickets_ticket WHERE contract_id IS NULL AND "
                    "(response_due IS NOT NULL OR NOT needs_review)"
                )
                == 0
            )
            statuses = dict(
                conn.execute(
                    "SELECT status, count(*) FROM tickets_ticket GROUP BY status"
                ).fetchall()
            )
            assert statuses["closed"] > 2500
            assert set(statuses) <= {
                "new",
                "responded",
                "in_progress",
                "awaiting_customer",
                "resolved",
                "closed",
            }

        _generate(url)
        with psycopg.connect(url) as conn:
            assert conn.execute(FINGERPRINT).fetchone()[0] == first
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
