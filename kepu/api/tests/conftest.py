import pytest
from django.core.cache import cache

from kepu.accounts.models import ApiToken


@pytest.fixture(autouse=True)
def _fresh_throttles():
    # Throttle counters live in the (process-wide) cache; each test starts with none.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def bearer():
    """Authorization headers with a new token for ``user``."""

    def make(user) -> dict[str, str]:
        _token, key = ApiToken.issue(user, name="test")
        return {"Authorization": f"Bearer {key}"}

    return make
