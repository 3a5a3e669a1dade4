#!/usr/bin/env bash
# Throwaway Redis (the cache every app server shares): `source scripts/redis.sh` then `redis_start`;
# redis_stop runs from a trap. Nothing is written to disk.
REDIS_PORT=${REDIS_PORT:-$((57000 + RANDOM % 1000))}
redis_start() {
    if ! command -v redis-server >/dev/null; then
        echo "redis-server not found; installing Debian's redis-server" >&2
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
    fi
    REDIS_TMP=$(mktemp -d)
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no \
        --dir "$REDIS_TMP" --pidfile "$REDIS_TMP/redis.pid" --logfile "$REDIS_TMP/log" \
        --maxmemory 256mb --maxmemory-policy allkeys-lru --daemonize yes
    for _ in $(seq 50); do
        redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break
        sleep 0.1
    done
    redis-cli -p "$REDIS_PORT" ping >/dev/null || { cat "$REDIS_TMP/log" >&2; return 1; }
    export CACHE_URL="redis://127.0.0.1:$REDIS_PORT/0"
}
redis_stop() {
    if [ -n "${REDIS_TMP:-}" ] && [ -f "$REDIS_TMP/redis.pid" ]; then
        kill "$(cat "$REDIS_TMP/redis.pid")" 2>/dev/null || true
    fi
    [ -n "${REDIS_TMP:-}" ] && rm -rf "$REDIS_TMP"
    return 0
}
