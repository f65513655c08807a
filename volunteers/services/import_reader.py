"""The child that reads one uploaded spreadsheet for read_sheet_isolated, and the parent's side of it.

    python -m volunteers.services.import_reader   (started by run_child, never by hand)

The parent writes the upload to a private temporary file and one JSON line on the child's stdin: the file's path
and name, the limits, the language and the header synonyms. The child sets its CPU-time limit first, configures a
Django with no apps and no database (only what the messages' translations need), sets its memory limit once its
libraries are loaded, and reads. It answers with JSON lines on stdout: {"progress": rows} now and then, then one
{"sheet": …} or {"error": "plain message"}. Cells travel as JSON, dates and times tagged ({"dt": iso}), so the
parent never unpickles anything the file shaped.

Why a new interpreter (subprocess) and not multiprocessing: a django-q2 worker is a daemonic process, which may
not start multiprocessing children; any process may start a subprocess. The cost is the child's start-up (about
0.9 s and 61 MB peak on a busy machine, without the project's apps).
"""

import datetime as dt
import json
import logging
import os
import resource
import selectors
import subprocess
import sys
import tempfile
import time
from pathlib import Path

logger = logging.getLogger(__name__)

STDERR_TAIL = 2000  # characters of the child's stderr kept in the log when it fails


# --------------------------------------------------------------------------- parent

def run_child(data: bytes, *, filename: str, progress, synonyms: dict[str, str], no_header: str,
              wall_seconds: float) -> dict:
    """Read `data` in a limited child; {"sheet": Sheet} or {"error": message}. Never raises for the file's sake."""
    from django.conf import settings
    from django.utils import translation

    with tempfile.NamedTemporaryFile(prefix="yure-read-", suffix=".upload") as upload, \
            tempfile.TemporaryFile() as errors:
        upload.write(data)
        upload.flush()
        request = {
            "path": upload.name, "filename": filename, "synonyms": synonyms, "no_header": no_header,
            "cpu_seconds": settings.IMPORT_CPU_SECONDS, "memory_mb": settings.IMPORT_MEMORY_MB,
            "max_rows": settings.IMPORT_MAX_ROWS, "language": translation.get_language() or settings.LANGUAGE_CODE,
            "languages": list(settings.LANGUAGES), "locale_paths": [str(p) for p in settings.LOCALE_PATHS],
        }
        started = time.monotonic()
        child = subprocess.Popen([sys.executable, "-m", __name__], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                 stderr=errors, cwd=str(settings.BASE_DIR), env=_child_env(settings.BASE_DIR))
        try:
            outcome = _talk(child, request, progress, started + wall_seconds)
        finally:
            if child.poll() is None:
                child.kill()
            child.wait()
            child.stdout.close()
        if outcome is None or "sheet" not in outcome and "error" not in outcome:
            _log_failure(child.returncode, errors, time.monotonic() - started, settings)
            return {"error": _too_heavy()}
    logger.info("import reader: %s in %.1f s, child peak %d MB", "read" if "sheet" in outcome else "refused",
                time.monotonic() - started, outcome.get("peak_kb", 0) // 1024)
    if "sheet" in outcome:
        outcome["sheet"] = _sheet_from_json(outcome["sheet"])
    return outcome


# What the child inherits of the environment: locale, time zone, temp folder, and libfaketime's variables
# (tests run under it). Never the secrets (SECRET_KEY, DATABASE_URL, SMS keys): a parser bug a crafted file
# finds has nothing to read.
_CHILD_ENV = {"PATH", "LANG", "LANGUAGE", "TZ", "TMPDIR", "LD_PRELOAD", "PYTHONHASHSEED"}


def _child_env(base_dir) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k in _CHILD_ENV or k.startswith(("LC_", "FAKETIME"))}
    env["PYTHONPATH"] = str(base_dir)
    return env


def _talk(child, request: dict, progress, deadline: float) -> dict | None:
    """Send the request, relay progress, return the child's last message (None: stopped or silent)."""
    try:
        child.stdin.write(json.dumps(request).encode() + b"\n")
        child.stdin.close()
    except BrokenPipeError:
        return None
    selector = selectors.DefaultSelector()
    selector.register(child.stdout, selectors.EVENT_READ)
    pending, scanned, outcome = bytearray(), 0, None
    try:
        while outcome is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            if not selector.select(timeout=min(remaining, 1.0)):
                continue
            chunk = os.read(child.stdout.fileno(), 1 << 16)
            if not chunk:
                return None  # the child ended without an answer: stopped by a limit
            pending += chunk
            while (end := pending.find(b"\n", scanned)) >= 0:
                message = json.loads(bytes(pending[:end]), object_hook=_decode_value)
                del pending[:end + 1]
                scanned = 0
                if "progress" in message:
                    progress(int(message["progress"]))
                else:
                    outcome = message
                    break
            else:
                scanned = len(pending)  # look for the end of a long line only in what arrives next
    finally:
        selector.close()
    return outcome


def _log_failure(returncode, errors, seconds: float, settings) -> None:
    errors.seek(0)
    tail = errors.read()[-STDERR_TAIL:].decode("utf-8", "replace")
    if returncode is not None and returncode < 0 or "MemoryError" in tail:
        logger.warning("import reading stopped after %.1f s (exit %s): over %s s CPU, %s MB or the clock",
                       seconds, returncode, settings.IMPORT_CPU_SECONDS, settings.IMPORT_MEMORY_MB)
    else:  # our own code failed: say so loudly, the secretary only reads that the file could not be read
        logger.error("import reader failed after %.1f s (exit %s): %s", seconds, returncode, tail)


def _too_heavy() -> str:
    from django.utils.translation import gettext as _

    return _("This file takes too much time or memory to read; it is not a normal sheet. Copy the rows into a new "
             "sheet, save it as .xlsx and upload that.")


def _sheet_from_json(raw: dict):
    from .import_files import Sheet

    return Sheet(headers=raw["headers"], header_row=raw["header_row"],
                 rows=[(number, cells) for number, cells in raw["rows"]],
                 formula_cells={(row, column) for row, column in raw["formula_cells"]})


# --------------------------------------------------------------------------- cells as JSON

_TAGS = {"dt": dt.datetime.fromisoformat, "d": dt.date.fromisoformat, "t": dt.time.fromisoformat,
         "td": lambda seconds: dt.timedelta(seconds=seconds)}


def _encode_value(value):
    if isinstance(value, dt.datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, dt.date):
        return {"d": value.isoformat()}
    if isinstance(value, dt.time):
        return {"t": value.isoformat()}
    if isinstance(value, dt.timedelta):
        return {"td": value.total_seconds()}
    return str(value)  # anything else a reader may yield is shown as its text


def _decode_value(obj: dict):
    if len(obj) == 1:
        (tag, value), = obj.items()
        if tag in _TAGS:
            return _TAGS[tag](value)
    return obj


# --------------------------------------------------------------------------- child

def _send(message: dict) -> None:
    sys.stdout.write(json.dumps(message, default=_encode_value) + "\n")
    sys.stdout.flush()


def _vm_bytes() -> int:
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _peak_kb() -> int:
    """This interpreter's peak resident memory (VmHWM starts again at exec, unlike getrusage's maxrss)."""
    try:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    except (OSError, StopIteration, ValueError, IndexError):
        return 0


def _configure(request: dict) -> None:
    """A Django without apps or database: enough for gettext in the request's language and the row limit."""
    import django
    from django.conf import settings
    from django.utils import translation

    settings.configure(USE_I18N=True, LANGUAGE_CODE=request["language"],
                       LANGUAGES=[tuple(pair) for pair in request["languages"]], LOCALE_PATHS=request["locale_paths"],
                       IMPORT_MAX_ROWS=request["max_rows"], INSTALLED_APPS=[], LOGGING_CONFIG=None)
    django.setup()
    translation.activate(request["language"])


def main() -> None:
    request = json.loads(sys.stdin.buffer.readline())
    cpu = int(request["cpu_seconds"])
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 2))  # SIGXCPU at the limit, SIGKILL 2 s later
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    _configure(request)
    import openpyxl  # noqa: F401  loaded before the memory limit: the limit is for the file, not the libraries
    from django.utils.translation import gettext as _

    from volunteers.services.import_files import ImportFileError, mapping_from_headers, read_sheet

    limit = _vm_bytes() + int(request["memory_mb"]) * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    synonyms = request["synonyms"]
    failure = ""
    try:
        data = Path(request["path"]).read_bytes()
        sheet = read_sheet(data, request["filename"], progress=lambda rows: _send({"progress": rows}),
                           guess=lambda headers: mapping_from_headers(headers, synonyms),
                           no_header=request["no_header"])
        _send({"sheet": {"headers": sheet.headers, "header_row": sheet.header_row, "rows": sheet.rows,
                         "formula_cells": sorted(sheet.formula_cells)}, "peak_kb": _peak_kb()})
    except ImportFileError as exc:
        failure = str(exc)
    except MemoryError:  # answered outside the handler, once the traceback has let go of the half-read rows
        failure = _("This file takes too much memory to read; it is not a normal sheet.")
    if failure:
        _send({"error": failure, "peak_kb": _peak_kb()})

if __name__ == "__main__":
    main()
