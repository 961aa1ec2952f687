"""Dates in the reader's language, with French typography: the first day of
the month is "1er" (premier), never "1", as in "1er juin 2027".

Django's date formats cannot say it (a format string does not depend on the
day), so `date_format` here adds the "er" to the day of the first, and the
template library below replaces the built-in `date` filter with the same
rule: it is a builtin of the template engine (settings.TEMPLATES), so every
`{{ value|date:"DATE_FORMAT" }}` of every template follows it."""

import datetime
import re

from django import template
from django.template import defaultfilters
from django.utils import dateformat, formats
from django.utils.translation import get_language

# The day of the month without a leading zero, where the format does not
# escape it.
_DAY = re.compile(r"(?<!\\)j")


def _first_in_french(value) -> bool:
    return (
        isinstance(value, datetime.date)
        and value.day == 1
        and (get_language() or "").startswith("fr")
    )


def date_format(value, format: str | None = None) -> str:
    """Django's `formats.date_format`, with "1er" for the first of the month
    in French."""
    if not _first_in_french(value):
        return formats.date_format(value, format)
    pattern = formats.get_format(format or "DATE_FORMAT")
    return dateformat.format(value, _DAY.sub(r"j\\e\\r", pattern))


register = template.Library()


@register.filter(expects_localtime=True, is_safe=False)
def date(value, arg=None):
    """The built-in `date` filter, with "1er" for the first of the month in
    French."""
    if _first_in_french(value):
        return date_format(value, arg)
    return defaultfilters.date(value, arg)
