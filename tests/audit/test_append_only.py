"""The audit trail is append-only: events cannot be changed or deleted."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from sladesk.audit.models import AppendOnlyError, AuditEvent


def test_an_audit_event_cannot_be_saved_again(world, log):
    ticket = log()
    event = AuditEvent.objects.get(ticket=ticket)
    event.reason = "rewritten"

    with pytest.raises(AppendOnlyError):
        event.save()

    assert AuditEvent.objects.get(pk=event.pk).reason == ""


def test_audit_events_cannot_be_deleted_or_bulk_updated(world, log):
    ticket = log()
    event = AuditEvent.objects.get(ticket=ticket)

    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(ticket=ticket).delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(ticket=ticket).update(reason="x")

    assert AuditEvent.objects.filter(ticket=ticket).count() == 1


def test_the_database_refuses_an_update_of_an_audit_row(world, log):
    ticket = log()
    event = AuditEvent.objects.get(ticket=ticket)
    table = connection.ops.quote_name(AuditEvent._meta.db_table)

    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"UPDATE {table} SET reason = 'x' WHERE id = %s", [event.pk])

    assert AuditEvent.objects.get(pk=event.pk).reason == ""
