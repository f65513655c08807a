"""The patrol log: a member writes what the round saw; the secretary reads, hands entries to the grid worker
and exports the log."""

import datetime as dt

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from scheduler_site.access import member_required, staff_required
from scheduler_site.forms import day_in_range, errors_to_form
from shifts.delivered.patrol import (
    patrol_log,
    patrol_log_export,
    patrol_note_add,
    patrol_note_hand_over,
    patrol_shifts_for_note,
)
from shifts.models import PatrolLogEntry, PatrolTag
from volunteers.selectors import communities_for, community_for


class PatrolNoteForm(forms.Form):
    shift = forms.TypedChoiceField(label=gettext_lazy("Which round"), coerce=int, widget=forms.RadioSelect)
    tags = forms.MultipleChoiceField(label=gettext_lazy("What kind of thing"), choices=PatrolTag.choices,
                                     required=False, widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label=gettext_lazy("What you saw"), max_length=1000,
                           widget=forms.Textarea(attrs={"rows": 4}),
                           help_text=gettext_lazy("Where and what, e.g. 3号楼楼道灯坏了. "
                                                  "No names of residents, please."))

    def __init__(self, *args, shifts, **kwargs):
        super().__init__(*args, **kwargs)
        self.shifts = {s.pk: s for s in shifts}
        self.fields["shift"].choices = [
            (s.pk, f"{timezone.localtime(s.start):%m-%d %H:%M} {s.name or s.duty.name}") for s in shifts]
        if len(shifts) == 1:
            self.fields["shift"].initial = shifts[0].pk


@member_required
def patrol_note_new(request, member):
    if request.acting_proxy is not None:  # the log is what the member saw on the round; a relative was not there
        raise PermissionDenied
    shifts = patrol_shifts_for_note(member)
    form = PatrolNoteForm(request.POST or None, shifts=shifts)
    if request.method == "POST" and form.is_valid():
        try:
            patrol_note_add(member=member, shift=form.shifts[form.cleaned_data["shift"]],
                            note=form.cleaned_data["note"], tags=form.cleaned_data["tags"], by=request.user)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("Thank you. Your note is in the patrol log."))
            return redirect("my_shifts")
    return render(request, "shifts/patrol/new.html", {"form": form, "shifts": shifts},
                  status=400 if form.errors else 200)


def _period(request) -> tuple[dt.date, dt.date, dict[str, str]]:
    """The period asked for (the last 30 days when none is given) and what is wrong with it by field: a day
    outside 1900–2100 is refused, not silently replaced, so the secretary sees why the list is not theirs."""
    today = timezone.localdate()
    days = {"from": today - dt.timedelta(days=30), "to": today}
    errors = {}
    for field in ("from", "to"):
        raw = request.GET.get(field, "")
        try:
            days[field] = day_in_range(dt.date.fromisoformat(raw), field=field)
        except ValueError:
            continue  # empty or half-typed: the default period, as before
        except ValidationError as exc:
            errors[field] = " ".join(exc.message_dict[field])
    if errors:
        days = {"from": today - dt.timedelta(days=30), "to": today}
    return days["from"], max(days["from"], days["to"]), errors


def _period_error_text(errors: dict[str, str]) -> str:
    labels = {"from": _("From"), "to": _("To")}
    return " ".join(f"{labels[field]}: {message}" for field, message in errors.items())


@staff_required
def patrol_log_view(request, community_id):
    community = community_for(request.user, community_id)
    start, end, errors = _period(request)
    if errors:
        messages.error(request, _period_error_text(errors))
    tag = request.GET.get("tag", "")
    if tag not in PatrolTag.values:
        tag = ""
    return render(request, "shifts/patrol/log.html", {
        "community": community, "entries": patrol_log(community, start, end, tag), "start": start, "end": end,
        "tag": tag, "tags": PatrolTag.choices,
    }, status=400 if errors else 200)


@require_POST
@staff_required
def patrol_hand_over(request, entry_id):
    try:
        entry = PatrolLogEntry.objects.get(pk=entry_id, community__in=communities_for(request.user))
    except (PatrolLogEntry.DoesNotExist, ValueError):
        raise Http404
    patrol_note_hand_over(entry=entry, by=request.user)
    messages.success(request, _("Marked as handed to the grid worker."))
    return redirect(reverse("patrol_log", args=[entry.community_id]) + f"#entry-{entry.pk}")


@staff_required
def patrol_log_export_view(request, community_id, fmt):
    community = community_for(request.user, community_id)
    start, end, errors = _period(request)
    if errors:
        return HttpResponse(_period_error_text(errors), status=400, content_type="text/plain; charset=utf-8")
    try:
        content, content_type, filename = patrol_log_export(community=community, start=start, end=end, fmt=fmt,
                                                            by=request.user)
    except ValidationError:
        raise Http404
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
