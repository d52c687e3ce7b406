"""The smallest Django + django-ninja service that logs something: the floor under sladesk's
own write path, served by the same gunicorn on the same machine (bench/stack_floor.py).

Two endpoints, both one transaction on PostgreSQL through Django's connection:
- `POST /one`: one INSERT ... RETURNING;
- `POST /many`: the same number of statements as logging a ticket in sladesk (lookups of
  one row in small tables, the counter UPDATE ... RETURNING, four INSERTs), as plain SQL, so
  the difference from sladesk is the ORM and the business rules, not the round trips.
"""

from __future__ import annotations

import json
import os

import django
from django.conf import settings

settings.configure(
    DEBUG=False,
    SECRET_KEY="floor-bench-only-" + "x" * 40,
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
    DATABASES={
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": os.environ.get("FLOOR_DB", "sladesk_floor"),
            "HOST": "127.0.0.1",
            "USER": "postgres",
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            # As sladesk connects to PostgreSQL (src/sladesk/settings.py).
            "OPTIONS": {"server_side_binding": True, "prepare_threshold": 5},
        }
    },
    USE_TZ=True,
)
django.setup()

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.urls import path  # noqa: E402
from ninja import NinjaAPI, Schema  # noqa: E402

api = NinjaAPI(urls_namespace="floor")


class TicketIn(Schema):
    module_id: int
    version: str
    overview: str
    description: str = ""
    affected: str
    problem_since: str
    error_details: str
    business_impact: str
    proposed_priority: str = ""


LOOKUPS = [
    "SELECT id, user_id, scopes FROM floor_token WHERE digest = %s",
    "SELECT id, name FROM floor_module WHERE id = %s",
    "SELECT id, name, phone FROM floor_contact WHERE id = %s",
    "SELECT version FROM floor_version WHERE module_id = %s",
    "SELECT id, coverage FROM floor_contract WHERE id = %s",
    "SELECT id, data FROM floor_policy WHERE id = %s",
    "SELECT id, data FROM floor_calendar WHERE id = %s",
    "SELECT id, day FROM floor_calendar_date WHERE calendar_id = %s",
    "SELECT id, subject FROM floor_template WHERE id = %s",
    "SELECT id, url FROM floor_endpoint WHERE id = %s",
]


@api.post("/one")
def one(request: object, payload: TicketIn) -> dict[str, object]:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO floor_ticket (payload, created_at) VALUES (%s, now()) RETURNING id",
            [json.dumps(payload.dict())],
        )
        (pk,) = cursor.fetchone()
    return {"id": pk}


@api.post("/many")
def many(request: object, payload: TicketIn) -> dict[str, object]:
    body = json.dumps(payload.dict())
    with connection.cursor() as cursor:
        cursor.execute(LOOKUPS[0], ["1"])
        cursor.fetchall()
        for sql in LOOKUPS[1:4]:
            cursor.execute(sql, [1])
            cursor.fetchall()
        with transaction.atomic():
            for sql in LOOKUPS[4:9]:
                cursor.execute(sql, [1])
                cursor.fetchall()
            cursor.execute(
                "UPDATE floor_counter SET value = value + 1 WHERE id = 1 RETURNING value"
            )
            (number,) = cursor.fetchone()
            cursor.execute(
                "INSERT INTO floor_ticket (payload, created_at) VALUES (%s, now()) RETURNING id",
                [body],
            )
            (pk,) = cursor.fetchone()
            for table in ("floor_audit", "floor_outbox", "floor_event"):
                cursor.execute(
                    f"INSERT INTO {table} (ticket_id, payload, created_at) VALUES (%s, %s, now())",
                    [pk, body],
                )
            cursor.execute(LOOKUPS[9], [1])
            cursor.fetchall()
    return {"id": pk, "reference": f"CS-{number}"}


urlpatterns = [path("", api.urls)]
application = get_wsgi_application()
