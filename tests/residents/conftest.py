import pytest


@pytest.fixture(autouse=True)
def fresh_limits(settings):
    """Each test starts with empty rate-limit counters (they live in the cache)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def entry(world):
    from residents import services

    return services.entry_for(world.estates["MY101"], by=world.users["meiyuan_clerk"])
