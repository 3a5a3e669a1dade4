"""The access log is append-only in the database, not only in the code.

PostgreSQL: a trigger refuses every UPDATE, and every DELETE unless the transaction names the
retention period (`SET LOCAL hipcare.access_log_retention_days`, as hipcare.audit.purge does) and
the row is older than it. Whatever the transaction says, a row younger than the floor below
(retention.ACCESS_LOG_RETENTION_MIN_DAYS, written here as it was when this ran) never goes.
SQLite (the zero-setup demo): triggers refuse UPDATE, and DELETE of rows younger than the floor.
TRUNCATE and DROP TRIGGER stay with the table's owner: production runs the application as a
role that does not own the tables (docs/data-rights.md).
"""

from django.db import migrations

PG_FORWARD = """
CREATE FUNCTION hipcare_access_log_append_only() RETURNS trigger AS $$
DECLARE
    days text := current_setting('hipcare.access_log_retention_days', true);
BEGIN
    IF TG_OP = 'UPDATE' THEN
        RAISE EXCEPTION 'the access log is append-only: UPDATE refused';
    END IF;
    IF days IS NULL OR days !~ '^[0-9]{1,6}$'
            OR OLD.at >= now() - make_interval(days => greatest(days::int, 180)) THEN
        RAISE EXCEPTION 'the access log is append-only: DELETE refused within the retention period';
    END IF;
    RETURN OLD;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER hipcare_access_log_append_only
    BEFORE UPDATE OR DELETE ON hipcare_accessevent
    FOR EACH ROW EXECUTE FUNCTION hipcare_access_log_append_only();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS hipcare_access_log_append_only ON hipcare_accessevent;
DROP FUNCTION IF EXISTS hipcare_access_log_append_only();
"""
SQLITE_FORWARD = [
    """CREATE TRIGGER hipcare_access_log_no_update BEFORE UPDATE ON hipcare_accessevent
    BEGIN SELECT RAISE(ABORT, 'the access log is append-only: UPDATE refused'); END;""",
    """CREATE TRIGGER hipcare_access_log_no_delete BEFORE DELETE ON hipcare_accessevent
    WHEN OLD.at >= datetime('now', '-180 days')
    BEGIN SELECT RAISE(ABORT, 'the access log is append-only: DELETE refused'); END;""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS hipcare_access_log_no_update;",
    "DROP TRIGGER IF EXISTS hipcare_access_log_no_delete;",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("hipcare", "0006_existing_users_join_a_clinic")]

    operations = [migrations.RunPython(forwards, backwards)]
