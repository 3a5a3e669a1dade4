#!/usr/bin/env bash
# make bench: gunicorn (DEBUG off) on PostgreSQL, wrk from a second process, two data sizes.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/venv.sh
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
PG_PORT=${PG_PORT:-55434}
source scripts/pg.sh
REDIS_PORT=${REDIS_PORT:-55435}
source scripts/redis.sh
APP_PORT=${APP_PORT:-8765}
DURATION=${BENCH_SECONDS:-10}
OUT=${BENCH_OUT:-bench-results}
GUNICORN_PID=""
cleanup() { [ -n "$GUNICORN_PID" ] && kill "$GUNICORN_PID" 2>/dev/null; pg_stop; redis_stop; }
trap cleanup EXIT
pg_start
redis_start  # the shared cache (CACHE_URL), as in production
source scripts/prod-env.sh
PY=.venv/bin/python
$PY manage.py migrate -v0
$PY manage.py collectstatic --no-input -v0
$PY manage.py load_catalogue -v0
mkdir -p "$OUT"

start_app() {
    .venv/bin/gunicorn hipcare.wsgi --bind "127.0.0.1:$APP_PORT" --workers 2 --log-level warning &
    GUNICORN_PID=$!
    for _ in $(seq 50); do curl -sf "http://127.0.0.1:$APP_PORT/healthz" >/dev/null && return; sleep 0.2; done
    echo "gunicorn did not start" >&2; exit 1
}
stop_app() { kill "$GUNICORN_PID"; wait "$GUNICORN_PID" 2>/dev/null || true; GUNICORN_PID=""; }

login() {  # prints the session cookie after a real log-in through the form
    local jar; jar=$(mktemp)
    curl -s -c "$jar" -b "$jar" "http://127.0.0.1:$APP_PORT/accounts/login/" >/dev/null
    local token; token=$(awk '/csrftoken/ {print $7}' "$jar")
    curl -s -c "$jar" -b "$jar" -o /dev/null -H "Referer: http://127.0.0.1:$APP_PORT/accounts/login/" \
        --data-urlencode "csrfmiddlewaretoken=$token" --data-urlencode "username=$1" \
        --data-urlencode "password=scale-data" "http://127.0.0.1:$APP_PORT/accounts/login/"
    case "$1" in *physio*)  # the second factor, with the key make_scale_data gave physios
        token=$(awk '/csrftoken/ {print $7}' "$jar")
        local code; code=$(.venv/bin/python manage.py shell -v0 -c "from django_otp.oath import totp; from plans.scale import SCALE_TOTP_KEY; print(f'{totp(bytes.fromhex(SCALE_TOTP_KEY)):06d}')" | tail -1)
        curl -s -c "$jar" -b "$jar" -o /dev/null -H "Referer: http://127.0.0.1:$APP_PORT/accounts/two-factor/" \
            --data-urlencode "csrfmiddlewaretoken=$token" --data-urlencode "token=$code" \
            "http://127.0.0.1:$APP_PORT/accounts/two-factor/"
    esac
    echo "sessionid=$(awk '/sessionid/ {print $7}' "$jar")"
    rm -f "$jar"
}

run_size() {  # label prefix physios patients weeks
    local label=$1 prefix=$2
    $PY manage.py make_scale_data --prefix "$prefix" --physios "$3" --patients "$4" --weeks "$5" | tail -1
    $PY manage.py shell -c "
from plans.models import SessionEntry
print('ticked exercises in the database:', SessionEntry.objects.count())" | tail -1 | tee "$OUT/$label-rows.txt"
    # Settle the database after the bulk load, so autovacuum and checkpoints do not run
    # during the measurement (the catalogue page, whose data never changes, is the control).
    $PY manage.py shell -c "
from django.db import connection
cursor = connection.cursor()
cursor.execute('VACUUM (ANALYZE)')
cursor.execute('CHECKPOINT')"
    # Queries per page, each with the cache empty and then warm (in-process, the test client).
    $PY scripts/profile_pages.py "$prefix" --queries > "$OUT/$label-queries.json"
    $PY manage.py shell -v0 -c "from django.core.cache import cache; cache.clear()"
    start_app
    local physio patient patient_id exercise_slug
    physio=$(login "$prefix-physio-0"); patient=$(login "$prefix-patient-0")
    patient_id=$($PY manage.py shell -c "
from hipcare.models import User; print(User.objects.get(username='$prefix-patient-0').pk)" | tail -1)
    exercise_slug=$($PY manage.py shell -c "
from exercises.models import Exercise; print(Exercise.objects.order_by('pk').first().slug)" | tail -1)
    : > "$OUT/$label.jsonl"
    while read -r page cookie path; do
        code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: ${!cookie:-}" "http://127.0.0.1:$APP_PORT$path")
        [ "$code" = 200 ] || { echo "$page answered $code" >&2; exit 1; }
        wrk -t1 -c8 -d2s -H "Cookie: ${!cookie:-}" "http://127.0.0.1:$APP_PORT$path" >/dev/null  # warm-up
        result=$(wrk -t1 -c8 -d"${DURATION}s" -s scripts/bench.lua -H "Cookie: ${!cookie:-}" \
            "http://127.0.0.1:$APP_PORT$path" | tail -1)
        echo "{\"page\": \"$page\", \"size\": \"$label\", \"result\": $result}" >> "$OUT/$label.jsonl"
        echo "$label $page $result"
    done <<EOF2
healthz none /healthz
caseload physio /caseload/
patient-page physio /patients/$patient_id/
checklist patient /today/
history patient /history/
my-program patient /my-program/
catalogue physio /catalogue/
exercise physio /catalogue/$exercise_slug/
EOF2
    stop_app
}

# About 10,000 and 1,000,000 ticked exercises; each physio has 20 patients in both.
run_size small small 2 40 12
run_size large large "${LARGE_PHYSIOS:-75}" "${LARGE_PATIENTS:-1500}" "${LARGE_WEEKS:-52}"
$PY scripts/bench_table.py "$OUT" | tee "$OUT/table.md"
