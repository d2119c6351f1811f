#!/usr/bin/env bash
# The deadline-rush benchmark: gunicorn with production settings on loopback, then three locust runs
# (8 and 32 users without think time: req/s; 300 users with a 10 s mean think time: p50/p95).
# Usage: bench/rush/run.sh LABEL        (recipes and the environment it reads: bench/README.md)
set -euo pipefail
cd "$(dirname "$0")/../.."
LABEL=${1:?label}
OUT=${RUSH_OUT:-.artifacts/rush}/$LABEL
PORT=${RUSH_PORT:-8089}
WORKERS=${RUSH_WORKERS:-4}
THROUGHPUT_SECONDS=${RUSH_THROUGHPUT_SECONDS:-45}
RUSH_SECONDS=${RUSH_SECONDS:-120}
mkdir -p "$OUT"
export DJANGO_SETTINGS_MODULE=config.settings.production
export SECRET_KEY=${SECRET_KEY:-bench-only-not-a-secret-0123456789-abcdefghijklmnopqrstuvwxyz}
export ALLOWED_HOSTS=127.0.0.1 SECURE_SSL_REDIRECT=0 STATIC_ROOT=${STATIC_ROOT:-$PWD/.artifacts/rush-static}
export LOG_LEVEL=WARNING
: "${DATABASE_URL:?DATABASE_URL}" "${REDIS_URL:?REDIS_URL}"
.venv/bin/python manage.py collectstatic --noinput -v0
.venv/bin/python bench/rush/make_sessions.py "$OUT/sessions.json" >/dev/null
# RUSH_GUNICORN_ARGS: extra options, e.g. "--worker-class gthread --threads 4".
# shellcheck disable=SC2086
.venv/bin/gunicorn config.wsgi:application --bind "127.0.0.1:$PORT" --workers "$WORKERS" --timeout 120 \
    --access-logfile /dev/null --error-logfile "$OUT/gunicorn.log" ${RUSH_GUNICORN_ARGS:-} &
GUNICORN=$!
trap 'kill $GUNICORN; wait $GUNICORN 2>/dev/null || true' EXIT
for _ in $(seq 60); do curl -s -o /dev/null "http://127.0.0.1:$PORT/login/" && break; sleep 0.5; done
run() {  # name users think seconds
    RUSH_SESSIONS="$OUT/sessions.json" RUSH_THINK=$3 .venv/bin/locust -f bench/rush/locustfile.py --headless \
        --host "http://127.0.0.1:$PORT" --users "$2" --spawn-rate "$(( $2 < 50 ? $2 : 10 ))" --run-time "$4s" \
        --stop-timeout 15 --csv "$OUT/$1" --only-summary --loglevel WARNING >"$OUT/$1.txt" 2>&1 || true
}
run warmup 8 0 15
run c8 8 0 "$THROUGHPUT_SECONDS"
run c32 32 0 "$THROUGHPUT_SECONDS"
run u300 300 10 "$RUSH_SECONDS"
.venv/bin/python bench/rush/summary.py "$OUT"
