"""Forms of the secretary's week grid and the member's absence pages. Every field has a label; errors name it."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from scheduler_site.forms import IdsChoiceField
from shifts.models import Duty, Shift, ShiftTemplate
from shifts.models.shifts import WEEKDAY_CHOICES
from volunteers.models import Community, Member, Unavailability, VisitTarget
from volunteers.selectors import same_name_members
from volunteers.services.members import same_name_error


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

    first_day = forms.DateField(label=_("First day away"),
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    last_day = forms.DateField(label=_("Last day away"),
                               widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
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


# ------------------------------------------------------------------ the secretary's set-up pages
# ModelForms: is_valid() runs the model's own full_clean, so the pages refuse what the models refuse, and each
# error is put on the field it names.

TIME_PICKER = {"type": "time", "step": 900}
BIG_NUMBER = {"inputmode": "numeric"}


def _time_widget():
    return forms.TimeInput(attrs=TIME_PICKER, format="%H:%M")


class DutyForm(forms.ModelForm):
    class Meta:
        model = Duty
        fields = ["name", "name_en", "code", "min_age", "max_age", "night_max_age", "min_health",
                  "required_skills", "lead_skill", "max_per_member"]
        widgets = {"required_skills": forms.CheckboxSelectMultiple}
        help_texts = {"code": _("Short letters for links and files, e.g. patrol; cannot contain spaces.")}


class TemplateForm(forms.ModelForm):
    """A weekly shift: its weekday, times, staff counts, meeting point and what happens on public holidays."""

    class Meta:
        model = ShiftTemplate
        fields = ["duty", "name", "weekday", "start", "end", "location", "min_staff", "max_staff", "visit_target",
                  "on_holiday", "holiday_min_staff", "holiday_max_staff", "active"]
        widgets = {"start": _time_widget(), "end": _time_widget(),
                   "min_staff": forms.NumberInput(attrs=BIG_NUMBER), "max_staff": forms.NumberInput(attrs=BIG_NUMBER),
                   "on_holiday": forms.RadioSelect}
        labels = {"active": _("Runs (untick to stop it for a while)")}
        help_texts = {"end": _("An end before the start means the shift ends the next day."),
                      "name": _("Optional, e.g. 夜间巡逻; the duty's name is used when empty.")}

    def __init__(self, *args, community: Community, households_visible: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.community = community
        # Household names are sensitive: staff who may not see them do not get them in the list either.
        households = VisitTarget.objects.filter(community=community)
        if not households_visible:
            households = households.filter(pk=self.instance.visit_target_id)
        self.fields["visit_target"].queryset = households
        self.fields["duty"].queryset = Duty.objects.exclude(code="study")


class ShiftEditForm(forms.ModelForm):
    """One shift of a published week: its time, meeting point and staff count."""

    class Meta:
        model = Shift
        fields = ["start", "end", "location", "min_staff", "max_staff"]
        widgets = {"start": forms.DateTimeInput(attrs={"type": "datetime-local", "step": 900},
                                                format="%Y-%m-%dT%H:%M"),
                   "end": forms.DateTimeInput(attrs={"type": "datetime-local", "step": 900},
                                              format="%Y-%m-%dT%H:%M")}


class VisitTargetForm(forms.ModelForm):
    """A household the members visit; its address and circumstances are sensitive."""

    class Meta:
        model = VisitTarget
        fields = ["household", "address", "circumstances", "visit_weekday", "visit_start", "visit_minutes",
                  "preferred_visitors", "active"]
        widgets = {"visit_start": _time_widget(), "preferred_visitors": forms.CheckboxSelectMultiple}
        field_classes = {"preferred_visitors": IdsChoiceField}
        labels = {"active": _("Visited (untick to stop visits for a while)")}
        help_texts = {"household": _("How members know it, e.g. 3号楼 张奶奶."),
                      "visit_minutes": _("A multiple of 15, e.g. 60.")}

    def __init__(self, *args, community: Community, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.community = community
        self.fields["visit_weekday"].choices = WEEKDAY_CHOICES
        self.fields["preferred_visitors"].queryset = Member.objects.filter(community=community, active=True)


class MemberAddForm(forms.ModelForm):
    """One new member, without a spreadsheet."""

    class Meta:
        model = Member
        fields = ["name", "birth_date", "phone", "health", "skills", "language"]
        labels = {"name": _("Name")}  # a person's 姓名, not the models' generic 名称
        widgets = {"birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                   "skills": forms.CheckboxSelectMultiple}
        help_texts = {"phone": _("A mobile number, e.g. 139 1234 5678; the login code is sent there.")}

    different_person = forms.BooleanField(label=_("This is a different person with the same name"), required=False)

    def __init__(self, *args, community: Community, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.community = community
        self.fields["skills"].required = False
        # The box only shows once the name is found among the community's members: it confirms a second person.
        typed = (self.data.get("name") or "").strip() if self.is_bound else ""
        # Looked up before the field is validated: a name PostgreSQL cannot hold (a NUL) is left to the field.
        self.same_name = same_name_members(community, typed)
        if self.same_name:
            self.order_fields(["name", "different_person"])
        else:
            del self.fields["different_person"]

    def clean(self):
        cleaned = super().clean()
        if self.same_name and not cleaned.get("different_person"):
            self.add_error("different_person", same_name_error(self.same_name, adding=True))
        return cleaned
