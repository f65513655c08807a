# Sourced by demo.sh and test.sh: make .venv with Python 3.11 (or python3) on first use and install the
# requirements file given as $1 into it.
venv_ready() {
  local python=${PYTHON:-python3.11}
  command -v "$python" >/dev/null 2>&1 || python=python3
  [ -x .venv/bin/python ] || "$python" -m venv .venv
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -r "$1"
}
