"""French formats: Django's, with "à" between the date and the time, as French
writes it ("1er juin 2027 à 14:30"). The "1er" of the first of the month is
`config.dates`' work: a format string cannot depend on the day."""

from django.conf.locale.fr.formats import *  # noqa: F403

DATETIME_FORMAT = r"j F Y \à H:i"
