#!/usr/bin/env bash
# Install the test dependencies and run the whole test suite.
# Uses DATABASE_URL / REDIS_URL when set (CI runs it once on SQLite and once on PostgreSQL + Redis).
set -euo pipefail
cd "$(dirname "$0")/.."
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
exec .venv/bin/python -m pytest "$@"
