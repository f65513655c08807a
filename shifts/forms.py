"""Forms of the secretary's week grid and the member's absence pages. Every field has a label; errors name it."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from volunteers.models import Member, Unavailability


class RemoveAssignmentForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), max_length=300, required=False)


class AddMemberForm(forms.Form):
    """Add a member by hand; one who would break a rule needs a reason, which is kept and audited."""

    member = forms.ModelChoiceField(label=_("Member"), queryset=Member.objects.none(),
                                    error_messages={"invalid_choice": _("Choose a member from the list.")})
    override_reason = forms.CharField(
        label=_("Why keep this member although a rule says no"), max_length=300, required=False,
        help_text=_("Only needed for a member shown with a rule they would break."))

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = {c.member.pk: c for c in candidates}
        self.fields["member"].queryset = Member.objects.filter(pk__in=list(self.candidates))
        self.fields["member"].label_from_instance = self._label

    def _label(self, member):
        candidate = self.candidates.get(member.pk)
        if candidate is None or candidate.ok:
            return member.name
        return f"{member.name} — {candidate.reason_text}"

    def clean(self):
        cleaned = super().clean()
        member = cleaned.get("member")
        candidate = self.candidates.get(member.pk) if member else None
        if candidate is not None and not candidate.ok and not cleaned.get("override_reason", "").strip():
            self.add_error("override_reason", _("%(name)s would break a rule (%(why)s). Say why you keep them anyway.")
                           % {"name": member.name, "why": candidate.reason_text})
        return cleaned


class CantComeForm(forms.Form):
    reason = forms.ChoiceField(label=_("Why can't you come?"), choices=Unavailability.Reason.choices,
                               widget=forms.RadioSelect, initial=Unavailability.Reason.ILLNESS)
    note = forms.CharField(label=_("Anything the secretary should know (optional)"), max_length=200,
                           required=False)


class AbsencePeriodForm(forms.Form):
    """A period away (hospital, travel): whole days from the first to the last, inclusive."""

    first_day = forms.DateField(label=_("First day away"), widget=forms.DateInput(attrs={"type": "date"}))
    last_day = forms.DateField(label=_("Last day away"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.ChoiceField(label=_("Reason"), choices=Unavailability.Reason.choices,
                               initial=Unavailability.Reason.TRAVEL)
    note = forms.CharField(label=_("Note (optional)"), max_length=200, required=False)

    MAX_DAYS = 366
    HORIZON_DAYS = 2 * 366  # nobody plans a trip further ahead; later dates are typos (9999-12-31)

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("first_day"), cleaned.get("last_day")
        horizon = timezone.localdate() + dt.timedelta(days=self.HORIZON_DAYS)
        for name in ("first_day", "last_day"):
            if cleaned.get(name) and cleaned[name] > horizon:
                self.add_error(name, _("Choose a day within the next two years."))
                return cleaned
        if first and last:
            if last < first:
                self.add_error("last_day", _("The last day must be on or after the first day."))
            elif (last - first).days >= self.MAX_DAYS:
                self.add_error("last_day", _("An absence can last at most one year."))
            if last < timezone.localdate():
                self.add_error("last_day", _("This period is already over."))
        return cleaned

    def period(self) -> tuple[dt.datetime, dt.datetime]:
        tz = timezone.get_current_timezone()
        start = dt.datetime.combine(self.cleaned_data["first_day"], dt.time.min, tzinfo=tz)
        end = dt.datetime.combine(self.cleaned_data["last_day"] + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        return start, end
