from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo data of the quick start; it depends on every other app."""

    name = "demo"
    verbose_name = "Demo"
