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
    "certificate_id": "certificate", "check_id": "no_show", "ladder_id": "welfare_ladder", "entry_id": "patrol_entry",
    "duty_id": "duty", "call_id": "cover_call", "ask_id": "cover_ask",
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
                "volunteers_memberlogintoken": "login_token", "volunteers_staffprofile": "staff_profile",
                "volunteers_auditentry": "audit", "shifts_notification": "sms_notification", "shifts_duty": "duty"}


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


# --------------------------------------------------------------------------- the access matrix (issue 28)

PUBLIC, LOGIN, MEMBER, STAFF, OWN_STAFF, DISTRICT, ADMIN = ("public", "login", "member", "staff", "own_staff",
                                                             "district", "admin")
# Who each URL is for. STAFF: secretaries for their communities, the district administrator for every community;
# OWN_STAFF: only the staff of the member's (or household's) own community, never the district administrator
# as such; MEMBER: a member, or a relative acting for one. Every named URL must be listed: a new one fails
# test_every_url_has_a_matrix_entry until someone decides who it is for. Admin URLs are ADMIN by their prefix.
ACCESS = {
    **dict.fromkeys(["home", "set_language", "login", "logout", "member_link_login", "member_code_login",
                     "feeds:feed", "poster_scan", "certificate_verify", "confirm_link", "sms_reply_webhook",
                     "confirm_link_decline", "confirm_link_undo", "sms_status_webhook",
                     # The voice provider relay's signed call report (403 unsigned).
                     "voice_callback",
                     # The cover call-down's answer page: a signed link for one member and one ask, no login.
                     "cover_answer",
                     # The kiosk's tablet is no login: its signed kiosk cookie names the community (403 without).
                     "kiosk_home", "kiosk_find", "kiosk_member", "kiosk_check", "kiosk_away"], PUBLIC),
    "logout_confirm": LOGIN,
    **dict.fromkeys(["my_data", "my_caregiving", "my_caregiving_remove", "feeds:mine", "my_shifts", "cant_come",
                     "absence_period", "attendance_check", "attendance_team", "patrol_note_new", "swap_home",
                     "swap_new", "swap_accept", "swap_decline", "swap_withdraw", "notice_open", "confirm_week",
                     "confirm_decline", "confirm_undo",
                     "member_home",
                     # 我来接班 / 这次不行 from the cover notice on My shifts: the member's own ask only (404 else).
                     "my_cover_answer",
                     # A team-mate vouches for a relative's check-in; anyone checks in to the study session.
                     "attendance_presence", "gathering_check"],
                    MEMBER),
    **dict.fromkeys(["member_import", "member_import_confirm", "member_import_job", "member_export",
                     "feeds:community", "dashboard", "roster_week", "roster_generate", "roster_publish", "print_week",
                     "export_week", "fairness", "solve_progress", "assignment_pin", "assignment_remove",
                     "shift_candidates", "shift_add_member", "proposal_decide", "print_member", "posters_print",
                     "attendance_week", "attendance_import", "attendance_import_job", "attendance_import_confirm",
                     "reports:home", "reports:community", "reports:community_export", "hours_ledger", "hours_export",
                     "welfare_answer", "kiosk_setup", "kiosk_open", "kiosk_close",
                     "certificate_new", "certificate_print", "patrol_log", "patrol_log_export", "patrol_hand_over",
                     "swap_inbox", "swap_approve", "swap_reject", "setup_home", "setup_community", "setup_duties",
                     "setup_duty_new", "setup_duty_edit", "setup_duty_delete", "setup_template_new",
                     "setup_template_edit", "setup_template_delete", "setup_member_add", "setup_shift_edit",
                     "sms_outbox", "member_list", "member_edit", "audit_log",
                     # Name, phone and birth date: any staff who may open the member page (no health on it).
                     "member_identity",
                     # Absences are recorded and withdrawn by any staff (dates only; the reason stays the
                     # community's: the member page does not show it to the district administrator).
                     "member_absence_create", "member_absence_delete",
                     # Paper and phone (issue #27): the month's cards (a member's own login QR only by the
                     # staff of the member's own community: login_token_issue), the sign-in sheet, answers by phone.
                     "member_card", "community_cards", "sign_in_sheet", "sign_in_sheet_export",
                     "member_phone_answers",
                     # Secretaries read the district's holidays and terms (/calendar/?year=); only the
                     # administrator edits them.
                     "calendar",
                     # Stopping a call-down: the staff of the shift's community (the district administrator too).
                     "cover_stop"], STAFF),
    **dict.fromkeys(["member_login_link_issue", "member_proxies", "member_proxy_login", "member_proxy_revoke",
                     "feeds:member", "setup_household_new", "setup_household_edit", "setup_household_delete",
                     "caregiving_create", "caregiving_delete"], OWN_STAFF),
    **dict.fromkeys(["calendar_year", "calendar_year_load", "calendar_year_mark", "calendar_day_add",
                     "calendar_day_delete", "school_term_add", "school_term_delete", "reports:district",
                     "reports:district_export", "district_generate_next_week"], DISTRICT),
    # The admin's own login and logout pages are open to anyone, like the site's.
    **dict.fromkeys(["admin:login", "admin:logout"], PUBLIC),
}


def access_of(route: Route) -> str | None:
    if route.name in ACCESS:
        return ACCESS[route.name]
    return ADMIN if route.route.startswith("admin/") else None


def unlisted_routes() -> list[str]:
    """URL patterns the matrix does not know who they are for."""
    return [f"{route.name or route.route} ({route.view})" for route in iter_routes() if access_of(route) is None]


_NOT_OBJECTS = {*CAPABILITY_PARAMS, *ENUM_PARAMS, "week", "app_label", "url"}


# Admin rows every community shares (duties, skills, star levels, the district's calendar) or the framework's
# own: whoever may use the admin at all may read them; writing is what their admin classes restrict.
SHARED_ADMIN_PATHS = ("admin/shifts/duty/", "admin/volunteers/skill/", "admin/shifts/starlevels/",
                      "admin/volunteers/calendaryear/", "admin/volunteers/calendarday/",
                      "admin/volunteers/schoolterm/", "admin/auth/", "admin/django_q/", "admin/axes/")


def names_objects(route: Route) -> bool:
    """Whether the URL carries an object id of a community (someone's member, shift, household…) rather than
    only a token, a format, a week, a shared row or nothing."""
    if route.route.startswith(SHARED_ADMIN_PATHS):
        return False
    return any(param not in _NOT_OBJECTS for param in route.params)


@dataclass
class Role:
    """One of the eight roles: what it may open at all (`reach`), for which audiences the probe's objects are its
    own to open (`scoped`), and the markers no answer to it may contain."""
    label: str
    user: object | None
    objects: dict
    week: str
    reach: set
    scoped: set
    markers: list[str]


def _denied(response, route: Route) -> bool:
    if response.status_code in OK_STATUSES:
        return True
    location = response.get("Location", "") if response.status_code == 302 else ""
    # The admin answers an object it does not list by going back to its index ("does not exist"), and its
    # old-style object address by a redirect to the change page, which is probed on its own.
    return "login" in location or (route.route.startswith("admin/") and location.startswith("/admin/"))


def access_failures(roles: list[Role]) -> list[str]:
    """Every URL pattern × every role: a role outside a URL's audience, or holding another's objects, is refused
    (GET and, off the admin, POST); any answer at all, refused or not, must not contain the role's markers."""
    failures = []
    routes = [r for r in iter_routes() if r.name not in ("logout", "set_language")]
    for role in roles:
        client = _client(Probe(role.label, role.user, role.objects, role.week))
        probe = Probe(role.label, role.user, role.objects, role.week)
        for route in routes:
            audience = access_of(route)
            if audience is None:
                continue  # reported by unlisted_routes
            allowed = audience in (role.scoped if names_objects(route) else role.reach)
            try:
                urls = [build_url(route.route, kwargs) for kwargs in _kwarg_sets(route, probe)]
            except LookupError as exc:
                failures.append(f"{route.name} ({route.view}): no probe for parameter {exc.args[0]!r}")
                continue
            methods = ("get",) if allowed or route.route.startswith("admin/") else ("get", "post")
            for url in urls:
                for method in methods:
                    failures.extend(_judge(getattr(client, method)(url), role, route, method, url, allowed))
    return failures


def _judge(response, role: Role, route: Route, method: str, url: str, allowed: bool) -> list[str]:
    where = f"{role.label} {method.upper()} {url} ({route.view})"
    if response.status_code >= 500:
        return [f"{where} → {response.status_code}"]
    if not allowed and not _denied(response, route):
        return [f"{where} → {response.status_code}, expected a refusal"]
    body = _body_text(response) if response.status_code != 302 else ""
    return [f"{where} shows {marker!r}" for marker in role.markers if marker in body]
