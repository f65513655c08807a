"""`{% load periods %}`: `{{ absence|period }}` (anything with .start and .end) or
`{% period_of start end as when %}` inside a blocktranslate; the words are volunteers.periods.period_words."""

from django import template

from volunteers.periods import period_words

register = template.Library()


@register.filter
def period(value) -> str:
    return period_words(getattr(value, "start", None), getattr(value, "end", None))


@register.simple_tag
def period_of(start, end) -> str:
    return period_words(start, end)
