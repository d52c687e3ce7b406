"""Make the audit table append-only in the database too: UPDATE is refused.

(Deletes are refused by the model layer; the test runner must still be able to empty the
table between tests.)
"""

from django.db import migrations

SQLITE = [
    """
    CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_auditevent
    BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
    """
]
SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS audit_event_no_update;"]
POSTGRES = [
    """
    CREATE OR REPLACE FUNCTION audit_event_no_update() RETURNS trigger AS $$
    BEGIN RAISE EXCEPTION 'audit events are append-only'; END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_event_no_update();
    """,
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_event_no_update ON audit_auditevent;",
    "DROP FUNCTION IF EXISTS audit_event_no_update();",
]


def forward(apps, schema_editor):
    statements = {"sqlite": SQLITE, "postgresql": POSTGRES}.get(schema_editor.connection.vendor)
    for statement in statements or []:
        schema_editor.execute(statement)


def backward(apps, schema_editor):
    statements = {"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}.get(
        schema_editor.connection.vendor
    )
    for statement in statements or []:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
