"""The permission matrix: every URL pattern, every role, objects the role must not reach.

`matrix_failures()` walks the live URL configuration. For each pattern it fills every URL parameter with an
object the role may not see (another community's, or for a member another member's) and requests it with
GET and POST. Acceptable answers are 403, 404, 405 or a redirect to a login page; anything else is a
failure, and so is a parameter the matrix does not know how to fill: a new view cannot slip past it.
Patterns without parameters are fetched with GET and must not show the other community's names or
addresses.
"""

import re
from dataclasses import dataclass, field

from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

OK_STATUSES = {403, 404, 405}
# Parameters that are not object ids: the values to try.
CAPABILITY_PARAMS = {"token": ["Zz9-junk-token-000000000000"]}
ENUM_PARAMS = {"fmt": ["csv", "xlsx", "ics", "json", "pdf"], "year": ["2027"], "action": ["in", "out"],
               "month": ["2026-11"],
               # The monthly report's district (shifts.reports): the world's own, which only its administrator reads.
               "district": ["示范街道"]}
# Id parameters by name → key of the probe's objects.
ID_PARAMS = {
    "member_id": "member", "community_id": "community", "assignment_id": "assignment", "roster_id": "roster",
    "shift_id": "shift", "run_id": "run", "window_id": "window", "absence_id": "absence", "swap_id": "swap",
    "target_id": "target", "visit_target_id": "target", "template_id": "template", "notification_id": "notification",
    "day_id": "calendar_day", "term_id": "school_term", "job_id": "import_job",
    "proxy_id": "proxy", "notice_id": "notice", "confirmation_id": "confirmation",
    "certificate_id": "certificate", "check_id": "no_show", "entry_id": "patrol_entry", "duty_id": "duty",
}
# A bare "pk" is resolved by a word in the URL name (checked in this order).
PK_BY_NAME_WORD = [("swap", "swap"), ("member", "member"), ("community", "community"), ("roster", "roster"),
                   ("assignment", "assignment"), ("shift", "shift"), ("run", "run"), ("target", "target"),
                   ("template", "template")]
# Admin change/delete/history pages: model label → probe key.
ADMIN_MODELS = {"volunteers_member": "member", "volunteers_community": "community",
                "volunteers_caregivingwindow": "window", "volunteers_unavailability": "absence",
                "volunteers_visittarget": "target", "shifts_roster": "roster", "shifts_shift": "shift",
                "shifts_assignment": "assignment", "shifts_solverun": "run", "shifts_swaprequest": "swap",
                "shifts_shifttemplate": "template", "volunteers_memberimportjob": "import_job",
                "volunteers_memberlogintoken": "any", "volunteers_staffprofile": "any"}


@dataclass
class Probe:
    """A role (a logged-in client or anonymous) and the objects it must not reach."""
    label: str
    user: object | None
    objects: dict
    week: str
    secrets: list[str] = field(default_factory=list)  # text that must not appear on its list pages


@dataclass
class Route:
    name: str  # reversible name, with namespace
    params: list[str]
    route: str
    view: str


def iter_routes(patterns=None, prefix="", namespace=None, params=()):
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        pattern = entry.pattern
        names = list(getattr(pattern, "converters", {}) or {}) or list(pattern.regex.groupindex)
        if isinstance(entry, URLResolver):
            ns = ":".join(n for n in (namespace, entry.namespace) if n) or None
            yield from iter_routes(entry.url_patterns, prefix + str(pattern), ns, (*params, *names))
        elif isinstance(entry, URLPattern):
            if entry.name is None:
                yield Route("", [*params, *names], prefix + str(pattern), entry.lookup_str)
                continue
            full = f"{namespace}:{entry.name}" if namespace else entry.name
            yield Route(full, [*params, *names], prefix + str(pattern), entry.lookup_str)


def _object_key(route: Route, param: str) -> str | None:
    if param in ID_PARAMS:
        return ID_PARAMS[param]
    if param == "object_id" and route.route.startswith("admin/"):
        label = "_".join(route.name.split(":")[-1].split("_")[:2])
        return ADMIN_MODELS.get(label, "any")
    if param == "pk":
        short = route.name.split(":")[-1]
        for word, key in PK_BY_NAME_WORD:
            if word in short:
                return key
    return None


def _values(route: Route, param: str, probe: Probe) -> list[str] | None:
    if param in CAPABILITY_PARAMS:
        return CAPABILITY_PARAMS[param]
    if param in ENUM_PARAMS:
        return ENUM_PARAMS[param]
    if param == "week":
        return [probe.week]
    if param == "app_label":
        return ["volunteers", "shifts"]
    if param == "content_type_id":  # admin "view on site" shortcut
        return ["1"]
    if param == "url":  # the admin's catch-all
        return ["no/such/page/"]
    if param == "id" and route.view.startswith("django.contrib.auth.admin"):
        return ["1"]
    key = _object_key(route, param)
    if key == "any":
        return ["1"]
    if key is None or key not in probe.objects:
        return None
    return [str(probe.objects[key].pk)]


def _kwarg_sets(route: Route, probe: Probe):
    sets = [{}]
    for param in route.params:
        values = _values(route, param, probe)
        if values is None:
            raise LookupError(param)
        sets = [{**s, param: v} for s in sets for v in values]
    return sets


def build_url(route: str, kwargs: dict) -> str:
    """Fill a route's parameters; works for path() and re_path() pieces and for unnamed patterns."""
    def value(match):
        return kwargs[match.group(1)]
    url = re.sub(r"\(\?P<([^>]+)>(?:[^()]|\([^()]*\))*\)", value, route)
    url = re.sub(r"<(?:[^>:]+:)?([^>]+)>", value, url)
    url = url.replace("^", "").replace("$", "").replace("\\.", ".")
    return "/" + url


def _acceptable(response) -> bool:
    if response.status_code in OK_STATUSES:
        return True
    return response.status_code == 302 and "login" in response.get("Location", "")


def _client(probe: Probe) -> Client:
    client = Client(raise_request_exception=False)
    if probe.user is not None:
        client.force_login(probe.user)
    return client


def matrix_failures(probes: list[Probe], *, include_admin: bool = True) -> list[str]:
    failures = []
    routes = [r for r in iter_routes() if include_admin or not r.name.startswith("admin:")]
    for probe in probes:
        client = _client(probe)
        for route in routes:
            if not route.params:
                failures.extend(_check_list_page(client, route, probe))
                continue
            try:
                kwarg_sets = _kwarg_sets(route, probe)
            except LookupError as exc:
                failures.append(f"{route.name} ({route.view}): no probe for parameter {exc.args[0]!r}; "
                                f"teach tests/trust/matrix.py which object it names")
                continue
            for kwargs in kwarg_sets:
                url = build_url(route.route, kwargs)
                methods = ("get",) if route.route.startswith("admin/") else ("get", "post")
                for method in methods:
                    response = getattr(client, method)(url)
                    if not _acceptable(response):
                        failures.append(f"{probe.label} {method.upper()} {url} ({route.view}) → "
                                        f"{response.status_code}")
    return failures


def _check_list_page(client, route: Route, probe: Probe) -> list[str]:
    if not route.name or route.name.startswith("admin:") or route.name in ("logout", "set_language"):
        return []
    try:
        url = reverse(route.name)
    except NoReverseMatch:
        return []
    response = client.get(url)
    if response.status_code >= 500:
        return [f"{probe.label} GET {url} ({route.view}) → {response.status_code}"]
    body = response.content.decode("utf-8", "replace") if response.status_code == 200 else ""
    return [f"{probe.label} GET {url} ({route.view}) shows {secret!r}" for secret in probe.secrets if secret in body]



# --------------------------------------------------------------------------- what responses say

def _body_text(response) -> str:
    """A response's text, spreadsheets included (an .xlsx is a zip: its cells are read)."""
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        import io

        import openpyxl
        try:
            book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
        except Exception:  # noqa: BLE001 - not a workbook after all: fall through to the bytes
            return response.content.decode("utf-8", "replace")
        return "\n".join(str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
                         for v in row if v is not None)
    return response.content.decode("utf-8-sig", "replace")


def content_failures(probes: list[Probe]) -> list[str]:
    """GET every non-admin URL, its parameters filled with the probe's objects (ones the role may well open),
    and report every secret of the probe found in the answer: a page the role may see must still leave out
    what it may not (health, caregiving, absence reasons, households and their addresses)."""
    failures = []
    routes = [r for r in iter_routes() if r.name and not r.name.startswith("admin:")
              and r.name not in ("logout", "set_language")]
    for probe in probes:
        client = _client(probe)
        for route in routes:
            try:
                urls = [build_url(route.route, kwargs) for kwargs in _kwarg_sets(route, probe)] if route.params \
                    else [reverse(route.name)]
            except (LookupError, NoReverseMatch):
                continue
            for url in urls:
                response = client.get(url)
                if response.status_code >= 500:
                    failures.append(f"{probe.label} GET {url} ({route.view}) → {response.status_code}")
                    continue
                if response.status_code not in (200, 400):
                    continue
                body = _body_text(response)
                failures.extend(f"{probe.label} GET {url} ({route.view}) shows {secret!r}"
                                for secret in probe.secrets if secret in body)
    return failures
