#!/usr/bin/env bash
# Start Yure with the demo district on the embedded default (SQLite + django-q2's ORM broker).
# Sets up .venv on first use; safe to run again (migrations and the demo seed are idempotent).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/venv.sh
venv_ready requirements.txt
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null && ! { command -v msgfmt >/dev/null \
    && ldconfig -p | grep -q libpangoft2-1.0 && fc-list :lang=zh | grep -q .; }; then
  # Translations need gettext; the monthly report's PDF needs Pango and a Chinese font.
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext libpango-1.0-0 \
    libpangoft2-1.0-0 fonts-noto-cjk >/dev/null
fi
export DEBUG=${DEBUG:-1}
# Text messages go to the outbox (staff menu: 短信发件箱) instead of a provider, so nothing is "skipped".
export SMS_PROVIDER=${SMS_PROVIDER:-outbox}
PORT=${PORT:-8000}
export SITE_URL=${SITE_URL:-http://127.0.0.1:${PORT}}
manage() { .venv/bin/python manage.py "$@"; }
# Translations first: migrate runs the start-up checks, which refuse zh-hans without its compiled catalogue.
manage compilemessages --ignore=.venv -v0
manage migrate --noinput -v0
manage seed_demo
if manage help roster >/dev/null 2>&1; then
  # Give the demo something to look at: next week's draft for the first community, solved on the queue.
  manage roster generate --community 1 --week "$(date -d 'next monday' +%F)" >/dev/null || true
fi
# Started directly, not through manage(): $! must be the Python process itself, not a subshell around it.
# Each in its own process group (job control on while they start), so stopping the demo stops the groups: the
# server that runserver's autoreloader runs as its child and the worker processes of qcluster go too, where a
# kill of the parent alone left them running.
set -m
.venv/bin/python manage.py qcluster >qcluster.log 2>&1 &
QCLUSTER=$!
.venv/bin/python manage.py runserver "127.0.0.1:${PORT}" &
WEB=$!
set +m
# Both run in the background and the script waits for them: bash runs a trap only between commands, so with the
# web server in the foreground `kill <this script>` left the worker running. Ctrl-C reaches only this script
# (the groups are not the terminal's foreground), and its trap stops both.
stop() {
  trap - EXIT INT TERM
  kill -TERM -- "-$WEB" "-$QCLUSTER" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap stop EXIT
trap 'exit 143' TERM
trap 'exit 130' INT
echo
# Only links the demo logins can open (no demo login may open the Django admin).
echo "Yure is running at http://127.0.0.1:${PORT}/  (操作记录 / activity log: http://127.0.0.1:${PORT}/audit/)"
echo "Demo logins (password yure-demo-2026): district (district administrator), secretary1 … secretary6"
echo "Task worker log: qcluster.log. Stop with Ctrl-C."
wait "$WEB"
