#!/usr/bin/env bash
# Serve the web app and an RQ worker together until Ctrl-C. Data is kept between runs.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export PYTHONUNBUFFERED=1

$BIN/python manage.py migrate --noinput
$BIN/python manage.py seed_demo --invoices "${DEMO_INVOICES:-300}"
$BIN/python manage.py ensure_superuser

$BIN/python manage.py rqworker default --with-scheduler &
WORKER=$!
trap 'kill $WORKER 2>/dev/null; wait $WORKER 2>/dev/null' EXIT INT TERM

echo "Admin: http://${HOST:-127.0.0.1}:${PORT:-8000}/admin/   API: http://${HOST:-127.0.0.1}:${PORT:-8000}/v1/"
$BIN/python manage.py runserver "${HOST:-127.0.0.1}:${PORT:-8000}"
