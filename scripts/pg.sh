#!/usr/bin/env bash
# Throwaway PostgreSQL cluster: `source scripts/pg.sh` then `pg_start`; pg_stop runs from a trap.
PG_PORT=${PG_PORT:-55432}
pg_bindir() {
    if command -v pg_config >/dev/null && [ -x "$(pg_config --bindir)/initdb" ]; then
        pg_config --bindir; return
    fi
    ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1
}
pg_run() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
pg_start() {
    local bin; bin=$(pg_bindir)
    if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
        echo "PostgreSQL server binaries not found; installing postgresql" >&2
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
        bin=$(pg_bindir)
    fi
    PGTMP=$(mktemp -d)
    if [ "$(id -u)" = 0 ]; then chown postgres: "$PGTMP"; fi
    pg_run "$bin/initdb" -D "$PGTMP/data" -U postgres --auth=trust -E UTF8 --no-sync >"$PGTMP/initdb.log" 2>&1 \
        || { cat "$PGTMP/initdb.log" >&2; return 1; }
    pg_run "$bin/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/log" -w \
        -o "-p $PG_PORT -k $PGTMP -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >/dev/null || { cat "$PGTMP/log" >&2; return 1; }
    PG_BIN=$bin
    "$bin/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres hipcare
    export DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/hipcare"
}
pg_stop() {
    if [ -n "${PGTMP:-}" ] && [ -d "$PGTMP/data" ]; then
        pg_run "${PG_BIN:-$(pg_bindir)}/pg_ctl" -D "$PGTMP/data" -m immediate -w stop >/dev/null 2>&1 || true
        rm -rf "$PGTMP"
    fi
}
