#!/usr/bin/env bash
# Runs the whole suite against a throwaway PostgreSQL and Redis and real Chromium; stops them always.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/venv.sh
scripts/chromium.sh
source scripts/pg.sh
source scripts/redis.sh
trap 'pg_stop; redis_stop' EXIT
pg_start
redis_start
export DJANGO_ALLOW_ASYNC_UNSAFE=true
export SECRET_KEY="${SECRET_KEY:-test-only-not-secret}"
export ALLOWED_HOSTS="${ALLOWED_HOSTS:-testserver,localhost,127.0.0.1}"
# Plain HTTP on localhost for the test servers; production keeps the secure defaults.
export SECURE_SSL_REDIRECT=false SECURE_COOKIES=false SECURE_HSTS_SECONDS=0 PLAIN_STATIC=true
.venv/bin/python -m pytest "$@"
