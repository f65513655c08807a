"""Words for codes in templates: a re-plan's cause in words (`{% load yure_words %}`,
`{{ roster.reason|cause_words }}`). A duty's name in the reader's language is the model's own: `duty.display_name`."""

from django import template

from shifts.models.rosters import CAUSE_TEXT

register = template.Library()


@register.filter
def cause_words(summary: str) -> str:
    """A run's or roster's untranslated summary ("王五: illness", see shifts.rostering.repair.cause_summary) in
    words of the active language ("因王五生病重新安排"); any other text unchanged."""
    name, sep, code = (summary or "").rpartition(": ")
    if sep and code in CAUSE_TEXT and name:
        return str(CAUSE_TEXT[code]) % {"name": name}
    return summary
