"""The catalogue's version (exercises.CatalogueVersion): raised by the database in the same
transaction as any change to the catalogue's tables, however it is made (the admin, a bulk update,
`load_catalogue`, raw SQL), so a cached catalogue page is never older than the version it carries.

The new value is at least the current time in microseconds, so a version never comes back after
the row is lost (a restored or emptied table) and meets a fragment kept under it before.
PostgreSQL: one statement-level trigger per table. SQLite (`make run`): row-level triggers.
"""

TABLES = [
    "exercises_condition",
    "exercises_exercise",
    "exercises_exercise_suits",
    "exercises_exercisepicture",
    "exercises_conditionnote",
    "exercises_programtemplate",
    "exercises_templateitem",
]
ROW = "exercises_catalogueversion"
POSTGRESQL_NEXT = (
    f"GREATEST({ROW}.value + 1, (extract(epoch FROM clock_timestamp()) * 1000000)::bigint)"
)
SQLITE_NEXT = f"MAX({ROW}.value + 1, CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER))"


def _upsert(next_value):
    return (
        f"INSERT INTO {ROW} (id, value) VALUES (1, 1) "
        f"ON CONFLICT (id) DO UPDATE SET value = {next_value}"
    )


def postgresql_sql():
    create = [
        f"""CREATE FUNCTION exercises_catalogue_changed() RETURNS trigger AS $$
        BEGIN {_upsert(POSTGRESQL_NEXT)}; RETURN NULL; END $$ LANGUAGE plpgsql"""
    ]
    drop = []
    for table in TABLES:
        name = f"{table}_catalogue_version"
        create.append(
            f"CREATE TRIGGER {name} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION exercises_catalogue_changed()"
        )
        drop.append(f"DROP TRIGGER IF EXISTS {name} ON {table}")
    drop.append("DROP FUNCTION IF EXISTS exercises_catalogue_changed()")
    return create, drop


def sqlite_sql():
    create, drop = [], []
    for table in TABLES:
        for event in ("INSERT", "UPDATE", "DELETE"):
            name = f"{table}_catalogue_version_{event.lower()}"
            create.append(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW "
                f"BEGIN {_upsert(SQLITE_NEXT)}; END"
            )
            drop.append(f"DROP TRIGGER IF EXISTS {name}")
    return create, drop


def _run(schema_editor, which):
    vendor = schema_editor.connection.vendor
    for sql in {"postgresql": postgresql_sql, "sqlite": sqlite_sql}[vendor]()[which]:
        schema_editor.execute(sql, params=None)


def install(apps, schema_editor):
    apps.get_model("exercises", "CatalogueVersion").objects.get_or_create(pk=1)
    _run(schema_editor, 0)


def uninstall(apps, schema_editor):
    _run(schema_editor, 1)
