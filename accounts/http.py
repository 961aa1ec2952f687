from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """The request type of views, for the `htmx` attribute the middleware adds.

    https://django-htmx.readthedocs.io/en/latest/tips.html#type-hints
    """

    htmx: HtmxDetails
