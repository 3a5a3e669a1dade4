#!/usr/bin/env bash
# make scale-out: two gunicorn instances behind nginx on one PostgreSQL. Patients log in through
# one instance and tick their exercises through nginx while wrk loads the checklist; one instance
# is killed (SIGKILL, the whole process group) mid-run. scripts/scale_out.py then counts every
# tick in the database: each acknowledged tick exactly once, and how many requests failed.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/venv.sh
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || {
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null
}
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
PG_PORT=${PG_PORT:-55436}
source scripts/pg.sh
REDIS_PORT=${REDIS_PORT:-55437}
source scripts/redis.sh  # the cache both instances share
PORT_A=${PORT_A:-8771} PORT_B=${PORT_B:-8772} PORT_LB=${PORT_LB:-8770}
RUN=$(mktemp -d)
PIDS=()
cleanup() {
    [ -f "$RUN/nginx.pid" ] && kill "$(cat "$RUN/nginx.pid")" 2>/dev/null
    for pid in "${PIDS[@]}"; do kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true; done
    pg_stop
    redis_stop
    rm -rf "$RUN"
}
trap cleanup EXIT
pg_start
redis_start
source scripts/prod-env.sh
PY=.venv/bin/python
$PY manage.py migrate -v0
$PY manage.py collectstatic --no-input -v0
$PY manage.py load_catalogue -v0
$PY manage.py make_scale_data --prefix so --physios 2 --patients "${SCALE_OUT_PATIENTS:-24}" --weeks 2 | tail -1

start_instance() {  # port; each instance in its own process group, so a kill takes all its workers
    setsid .venv/bin/gunicorn hipcare.wsgi --bind "127.0.0.1:$1" --workers 2 --log-level warning \
        --graceful-timeout 1 &
    PIDS+=($!)
    disown $!  # its death is the point of the run, not news
    for _ in $(seq 50); do curl -sf "http://127.0.0.1:$1/healthz" >/dev/null && return; sleep 0.2; done
    echo "gunicorn on $1 did not start" >&2; exit 1
}
start_instance "$PORT_A"; PID_A=${PIDS[-1]}
start_instance "$PORT_B"; PID_B=${PIDS[-1]}

mkdir -p "$RUN/tmp"; chmod -R 777 "$RUN"
sed -e "s|@RUN@|$RUN|g" -e "s|@PORT_A@|$PORT_A|g" -e "s|@PORT_B@|$PORT_B|g" -e "s|@PORT_LB@|$PORT_LB|g" \
    scripts/nginx-scale-out.conf > "$RUN/nginx.conf"
"$NGINX" -c "$RUN/nginx.conf" -p "$RUN"
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT_LB/healthz" >/dev/null && break; sleep 0.1; done

# Logs in through instance A, ticks through nginx, kills instance B a few seconds in.
$PY scripts/scale_out.py --login "http://127.0.0.1:$PORT_A" --through "http://127.0.0.1:$PORT_LB" \
    --kill "$PID_B" --prefix so | tee "${SCALE_OUT_LOG:-/dev/null}"
echo "nginx: $(grep -c 'upstream' "$RUN/error.log" || true) requests to the killed instance failed" \
    "and were sent to the other one (its error log)" | tee -a "${SCALE_OUT_LOG:-/dev/null}"
