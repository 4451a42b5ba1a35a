from django.apps import AppConfig


class ResidentsConfig(AppConfig):
    """居民自报: the residents' public channel (estate entry pages, tracking, rating)."""

    name = "residents"
    verbose_name = "居民自报"
