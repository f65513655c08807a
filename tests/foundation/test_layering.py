"""The apps depend one way, shifts -> volunteers: nothing under volunteers/ imports shifts, not even inside a
function or through importlib, so volunteers can be read, tested and changed without the rostering side.
volunteers tells shifts what happened through volunteers.signals; pages that combine people with rosters live
in shifts."""

import ast
from pathlib import Path

import volunteers

VOLUNTEERS_DIR = Path(volunteers.__file__).resolve().parent
_DYNAMIC_IMPORTERS = {"import_module", "import_string", "__import__"}


def _imports_shifts(source: str) -> list[int]:
    """Line numbers of every import of shifts in the source: import statements anywhere, and
    importlib.import_module / import_string / __import__ called with a literal "shifts..." name."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called in _DYNAMIC_IMPORTERS and isinstance(node.args[0].value, str):
                names = [node.args[0].value]
        if any(name.split(".")[0] == "shifts" for name in names):
            lines.append(node.lineno)
    return sorted(lines)


def test_no_module_under_volunteers_imports_shifts():
    offenders = []
    for path in sorted(VOLUNTEERS_DIR.rglob("*.py")):
        for line in _imports_shifts(path.read_text(encoding="utf-8")):
            offenders.append(f"{path.relative_to(VOLUNTEERS_DIR.parent)}:{line}")
    assert offenders == []


def test_the_check_finds_every_way_of_importing():
    source = (
        "import shifts\n"
        "from shifts.models import Shift\n"
        "def later():\n"
        "    from shifts import signals\n"
        "    importlib.import_module('shifts.rostering.rosters')\n"
        "    import_string('shifts.messaging.notify.EmailSender')\n"
        "import shiftsy\n"
        "from .shifts_like import x\n"
        "from volunteers.models import Member\n"
    )
    assert _imports_shifts(source) == [1, 2, 4, 5, 6]
