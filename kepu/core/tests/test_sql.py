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


@pytest.mark.django_db(transaction=True)
def test_recording_a_tokens_use_does_not_wait_for_the_disk_and_nothing_else_changes(tree, rf):
    # Without a test transaction around it, as a request runs: the token statement commits on
    # its own, and the relaxed setting ends with it.
    from django.db import transaction

    _token, key = ApiToken.issue(tree.reviewer, name="desk")
    assert token_auth.authenticate(rf.get("/"), key) == tree.reviewer

    def setting() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            return cursor.fetchone()[0]

    assert setting() == "on"  # the next statement waits for the disk again
    assert ApiToken.objects.get(key_hash=ApiToken.hash(key)).last_used_at is not None
    with transaction.atomic():
        ApiToken.objects.update(last_used_at=None)
        token_auth.authenticate(rf.get("/"), key)
        assert setting() == "on"  # a caller's transaction keeps the durable commit it asked for
