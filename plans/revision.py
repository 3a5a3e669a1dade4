"""A program's revision: a number the database raises in the same transaction as any change to
the program, its doses, its sessions, their ticks or their answers, however the change is made
(a view, the admin, a bulk load, a cascade). Whatever is cached about a program (hipcare/cache.py)
is keyed by it, so a cached page is never older than the data it was read with.

PostgreSQL: statement-level triggers with transition tables (one UPDATE of the program rows per
statement, so a bulk insert of a million ticks costs one update per program, not per row).
SQLite (`make run`): row-level triggers.
"""

# (table, how a changed row finds its program's id)
CHILD_TABLES = [
    ("plans_prescription", "plan_id"),
    ("plans_session", "plan_id"),
    (
        "plans_sessionentry",
        "(SELECT s.plan_id FROM plans_session s WHERE s.id = {row}.session_id)",
    ),
    (
        "plans_sessionanswer",
        "(SELECT s.plan_id FROM plans_session s WHERE s.id = {row}.session_id)",
    ),
]
EVENTS = {"INSERT": ["new_rows"], "UPDATE": ["new_rows", "old_rows"], "DELETE": ["old_rows"]}


def _plan_id(expression, row):
    return expression.format(row=row) if "{row}" in expression else f"{row}.{expression}"


def postgresql_sql():
    create = [
        # The program's own changes: any UPDATE of the row raises it (a BEFORE trigger, so an
        # UPDATE that writes a stale revision from memory still moves it forward).
        """CREATE FUNCTION plans_plan_revision_row() RETURNS trigger AS $$
        BEGIN NEW.revision := OLD.revision + 1; RETURN NEW; END $$ LANGUAGE plpgsql""",
        """CREATE TRIGGER plans_plan_revision BEFORE UPDATE ON plans_plan
        FOR EACH ROW EXECUTE FUNCTION plans_plan_revision_row()""",
    ]
    drop = [
        "DROP TRIGGER IF EXISTS plans_plan_revision ON plans_plan",
        "DROP FUNCTION IF EXISTS plans_plan_revision_row()",
    ]
    for table, plan_id in CHILD_TABLES:
        for event, transitions in EVENTS.items():
            name = f"{table}_revision_{event.lower()}"
            ids = " UNION ".join(f"SELECT {_plan_id(plan_id, 'r')} FROM {t} r" for t in transitions)
            referencing = " ".join(
                f"{'NEW' if t == 'new_rows' else 'OLD'} TABLE AS {t}" for t in transitions
            )
            create += [
                f"""CREATE FUNCTION {name}() RETURNS trigger AS $$
                BEGIN
                    UPDATE plans_plan SET revision = revision + 1 WHERE id IN ({ids});
                    RETURN NULL;
                END $$ LANGUAGE plpgsql""",
                f"""CREATE TRIGGER {name} AFTER {event} ON {table}
                REFERENCING {referencing} FOR EACH STATEMENT EXECUTE FUNCTION {name}()""",
            ]
            drop += [
                f"DROP TRIGGER IF EXISTS {name} ON {table}",
                f"DROP FUNCTION IF EXISTS {name}()",
            ]
    return create, drop


def sqlite_sql():
    create = [
        """CREATE TRIGGER plans_plan_revision AFTER UPDATE ON plans_plan
        FOR EACH ROW WHEN NEW.revision <= OLD.revision
        BEGIN UPDATE plans_plan SET revision = OLD.revision + 1 WHERE id = NEW.id; END""",
    ]
    drop = ["DROP TRIGGER IF EXISTS plans_plan_revision"]
    for table, plan_id in CHILD_TABLES:
        for event, transitions in EVENTS.items():
            name = f"{table}_revision_{event.lower()}"
            updates = "".join(
                "UPDATE plans_plan SET revision = revision + 1 "
                f"WHERE id = {_plan_id(plan_id, 'NEW' if t == 'new_rows' else 'OLD')}; "
                for t in transitions
            )
            create.append(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW BEGIN {updates}END"
            )
            drop.append(f"DROP TRIGGER IF EXISTS {name}")
    return create, drop


def _run(schema_editor, which):
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": postgresql_sql, "sqlite": sqlite_sql}[vendor]()[which]
    for sql in statements:
        schema_editor.execute(sql, params=None)


def install(apps, schema_editor):
    _run(schema_editor, 0)


def uninstall(apps, schema_editor):
    _run(schema_editor, 1)
