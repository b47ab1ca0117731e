#!/usr/bin/env bash
# The load test, end to end, on this machine only (127.0.0.1):
#   1. the load database (created if missing), migrated and seeded with the
#      organisation of PEOPLE people (bench/seed_load.py; kept for the next run);
#   2. collectstatic, then gunicorn with production settings (DEBUG=0) on 127.0.0.1;
#   3. locust, headless: USERS virtual users for DURATION (50 users, 3 minutes);
#   4. gunicorn stopped, and a table per page: requests, failures, p50, p95.
# Exits non-zero when any request failed.
#
#   bench/loadtest/run.sh                       # or: make loadtest
#   USERS=20 DURATION=1m bench/loadtest/run.sh
#   PEOPLE=50000 LOADTEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/mentoring_load50k bench/loadtest/run.sh
#
# Settings (environment): LOADTEST_DATABASE_URL (postgres://postgres@127.0.0.1:5432/mentoring_load),
# LOADTEST_REDIS_URL (redis://127.0.0.1:6379/7: the shared cache of the gunicorn workers),
# PEOPLE (10000), USERS (50), SPAWN_RATE (10), DURATION (3m), WORKERS (3), PORT (8123).
set -euo pipefail
cd "$(dirname "$0")/../.."

PY=${PY:-.venv/bin/python}
[ -x "$PY" ] || PY=python3
BIN=$(dirname "$PY")
DATABASE_URL=${LOADTEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/mentoring_load}
REDIS_URL=${LOADTEST_REDIS_URL:-redis://127.0.0.1:6379/7}
PEOPLE=${PEOPLE:-10000}
USERS=${USERS:-50}
SPAWN_RATE=${SPAWN_RATE:-10}
DURATION=${DURATION:-3m}
WORKERS=${WORKERS:-3}
PORT=${PORT:-8123}
OUT=var/loadtest
mkdir -p "$OUT"

# Production-like settings, except plain HTTP on localhost (SECURE=0). The
# virtual users arrive as through a reverse proxy (see locustfile.py).
export DATABASE_URL CACHE_URL="$REDIS_URL" CELERY_BROKER_URL="$REDIS_URL"
export DEBUG=0 SECURE=0 ALLOWED_HOSTS=127.0.0.1 BEHIND_PROXY=1 TRUSTED_PROXY_COUNT=1 LOG_LEVEL=WARNING
SECRET_KEY=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(60))')
export SECRET_KEY

echo "== database"
"$PY" bench/loadtest/create_database.py
"$PY" manage.py migrate --no-input -v 0
"$PY" bench/seed_load.py --people "$PEOPLE" --manifest "$OUT/accounts.json"
"$PY" manage.py collectstatic --no-input -v 0
"$PY" manage.py clearsessions

echo "== gunicorn: $WORKERS workers on 127.0.0.1:$PORT"
# The command of docs/deployment.md, on 127.0.0.1:$PORT.
"$BIN/gunicorn" mentoring.wsgi --bind "127.0.0.1:$PORT" --workers "$WORKERS" --timeout 300 --graceful-timeout 30 \
  --max-requests 2000 --max-requests-jitter 200 --access-logfile "$OUT/access.log" --error-logfile "$OUT/gunicorn.log" &
GUNICORN=$!
trap 'kill "$GUNICORN" 2>/dev/null; wait "$GUNICORN" 2>/dev/null || true' EXIT
for _ in $(seq 60); do
  if "$PY" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/accounts/login/', timeout=2)" 2>/dev/null; then
    break
  fi
  kill -0 "$GUNICORN" 2>/dev/null || { echo "gunicorn stopped; see $OUT/gunicorn.log"; exit 1; }
  sleep 0.5
done

echo "== locust: $USERS users (+$SPAWN_RATE/s) for $DURATION"
status=0
rm -f "$OUT/sign_in.json"
LOADTEST_MANIFEST="$OUT/accounts.json" LOADTEST_SIGN_IN_STATS="$OUT/sign_in.json" timeout 15m "$BIN/locust" -f bench/loadtest/locustfile.py \
  --host "http://127.0.0.1:$PORT" --headless -u "$USERS" -r "$SPAWN_RATE" -t "$DURATION" --stop-timeout 10 \
  --csv "$OUT/result" --only-summary --loglevel WARNING --exit-code-on-error 1 || status=$?

kill "$GUNICORN" 2>/dev/null; wait "$GUNICORN" 2>/dev/null || true
trap - EXIT
"$PY" bench/loadtest/report.py "$OUT/result_stats.csv" "$OUT/result_failures.csv"
exit "$status"
