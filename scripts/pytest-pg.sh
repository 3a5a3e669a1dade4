#!/usr/bin/env bash
# Development helper: pytest against a throwaway PostgreSQL and Redis, without the install steps of make test.
set -euo pipefail
cd "$(dirname "$0")/.."
PG_PORT=${PG_PORT:-$((56000 + RANDOM % 1000))}
source scripts/pg.sh
source scripts/redis.sh
trap 'pg_stop; redis_stop' EXIT
pg_start
redis_start
export DJANGO_ALLOW_ASYNC_UNSAFE=true SECRET_KEY=test-only ALLOWED_HOSTS=testserver,localhost,127.0.0.1
export SECURE_SSL_REDIRECT=false SECURE_COOKIES=false SECURE_HSTS_SECONDS=0 PLAIN_STATIC=true
.venv/bin/python -m pytest "$@"
