"""The house has floors and every dependency points down: a module, a template or a template tag library may use
only its own layer and the layers below it, never one above and never a peer on the same floor.

    site              scheduler_site's settings, urls, wsgi, asgi: they mount every app
    shifts            what of shifts is not yet in a feature package (while the split goes on) and the app's
                      own urls, admin, apps, tasks
    shifts.reports
    shifts.swaps · shifts.delivered · shifts.feeds     (peers: none uses another)
    shifts.rostering
    shifts.messaging
    volunteers        people, households, staff, logins, calendars, audit, imports
    shell             scheduler_site: page guards, forms helper, middleware, base templates, static files
    solver            pure OR-Tools: imports nothing of Django or of the apps; every layer may use it

"Use" means: a Python import (anywhere in the file, also importlib.import_module / import_string / __import__
with a literal name), a template named in Python (render, inclusion_tag...), and in a template {% extends %},
{% include %} and {% load %} of a tag library. Where a lower layer must react to a higher one it sends a
documented signal (volunteers/signals.py, shifts/signals.py); the shell learns who is staff or a member from
volunteers at start-up (scheduler_site.access.use_people). Links by URL name ({% url %}, redirect) are not
dependencies: the shell's menus name pages of every app.

Which layer a thing belongs to is data, in the tables below (longest prefix wins), so the lead moves a module or
a template by adding a row, not by changing the check.
"""

import ast
import re
from pathlib import Path

from django.template import TemplateDoesNotExist
from django.template.backends.django import get_installed_libraries
from django.template.loader import get_template

ROOT = Path(__file__).resolve().parents[2]

# Floors, lowest first. A layer may use every layer on a lower floor and itself; peers on one floor may not use
# each other.
FLOORS = [
    ("shell",),
    ("volunteers",),
    ("shifts.core",),
    ("shifts.messaging",),
    ("shifts.rostering",),
    ("shifts.swaps", "shifts.delivered", "shifts.feeds"),
    ("shifts.reports",),
    ("shifts",),
    ("site",),
]
# Used by every layer; uses nothing of ours and nothing of Django.
LIBRARIES = {"solver"}
FOREIGN_TO_LIBRARIES = ("django", "scheduler_site", "volunteers", "shifts")

# Python modules: dotted prefix -> layer.
MODULE_LAYERS = {
    "scheduler_site": "shell",
    "scheduler_site.settings": "site",
    "scheduler_site.urls": "site",
    "scheduler_site.wsgi": "site",
    "scheduler_site.asgi": "site",
    "volunteers": "volunteers",
    "shifts": "shifts",
    "shifts.models": "shifts.core",
    "shifts.weeks": "shifts.core",
    "shifts.signals": "shifts.core",
    "shifts.scope": "shifts.core",
    "shifts.messaging": "shifts.messaging",
    "shifts.rostering": "shifts.rostering",
    "shifts.swaps": "shifts.swaps",
    "shifts.delivered": "shifts.delivered",
    "shifts.feeds": "shifts.feeds",
    "shifts.reports": "shifts.reports",
    "shifts.templatetags.delivered": "shifts.delivered",
    "shifts.templatetags.yure_words": "shifts.core",  # words for the codes of shifts.models (a re-plan's cause)
    "solver": "solver",
}
# Templates: by the folder they live in, then (more precise) by their name.
TEMPLATE_DIR_LAYERS = {
    "scheduler_site/templates/": "shell",
    "volunteers/templates/": "volunteers",
    "shifts/templates/": "shifts",
}
TEMPLATE_NAME_LAYERS = {
    "shifts/mail/": "shifts.messaging",
    "shifts/outbox.html": "shifts.messaging",
    "shifts/absence_period.html": "shifts.rostering",
    "shifts/candidates_page.html": "shifts.rostering",
    "shifts/roster_stale.html": "shifts.rostering",
    "shifts/cant_come.html": "shifts.rostering",
    "shifts/confirm_done.html": "shifts.rostering",
    "shifts/confirm_invalid.html": "shifts.rostering",
    "shifts/confirm_link.html": "shifts.rostering",
    "shifts/confirm_link_decline.html": "shifts.rostering",
    "shifts/week_decline.html": "shifts.rostering",
    "shifts/partials/week_decline_form.html": "shifts.rostering",
    "shifts/roster_publish.html": "shifts.rostering",
    "shifts/roster_week.html": "shifts.rostering",
    "shifts/setup/": "shifts.rostering",
    "shifts/print/base.html": "shifts.rostering",
    "shifts/print/week.html": "shifts.rostering",
    "shifts/print/member.html": "shifts.rostering",
    "shifts/print/member_page.html": "shifts.rostering",
    "shifts/print/card.html": "shifts.rostering",
    "shifts/phone_answers.html": "shifts.rostering",
    "shifts/print/version_choice.html": "shifts.rostering",
    "shifts/partials/capacity.html": "shifts.rostering",
    "shifts/partials/reason_fields.html": "shifts.rostering",
    "shifts/partials/dashboard_reach.html": "shifts.rostering",
    "shifts/partials/fill_rate.html": "shifts.rostering",
    "shifts/partials/roster_changes.html": "shifts.rostering",
    "shifts/partials/proposal_told.html": "shifts.rostering",
    "shifts/partials/solve_progress.html": "shifts.rostering",
    "shifts/partials/staffing_problems.html": "shifts.rostering",
    "shifts/cover/": "shifts.rostering",
    "shifts/partials/cover_badge.html": "shifts.rostering",
    "shifts/partials/dashboard_cover.html": "shifts.rostering",
    "shifts/mail/swaps/": "shifts.swaps",
    "shifts/swaps/": "shifts.swaps",
    "shifts/attendance/": "shifts.delivered",
    "shifts/certificates/": "shifts.delivered",
    "shifts/hours/": "shifts.delivered",
    "shifts/kiosk/": "shifts.delivered",
    "shifts/patrol/": "shifts.delivered",
    "shifts/fairness.html": "shifts.delivered",
    "shifts/print/posters.html": "shifts.delivered",
    "shifts/print/certificate.html": "shifts.delivered",
    "shifts/print/sign_in.html": "shifts.delivered",
    "shifts/partials/attendance_buttons.html": "shifts.delivered",
    "shifts/partials/attendance_today.html": "shifts.delivered",
    "shifts/partials/certificate_link.html": "shifts.delivered",
    "shifts/partials/delivered_links.html": "shifts.delivered",
    "shifts/partials/my_hours.html": "shifts.delivered",
    "shifts/partials/welfare_ladders.html": "shifts.delivered",
    "shifts/feeds/": "shifts.feeds",
    "shifts/reports/": "shifts.reports",
}
# Not listed (the shifts floor, on top): dashboard.html, my_shifts.html, member_home.html and
# partials/member_waiting.html, the pages that combine features (shifts/dashboard.py, shifts/member_home.py).
CHECKED_PACKAGES = ("scheduler_site", "volunteers", "shifts", "solver")

_DYNAMIC_IMPORTERS = {"import_module", "import_string", "__import__"}
_TEMPLATE_USE = re.compile(r"""\{%\s*(extends|include)\s+(["'])(?P<name>[^"']+)\2""")
_LOAD = re.compile(r"\{%\s*load\s+(?P<args>[^%]+?)\s*%\}")
_TEMPLATE_NAME = re.compile(r"^[\w./-]+\.(html|txt)$")


def _floor(layer: str) -> int:
    return next(i for i, floor in enumerate(FLOORS) if layer in floor)


def may_use(user: str, used: str | None) -> bool:
    """True when a thing of layer `user` may use one of layer `used` (None: not ours, e.g. Django itself)."""
    if used is None or used == user:
        return True
    if user in LIBRARIES:
        return False
    if used in LIBRARIES:
        return True
    return _floor(used) < _floor(user)


def _longest_prefix(table: dict, key: str, sep: str) -> str | None:
    matches = [prefix for prefix in table if key == prefix.rstrip(sep) or key.startswith(prefix.rstrip(sep) + sep)]
    return table[max(matches, key=len)] if matches else None


def module_layer(module: str) -> str | None:
    return _longest_prefix(MODULE_LAYERS, module, ".")


def file_module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def template_layer(name: str, path: str) -> str | None:
    """The layer of template `name` found at `path` (relative to the project)."""
    return _longest_prefix(TEMPLATE_NAME_LAYERS, name, "/") or next(
        (layer for folder, layer in TEMPLATE_DIR_LAYERS.items() if path.startswith(folder)), None)


def resolve_template(name: str) -> str | None:
    """The layer of the template Django finds for `name`; None for a template not ours (admin, Django)."""
    origin = Path(get_template(name).origin.name).resolve()
    if not origin.is_relative_to(ROOT):
        return None
    return template_layer(name, origin.relative_to(ROOT).as_posix())


def library_layer(library: str) -> str | None:
    """The layer of a {% load %}ed tag library (None for Django's and other projects' libraries)."""
    module = get_installed_libraries().get(library)
    return module_layer(module) if module else None


def python_uses(source: str, module: str = "", is_package: bool = False) -> list[tuple[int, str, str]]:
    """(line, "module" or "named template", name) for every import and every template named in the source.
    `from a import b` counts as a use of a.b (b may be a sub-package); relative imports are read from `module`."""
    uses = []
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            uses += [(node.lineno, "module", alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(parent + ([node.module] if node.module else []))
            uses += [(node.lineno, "module", f"{base}.{alias.name}" if alias.name != "*" else base)
                     for alias in node.names]
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called in _DYNAMIC_IMPORTERS and isinstance(node.args[0].value, str):
                uses.append((node.lineno, "module", node.args[0].value))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and _TEMPLATE_NAME.match(node.value):
            uses.append((node.lineno, "named template", node.value))
    return sorted(uses)


def template_uses(source: str) -> list[tuple[int, str, str]]:
    """(line, "template" or "library", name) for every literal {% extends %} / {% include %} and {% load %}."""
    uses = []
    for number, line in enumerate(source.splitlines(), start=1):
        uses += [(number, "template", match["name"]) for match in _TEMPLATE_USE.finditer(line)]
        for match in _LOAD.finditer(line):
            words = match["args"].split()
            libraries = [words[-1]] if "from" in words else words  # {% load tag from library %}
            uses += [(number, "library", library) for library in libraries]
    return uses


def _layer_of_use(kind: str, name: str) -> str | None:
    if kind == "module":
        return module_layer(name)
    if kind == "library":
        return library_layer(name)
    try:
        return resolve_template(name)
    except TemplateDoesNotExist:  # a broken {% extends %} / {% include %}; a string in Python may be no template
        return "missing" if kind == "template" else None


def upward_uses(layer: str, uses) -> list[str]:
    """The uses a thing of `layer` may not make, as "line: kind name (layer)"."""
    found = []
    for line, kind, name in uses:
        used = _layer_of_use(kind, name)
        if used == "missing":
            found.append(f"{line}: {kind} {name} (not found)")
        elif not may_use(layer, used):
            found.append(f"{line}: {kind} {name} ({used})")
    return found


def _python_files():
    for package in CHECKED_PACKAGES:
        yield from sorted((ROOT / package).rglob("*.py"))


def _template_files():
    for folder in TEMPLATE_DIR_LAYERS:
        base = ROOT / folder
        for path in sorted(base.rglob("*")):
            if path.is_file():
                yield path.relative_to(base).as_posix(), path


def test_no_python_module_uses_a_higher_layer():
    offenders = []
    for path in _python_files():
        layer = module_layer(file_module(path))
        uses = python_uses(path.read_text(encoding="utf-8"), file_module(path), path.name == "__init__.py")
        if layer in LIBRARIES:
            foreign = [f"{line}: module {name}" for line, kind, name in uses
                       if kind == "module" and name.split(".")[0] in FOREIGN_TO_LIBRARIES]
            offenders += [f"{path.relative_to(ROOT)}:{use}" for use in foreign]
        offenders += [f"{path.relative_to(ROOT)}:{use}" for use in upward_uses(layer, uses)]
    assert offenders == []


def test_no_template_extends_includes_or_loads_from_a_higher_layer():
    offenders = []
    for name, path in _template_files():
        layer = template_layer(name, path.relative_to(ROOT).as_posix())
        for use in upward_uses(layer, template_uses(path.read_text(encoding="utf-8"))):
            offenders.append(f"{path.relative_to(ROOT)}:{use}")
    assert offenders == []


def test_every_module_and_template_has_a_layer():
    assert [str(p) for p in _python_files() if module_layer(file_module(p)) is None] == []
    assert [name for name, path in _template_files()
            if template_layer(name, path.relative_to(ROOT).as_posix()) is None] == []


def test_the_layers_are_ordered_as_the_house_says():
    assert may_use("volunteers", "shell") and not may_use("shell", "volunteers")
    assert not may_use("volunteers", "shifts") and not may_use("volunteers", "shifts.messaging")
    assert may_use("shifts.rostering", "shifts.messaging") and not may_use("shifts.messaging", "shifts.rostering")
    assert may_use("shifts.swaps", "shifts.rostering") and not may_use("shifts.swaps", "shifts.delivered")
    assert may_use("shifts.reports", "shifts.delivered") and not may_use("shifts.feeds", "shifts.reports")
    assert may_use("shifts", "shifts.swaps") and may_use("site", "shifts") and not may_use("shifts", "site")
    assert may_use("volunteers", "solver") and not may_use("solver", "shell")
    assert not may_use("shifts.feeds", "shifts") and may_use("shifts.feeds", "shifts.core")
    assert not may_use("shifts.core", "shifts.messaging") and may_use("shifts.messaging", "shifts.core")


# The check itself, on crafted sources.

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
        "from scheduler_site.access import staff_required\n"
    )
    assert [line.split(":")[0] for line in upward_uses("volunteers", python_uses(source))] == ["1", "2", "4", "5", "6"]
    assert [line.split(":")[0] for line in upward_uses("shell", python_uses(source))] == ["1", "2", "4", "5", "6", "9"]
    assert upward_uses("shifts", python_uses(source)) == []
    # relative imports are read from where the file is: volunteers/views/shifts_like.py, volunteers/shifts.py
    relative = "from .shifts_like import x\nfrom ..shifts import models\nfrom . import y\n"
    assert python_uses(relative, "volunteers.views.my_data") == [
        (1, "module", "volunteers.views.shifts_like.x"), (2, "module", "volunteers.shifts.models"),
        (3, "module", "volunteers.views.y")]
    assert python_uses(relative, "volunteers.views", is_package=True)[2] == (3, "module", "volunteers.views.y")


def test_the_check_finds_a_feature_using_a_peer_or_a_higher_feature():
    source = ("from shifts.swaps.rules import Move\nfrom shifts import rostering\nimport shifts.reports\n"
              "from ..swaps import views\nfrom .hours import member_hours\nfrom shifts.models import Shift\n")
    uses = python_uses(source, "shifts.delivered.services")
    assert upward_uses("shifts.delivered", uses) == [
        "1: module shifts.swaps.rules.Move (shifts.swaps)", "3: module shifts.reports (shifts.reports)",
        "4: module shifts.swaps.views (shifts.swaps)"]
    assert upward_uses("shifts.messaging", uses) == [
        "1: module shifts.swaps.rules.Move (shifts.swaps)", "2: module shifts.rostering (shifts.rostering)",
        "3: module shifts.reports (shifts.reports)", "4: module shifts.swaps.views (shifts.swaps)",
        "5: module shifts.delivered.hours.member_hours (shifts.delivered)"]


def test_the_check_finds_a_template_named_in_python():
    source = 'def view(request):\n    return render(request, "shifts/dashboard.html", {})\n'
    assert upward_uses("volunteers", python_uses(source)) == ["2: named template shifts/dashboard.html (shifts)"]
    assert upward_uses("shifts", python_uses(source)) == []


def test_the_check_finds_extends_include_and_load_from_a_higher_layer():
    source = (
        '{% extends "shifts/dashboard.html" %}{% load i18n static %}\n'
        '{% include "shifts/partials/my_hours.html" with hours=hours %}\n'
        "{% load delivered %}{% load cause_words from yure_words %}\n"
        '{% include "partials/form_errors.html" %}{% include "volunteers/login/_card.html" only %}\n'
        "{% include template_name %}\n"
    )
    assert upward_uses("volunteers", template_uses(source)) == [
        "1: template shifts/dashboard.html (shifts)",
        "2: template shifts/partials/my_hours.html (shifts.delivered)",
        "3: library delivered (shifts.delivered)",
        "3: library yure_words (shifts.core)",
    ]
    assert upward_uses("shell", template_uses(source))[-1] == "4: template volunteers/login/_card.html (volunteers)"
    assert upward_uses("shifts", template_uses(source)) == []


def test_the_check_sees_which_feature_owns_a_template():
    assert upward_uses("shifts.delivered", template_uses('{% include "shifts/swaps/home.html" %}')) == [
        "1: template shifts/swaps/home.html (shifts.swaps)"]
    assert upward_uses("shifts.delivered", template_uses('{% include "shifts/no_such.html" %}')) == [
        "1: template shifts/no_such.html (not found)"]


def test_the_solver_imports_nothing_of_django_or_the_apps():
    # The file check above reads the real solver; this shows what it would refuse.
    source = "import django\nfrom volunteers.models import Member\nfrom solver.problem import GRID\nimport numpy\n"
    foreign = [line for line, kind, name in python_uses(source)
               if kind == "module" and name.split(".")[0] in FOREIGN_TO_LIBRARIES]
    assert foreign == [1, 2]


# Size: a module a reader can hold in their head (the Django apps; migrations and settings aside). The lead adds
# "shifts" when shifts/ is split.
SIZED_PACKAGES = ("scheduler_site", "volunteers", "shifts")
MAX_LINES = 400
SIZE_EXEMPT = {"scheduler_site/settings.py"}


def test_no_module_is_over_400_lines():
    long = []
    for package in SIZED_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            name = path.relative_to(ROOT).as_posix()
            if "/migrations/" in name or name in SIZE_EXEMPT:
                continue
            lines = len(path.read_text(encoding="utf-8").splitlines())
            if lines > MAX_LINES:
                long.append(f"{name}: {lines}")
    assert long == []
