"""Which statements PostgreSQL prepares: the hot-path ones of kepu.core.sql, and no ORM query."""

import pytest
from django.db import connection

from kepu.accounts.models import ApiToken
from kepu.api.auth import token_auth
from kepu.organisations.models import Organisation

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql"
    or connection.settings_dict["OPTIONS"].get("server_side_binding") is not True,
    reason="prepared statements exist on PostgreSQL with server-side binding (CI runs it)",
)


def prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_the_token_lookup_is_prepared_and_orm_queries_are_planned_for_their_values(tree, rf):
    _token, key = ApiToken.issue(tree.reviewer, name="desk")
    for _ in range(3):
        request = rf.get("/")
        assert token_auth.authenticate(request, key) == tree.reviewer
    for _ in range(10):
        list(Organisation.objects.filter(path__startswith=tree.city.path))
    statements = prepared_statements()
    assert any(ApiToken._meta.db_table in s for s in statements)
    assert not any(Organisation._meta.db_table in s and "LIKE" in s for s in statements)
    assert connection.connection.prepare_threshold is None
