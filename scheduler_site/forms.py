"""What every form page does with a service's refusal."""

from django.core.exceptions import ValidationError


def errors_to_form(form, exc: ValidationError, *, shown_as: dict[str, str] | None = None) -> None:
    """Put a service's ValidationError on the form: each field's messages on that field (or on the field the
    person typed it in, per `shown_as`, e.g. a limit kept in minutes but typed in hours), anything else at the
    top of the form. The error summary (partials/form_errors.html) then lists and links them."""
    shown_as = shown_as or {}
    for field, errors in getattr(exc, "message_dict", {None: exc.messages}).items():
        field = shown_as.get(field, field)
        form.add_error(field if field in form.fields else None, errors)
