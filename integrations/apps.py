from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    """Other city systems (对接系统): the 12345 hotline and any Open311 GeoReport v2 client."""

    name = "integrations"
    verbose_name = "系统对接"
