#!/usr/bin/env bash
# Install the test dependencies and run the whole test suite.
# Uses DATABASE_URL / REDIS_URL when set (CI runs it once on SQLite and once on PostgreSQL + Redis).
# YURE_TEST_SETUP=only installs and stops; YURE_TEST_SETUP=done runs pytest on what is installed. .ci/run uses
# them to install once and then run its two suites side by side (two installs at once would race on .venv and
# tests/js/node_modules, which `npm ci` deletes and lays anew).
set -euo pipefail
cd "$(dirname "$0")/.."

test_setup() {
  . scripts/venv.sh
  venv_ready requirements-dev.txt
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null && ! { [ -x /usr/bin/chromium ] && command -v msgfmt >/dev/null \
      && ldconfig -p | grep -q libpangoft2-1.0; }; then
    # Browser tests need Debian's Chromium and CJK fonts; translations need gettext; the report's PDF (WeasyPrint)
    # needs Pango.
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk gettext \
      libpango-1.0-0 libpangoft2-1.0-0 >/dev/null
  fi
  if [ -f tests/js/package.json ] && command -v npm >/dev/null; then
    (cd tests/js && npm ci --silent --no-audit --no-fund)
  fi
  DEBUG=1 .venv/bin/python manage.py compilemessages --ignore=.venv -v0
}

case "${YURE_TEST_SETUP:-}" in
  "") test_setup ;;
  only) test_setup; exit 0 ;;
  done) ;;
  *) echo "YURE_TEST_SETUP: 'only', 'done' or unset, got '${YURE_TEST_SETUP}'" >&2; exit 2 ;;
esac
exec .venv/bin/python -m pytest "$@"
