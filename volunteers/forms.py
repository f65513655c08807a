"""Forms for the member list filters and the secretary's profile editor. Every field has a label."""

import datetime as dt
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from scheduler_site.forms import day_in_range

from .models import WEEKDAY_NAMES, Applies, CalendarDay, HealthLevel, Member, Skill, Unavailability
from .services.member_text import parse_phone
from .validators import WEEKDAY_CODES, WEEKDAY_LABELS

AGE_BANDS = [("", _("Any age")), ("-64", _("under 65")), ("65-69", "65–69"), ("70-74", "70–74"),
             ("75-79", "75–79"), ("80-", _("80 and over"))]
LOAD_BANDS = [("", _("Any load")), ("none", _("no shifts this month")), ("light", _("under 8 hours")),
              ("heavy", _("8 hours or more"))]
PREFERENCE_CHOICES = [(-5, _("likes")), (0, _("no preference")), (5, _("rather not")), (10, _("only if needed"))]


class MemberFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or phone"), required=False, max_length=60)
    community = forms.TypedChoiceField(label=_("Community"), required=False, coerce=int, empty_value=None)
    age = forms.ChoiceField(label=_("Age"), required=False, choices=AGE_BANDS)
    duty = forms.ChoiceField(label=_("Can do duty"), required=False)
    load = forms.ChoiceField(label=_("Load this month"), required=False, choices=LOAD_BANDS)

    def __init__(self, *args, communities=(), duties=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [("", _("All my communities"))] + [(c.pk, c.name) for c in communities]
        self.fields["duty"].choices = [("", _("Any duty"))] + [(d.code, d.name) for d in duties]


def _preference_words(weight: int) -> str:
    """A weight that is not one of the four choices (an import or an older setting), in words, not a number."""
    if weight < 0:
        return _("likes very much") if weight < -5 else _("likes a little")
    if weight < 5:
        return _("a little rather not")
    return _("would much rather not") if weight < 10 else _("only if really needed")


def _pref_field(label, stored: int):
    """A preference dropdown that also offers the stored weight when it is not one of the four choices, so saving
    the page never changes a preference nobody touched."""
    choices = list(PREFERENCE_CHOICES)
    if stored not in {value for value, _label in choices}:
        choices.append((stored, _("%(words)s (as set before)") % {"words": _preference_words(stored)}))
        choices.sort(key=lambda choice: choice[0])
    return forms.TypedChoiceField(label=label, choices=choices, coerce=int, required=False, empty_value=0)


class HoursField(forms.DecimalField):
    """A limit kept in minutes but shown and typed in hours (7.5 = 7 hours 30 minutes), in quarter hours."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.NumberInput(attrs={"step": "0.25", "inputmode": "decimal"}))
        super().__init__(max_digits=6, decimal_places=2, min_value=0, required=False, **kwargs)

    @staticmethod
    def from_minutes(minutes):
        if minutes is None:
            return None
        hours = Decimal(minutes) / 60
        if hours == hours.to_integral():
            return hours.quantize(Decimal("1"))
        return hours.quantize(Decimal("0.01")).normalize()  # 7.5, not 7.50

    def clean(self, value):
        hours = super().clean(value)
        if hours is not None and (hours * 4) != (hours * 4).to_integral():
            raise forms.ValidationError(_("Use whole or quarter hours, e.g. 7.5 or 7.25."), code="quarter")
        return hours


class MemberProfileForm(forms.Form):
    """Limits, skills and preferences; health only for staff who may see it (pass sensitive=True).

    Saving keeps whatever the page did not change exactly as stored: a preference weight outside the four
    dropdown values, preferences for duties not listed, and limits in minutes that the hours show rounded.
    """

    active = forms.BooleanField(label=_("Active (can get shifts)"), required=False)
    health = forms.ChoiceField(label=_("Health"), choices=HealthLevel.choices)
    lives_alone = forms.BooleanField(label=_("Lives alone (a missed shift without an answer goes to the welfare "
                                           "contact)"), required=False)
    volunteer_number = forms.CharField(label=_("Volunteer number"), max_length=40, required=False,
                                       help_text=_("From the national volunteer service system, if any"))
    contact_channel = forms.ChoiceField(
        label=_("How messages reach the member"), choices=Member.ContactChannel.choices, required=False,
        help_text=_("Voice call: for members who do not read texts. The message is read aloud and they answer by "
                    "pressing a key; if nobody answers, a text message goes instead."))
    skills = forms.ModelMultipleChoiceField(label=_("Skills"), queryset=Skill.objects.all(), required=False,
                                            widget=forms.CheckboxSelectMultiple)
    max_shifts_per_week = forms.IntegerField(label=_("Most shifts a week"), required=False, min_value=0,
                                             max_value=21)
    max_hours_per_week = HoursField(label=_("Most hours a week"), max_value=7 * 24,
                                    help_text=_("In hours, e.g. 8 or 7.5"))
    max_consecutive_days = forms.IntegerField(label=_("Most days in a row"), required=False, min_value=1,
                                              max_value=7)
    min_rest_hours = HoursField(label=_("Least rest between shifts (hours)"), max_value=24,
                                help_text=_("In hours, e.g. 12"))

    # form field -> the member's field in minutes
    MINUTE_LIMITS = {"max_hours_per_week": "max_minutes_per_week", "min_rest_hours": "min_rest_minutes"}

    def __init__(self, *args, member, duties, sensitive: bool, **kwargs):
        self.member = member
        self.stored_duty = dict(member.duty_preferences or {})
        self.stored_day = dict(member.weekday_preferences or {})
        initial = {
            "active": member.active, "health": member.health, "skills": list(member.skills.all()),
            "lives_alone": member.lives_alone, "volunteer_number": member.volunteer_number,
            "contact_channel": member.contact_channel,
            "max_shifts_per_week": member.max_shifts_per_week,
            "max_consecutive_days": member.max_consecutive_days,
        }
        for name, minutes_field in self.MINUTE_LIMITS.items():
            initial[name] = HoursField.from_minutes(getattr(member, minutes_field))
        self.duty_codes = [d.code for d in duties]
        for duty in duties:
            initial[f"duty_{duty.code}"] = self.stored_duty.get(duty.code, 0)
        for code in WEEKDAY_CODES:
            initial[f"day_{code}"] = self.stored_day.get(code, 0)
        super().__init__(*args, initial=initial, **kwargs)
        for duty in duties:
            self.fields[f"duty_{duty.code}"] = _pref_field(duty.name, initial[f"duty_{duty.code}"])
        for code in WEEKDAY_CODES:
            self.fields[f"day_{code}"] = _pref_field(WEEKDAY_LABELS[code], initial[f"day_{code}"])
        if not sensitive:
            del self.fields["health"]
            del self.fields["lives_alone"]

    def duty_fields(self):
        return [self[f"duty_{code}"] for code in self.duty_codes]

    def day_fields(self):
        return [self[f"day_{code}"] for code in WEEKDAY_CODES]

    def limit_fields(self):
        return [self[name] for name in ("max_shifts_per_week", "max_hours_per_week", "max_consecutive_days",
                                        "min_rest_hours")]

    def changes(self) -> dict:
        """Keyword arguments for volunteers.services.members.member_update_profile."""
        data = self.cleaned_data
        out = {name: data[name] for name in ("active", "max_shifts_per_week", "max_consecutive_days")}
        for name, minutes_field in self.MINUTE_LIMITS.items():
            out[minutes_field] = self._minutes(name, minutes_field)
        if "health" in self.fields:
            out["health"] = data["health"]
            out["lives_alone"] = data["lives_alone"]
        out["volunteer_number"] = data["volunteer_number"].strip()
        out["contact_channel"] = data["contact_channel"] or self.member.contact_channel  # not sent: kept
        out["duty_preferences"] = _merged(self.stored_duty, {c: data[f"duty_{c}"] for c in self.duty_codes})
        out["weekday_preferences"] = _merged(self.stored_day, {c: data[f"day_{c}"] for c in WEEKDAY_CODES})
        out["skills"] = list(data["skills"])
        return out

    def _minutes(self, name, minutes_field):
        stored = getattr(self.member, minutes_field)
        hours = self.cleaned_data[name]
        if hours == HoursField.from_minutes(stored):
            return stored  # untouched: keep the exact minutes
        return None if hours is None else int(hours * 60)


def _merged(stored: dict, shown: dict) -> dict:
    """The stored map with only the values the page changed: unlisted keys and untouched values stay as they are
    (an explicit 0 too); a value changed to 0 ("no preference") is removed."""
    merged = dict(stored)
    for key, value in shown.items():
        if value == stored.get(key, 0):
            continue
        if value:
            merged[key] = value
        else:
            merged.pop(key, None)
    return merged


class CaregivingForm(forms.Form):
    weekdays = forms.MultipleChoiceField(label=_("On"), choices=[(c, WEEKDAY_LABELS[c]) for c in WEEKDAY_CODES],
                                         widget=forms.CheckboxSelectMultiple,
                                         error_messages={"required": _("Choose at least one weekday.")})
    start = forms.TimeField(label=_("From"), widget=forms.TimeInput(attrs={"type": "time", "step": 900},
                                                                     format="%H:%M"))
    end = forms.TimeField(label=_("Until"), widget=forms.TimeInput(attrs={"type": "time", "step": 900},
                                                                    format="%H:%M"))
    label = forms.CharField(label=_("What for"), max_length=40, required=False, initial=_("school run"))
    applies = forms.ChoiceField(label=_("When"), choices=Applies.choices, initial=Applies.SCHOOL_DAYS, required=False,
                                help_text=_("A school run stops in the school holidays and on public holidays."))

    def __init__(self, *args, **kwargs):
        # The member page also has the absence form: its own ids, so each label focuses its own field.
        kwargs.setdefault("auto_id", "id_caregiving_%s")
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        for name in ("start", "end"):
            value = cleaned.get(name)
            if value is not None and value.minute % 15:
                self.add_error(name, _("Use minutes 00, 15, 30 or 45."))
        if start and end and end <= start:
            self.add_error("end", _("The end must be after the start on the same day."))
        return cleaned

    def window(self) -> dict:
        """The valid form as caregiving_add's arguments (the secretary's page and the member's own page)."""
        data = self.cleaned_data
        return {"weekdays": ",".join(data["weekdays"]), "start": data["start"], "end": data["end"],
                "label": data["label"], "applies": data["applies"] or None}


class StaffAbsenceForm(forms.Form):
    """A secretary records an absence on a member's behalf (phoned in, hospital)."""

    start = forms.DateTimeField(label=_("From"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                                             format="%Y-%m-%dT%H:%M"))
    end = forms.DateTimeField(label=_("Until"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                                            format="%Y-%m-%dT%H:%M"))
    reason = forms.ChoiceField(label=_("Reason"), choices=Unavailability.Reason.choices)
    note = forms.CharField(label=_("Note (optional)"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_absence_%s")  # the member page also has the caregiving form
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        horizon = timezone.now() + dt.timedelta(days=2 * 366)  # later dates are typos (9999-12-31)
        for name in ("start", "end"):
            if cleaned.get(name) and cleaned[name] > horizon:
                self.add_error(name, _("Choose a day within the next two years."))
                return cleaned
        if start and end:
            if end <= start:
                self.add_error("end", _("The end must be after the start."))
            elif end - start > dt.timedelta(days=366):
                self.add_error("end", _("An absence can last at most one year."))
            elif end <= timezone.now():
                self.add_error("end", _("This period is already over."))
        return cleaned


class CalendarDayForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    kind = forms.ChoiceField(label=_("Kind"), choices=CalendarDay.Kind.choices)
    name = forms.CharField(label=_("Holiday name"), max_length=60, required=False)
    replaces_weekday = forms.TypedChoiceField(
        label=_("Follows the timetable of"), required=False, coerce=int, empty_value=None,
        choices=[("", _("— (not a make-up workday)"))] + [(n, label) for n, label in WEEKDAY_NAMES[:5]],
        help_text=_("Only for a make-up workday: the weekday whose shifts and school day it has."))


class SchoolTermForm(forms.Form):
    district = forms.ChoiceField(label=_("District"))
    name = forms.CharField(label=_("Term name"), max_length=60, initial=_("autumn term"))
    start = forms.DateField(label=_("First day"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    end = forms.DateField(label=_("Last day"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, districts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].choices = [(d, d) for d in districts]


class MemberIdentityForm(forms.Form):
    """Who a member is, as the secretary corrects it: name, phone (typed and shown as 138 0013 8000, stored as
    +8613800138000) and birth date. Its fields carry the prefix "who" so their ids never clash with the other
    forms of the member page."""

    name = forms.CharField(label=_("Name"), max_length=60)
    phone = forms.CharField(label=_("Mobile phone"), max_length=30, required=False,
                            help_text=_("e.g. 138 0013 8000; login codes and messages go to this number"))
    birth_date = forms.DateField(label=_("Birth date"), widget=forms.DateInput(attrs={"type": "date"},
                                                                              format="%Y-%m-%d"))
    different_person = forms.BooleanField(label=_("This is a different person with the same name"), required=False)

    def __init__(self, *args, member, **kwargs):
        kwargs.setdefault("prefix", "who")
        phone = member.phone
        shown = phone.as_national if phone and phone.is_valid() else str(phone or "")
        kwargs.setdefault("initial", {"name": member.name, "phone": shown, "birth_date": member.birth_date})
        super().__init__(*args, **kwargs)
        self.fields["phone"].widget.attrs.update({"inputmode": "tel", "autocomplete": "off"})
        self.fields["name"].widget.attrs.update({"autocomplete": "off"})

    def clean_birth_date(self):
        return day_in_range(self.cleaned_data["birth_date"])

    def changes(self) -> dict:
        data = self.cleaned_data
        return {"name": data["name"], "phone": parse_phone(data["phone"]) if data["phone"].strip() else "",
                "birth_date": data["birth_date"], "different_person": data["different_person"]}
