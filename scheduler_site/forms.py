"""What every form page does with a service's refusal, and the checks every date and redirect target shares."""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

# Dates people type: anything outside these years is a typing mistake, and dates near 9999 overflow the moment a
# day is added to them (OverflowError), so they are refused by field instead.
FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2100, 12, 31)


def day_in_range(day: dt.date, *, field: str | None = None) -> dt.date:
    """The day, or a ValidationError (on `field` when given) when it is outside 1900–2100."""
    if not FIRST_DAY <= day <= LAST_DAY:
        message = _("Use a date from 1900 to 2100.")
        raise ValidationError({field: message} if field else message, code="out_of_range")
    return day


def validate_day_in_range(value) -> None:
    """A form field's validator for day_in_range (DateField and the date of a DateTimeField)."""
    day_in_range(value.date() if isinstance(value, dt.datetime) else value)


def local_path(request, target: str | None) -> str | None:
    """`target` when it is a path on this site ("/me/"), else None: never another host, a scheme, a bare word that
    redirect() would take for a view name, or a control character."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if any(ord(char) < 32 or ord(char) == 127 for char in target):
        return None
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return None
    return target


def errors_to_form(form, exc: ValidationError, *, shown_as: dict[str, str] | None = None) -> None:
    """Put a service's ValidationError on the form: each field's messages on that field (or on the field the
    person typed it in, per `shown_as`, e.g. a limit kept in minutes but typed in hours), anything else at the
    top of the form. The error summary (partials/form_errors.html) then lists and links them."""
    shown_as = shown_as or {}
    for field, errors in getattr(exc, "message_dict", {None: exc.messages}).items():
        field = shown_as.get(field, field)
        form.add_error(field if field in form.fields else None, errors)


class IdsChoiceField(forms.ModelMultipleChoiceField):
    """A choice of rows by id that refuses an id no database column can hold as "not one of the choices": the
    database would otherwise fail on it (OverflowError, integer out of range) instead of the form."""

    def _check_values(self, value):
        for pk in value or ():
            text = str(pk)
            if not (text.isascii() and text.isdigit()) or int(text) > 2**63 - 1:
                raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice",
                                      params={"value": text[:20]})
        return super()._check_values(value)
