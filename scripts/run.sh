#!/usr/bin/env bash
# `make run`: prepare the database, then serve the web app (the production server, config/server.py) and
# an RQ worker until Ctrl-C. Data is kept between runs.
#
# The long-running processes are started with `serve`, each leading a process group of its own with its
# children. When one of them stops, for whatever reason, the others are stopped too and this script exits,
# so that a new `make run` starts from nothing; a child left behind by a killed process (an RQ scheduler
# whose worker was SIGKILLed) is killed with its group. On Linux the processes also get SIGTERM if this
# script is killed, even with SIGKILL.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
export PYTHONUNBUFFERED=1

$BIN/python manage.py migrate --noinput
$BIN/python manage.py collectstatic --noinput --verbosity 0
$BIN/python manage.py seed_demo --invoices "${DEMO_INVOICES:-300}"
$BIN/python manage.py ensure_superuser

set -m  # job control: each process started below leads a process group
die_with_this_script=()
if setpriv --pdeathsig TERM true 2>/dev/null; then
  die_with_this_script=(setpriv --pdeathsig TERM)
fi
leaders=()
serve() {
  "${die_with_this_script[@]}" "$@" &
  leaders+=($!)
}
stop() {
  trap - EXIT INT TERM  # a second Ctrl-C ends this script; the processes then get SIGTERM again (above)
  kill -TERM "${leaders[@]}" 2>/dev/null || true
  [[ -z ${announcer:-} ]] || kill -TERM -- "-$announcer" 2>/dev/null || true
  wait "${leaders[@]}" 2>/dev/null || true
  for leader in "${leaders[@]}"; do kill -KILL -- "-$leader" 2>/dev/null || true; done
}
trap stop EXIT
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM

serve $BIN/python -m config.server --host "$HOST" --port "$PORT"
serve $BIN/python manage.py rqworker default --verbosity 0  # warnings and errors only: the links stay in view

# Said once the server answers, so that the server's start-up lines do not bury it. In the background, so
# that a server that stops while it starts is noticed at once (`wait -n` below waits for the leaders only).
announce() {
  $BIN/python -c "
import sys, time, urllib.request
for _ in range(600):
    try:
        urllib.request.urlopen('http://$HOST:$PORT/v1/', timeout=1)
        sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit(1)
" && echo "Open http://$HOST:$PORT/ : the admin is at /admin/, the API docs at /v1/docs/.   (Ctrl-C stops)"
}
announce &
announcer=$!
status=0
wait -n "${leaders[@]}" || status=$?
echo "A process stopped (exit status $status); stopping the others." >&2
exit "$status"
