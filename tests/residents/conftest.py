import pytest

from tests.conftest import empty_cache


@pytest.fixture(autouse=True)
def fresh_limits(settings):
    """Each test starts with empty rate-limit counters (they live in the cache)."""

    empty_cache()
    yield
    empty_cache()


@pytest.fixture
def entry(world):
    from residents import services

    return services.entry_for(world.estates["MY101"], by=world.users["meiyuan_clerk"])
