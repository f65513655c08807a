"""操作记录: the audit log as a page. A secretary reads their communities' entries, the district administrator the
district's; each line says when, who (a relative as acting for the member: 王小明（代 王秀英）), what (the readable
label of volunteers.services.audit.ACTION_LABELS), about whom, and for a change its old → new values. Health and
caregiving values and the reasons people wrote show only to the member's own community staff
(selectors.audit_values_visible)."""

import datetime as dt

from django import forms
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from scheduler_site.access import staff_required
from scheduler_site.forms import validate_day_in_range
from volunteers.models import HealthLevel, Member
from volunteers.selectors import audit_entries_for, audit_people, audit_values_visible, members_for
from volunteers.services.audit import ACTION_LABELS, action_label
from volunteers.services.members import SENSITIVE_FIELDS

PAGE_SIZE = 50
CHANGE_ACTIONS = {"volunteers.member.profile_changed", "volunteers.member.self_updated"}
OTHER_LABELS = {"caregiving": gettext_lazy("caregiving times"), "skills": gettext_lazy("skills")}


class AuditFilterForm(forms.Form):
    member = forms.CharField(label=gettext_lazy("Member's name"), required=False, max_length=60)
    action = forms.ChoiceField(label=gettext_lazy("What was done"), required=False)
    date_from = forms.DateField(label=gettext_lazy("From"), required=False, validators=[validate_day_in_range],
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    date_to = forms.DateField(label=gettext_lazy("To"), required=False, validators=[validate_day_in_range],
                              widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        labels = sorted(((code, str(label)) for code, label in ACTION_LABELS.items()), key=lambda c: c[1])
        self.fields["action"].choices = [("", _("Anything"))] + labels
        self.fields["member"].widget.attrs["autocomplete"] = "off"

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned


def _filtered(entries, form, user):
    data = form.cleaned_data
    if data["member"].strip():
        ids = members_for(user).filter(name__icontains=data["member"].strip()).values_list("pk", flat=True)
        entries = entries.filter(object_type=Member._meta.label_lower,
                                 object_id__in=[str(pk) for pk in ids[:500]])
    if data["action"]:
        entries = entries.filter(action=data["action"])
    # Local days as a range of instants: the created_at index serves it (a __date lookup reads every row).
    if data["date_from"]:
        entries = entries.filter(created_at__gte=_midnight(data["date_from"]))
    if data["date_to"]:
        entries = entries.filter(created_at__lt=_midnight(data["date_to"] + dt.timedelta(days=1)))
    return entries


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _field_label(name: str) -> str:
    if name in OTHER_LABELS:
        return str(OTHER_LABELS[name])
    try:
        return str(Member._meta.get_field(name).verbose_name)
    except Exception:  # a field of another model (a duty, a shift): its name as recorded
        return name


def _value(name: str, value) -> str:
    if value in (None, ""):
        return "—"
    if name == "health":
        return str(HealthLevel(value).label) if value in HealthLevel.values else str(value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if name == "phone" and str(value).startswith("+86") and len(str(value)) == 14:
        digits = str(value)[3:]
        return f"{digits[:3]} {digits[3:7]} {digits[7:]}"
    return str(value)


def _details(entry, values_shown: bool) -> list[str]:
    """What changed, readable: "出生日期：1946-12-30 → 1946-11-01"; a hidden value says only that it changed."""
    data = entry.data if isinstance(entry.data, dict) else {}
    changes = data.get("changes")
    if isinstance(changes, dict):
        lines = []
        for name, pair in changes.items():
            if name in SENSITIVE_FIELDS and not values_shown:
                lines.append(_("%(field)s changed") % {"field": _field_label(name)})
            elif isinstance(pair, list) and len(pair) == 2:
                lines.append(f"{_field_label(name)}：{_value(name, pair[0])} → {_value(name, pair[1])}")
        return lines
    fields = data.get("fields")
    # Only a change names its fields as "changed" (a look at health names the fields it read, not a change).
    if entry.action in CHANGE_ACTIONS and isinstance(fields, list) and all(isinstance(f, str) for f in fields):
        return [_("Changed: %(fields)s") % {"fields": "、".join(_field_label(f) for f in fields)}]
    return []


def _who(entry, members, proxies) -> str:
    if entry.actor_id is None:
        return _("Yure (automatic)")
    proxy = proxies.get(entry.actor_id)
    if proxy is not None:
        return _("%(relative)s (for %(member)s)") % {"relative": proxy.name, "member": proxy.member.name}
    member = members.get(entry.actor_id)
    if member is not None:
        return member.name
    return entry.actor.get_full_name() or entry.actor.get_username()


@staff_required
def audit_page(request):
    form = AuditFilterForm(request.GET or None)
    entries = audit_entries_for(request.user)
    if form.is_bound and form.is_valid():
        entries = _filtered(entries, form, request.user)
    elif form.is_bound:
        entries = entries.none()
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    members, proxies, about = audit_people(page.object_list)
    shown = audit_values_visible(request.user)
    rows = [{
        "when": timezone.localtime(e.created_at), "who": _who(e, members, proxies), "what": action_label(e.action),
        "about": about.get(int(e.object_id)) if e.object_type == "volunteers.member" and e.object_id.isdigit()
        else None,
        "community": e.community.name if e.community else "", "details": _details(e, e.community_id in shown),
        # A reason is what people wrote (an absence, a removal): the community's own, like health.
        "reason": e.reason if e.community_id in shown else "",
    } for e in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "volunteers/audit.html", {
        "form": form, "page": page, "rows": rows, "query": query.urlencode()},
        status=400 if form.is_bound and form.errors else 200)
