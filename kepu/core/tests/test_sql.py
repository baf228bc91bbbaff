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


def test_a_statement_skipping_djangos_cursor_fails_as_it_would_through_it(tree):
    # The hot-path statements run on the driver's cursor (sql._direct): a duplicate is still
    # Django's IntegrityError, and once an error has broken a transaction the next statement
    # is refused as Django's cursor would refuse it, until the transaction is rolled back.
    from django.db import IntegrityError, transaction
    from django.db.transaction import TransactionManagementError

    from kepu.core import sql

    assert sql._direct() is not None
    token, _key = ApiToken.issue(tree.reviewer, name="desk")
    statement = (
        f"UPDATE {sql.table(ApiToken)} SET {sql.column(ApiToken, 'key_hash')} = %s "
        f"WHERE {sql.column(ApiToken, 'id')} = %s"
    )
    other, _ = ApiToken.issue(tree.reviewer, name="other")
    with transaction.atomic():
        with pytest.raises(IntegrityError):
            with transaction.atomic(savepoint=False):
                sql.execute(statement, [other.key_hash, token.pk])
        with pytest.raises(TransactionManagementError):
            sql.fetch_one("SELECT 1", [])
    assert ApiToken.objects.get(pk=token.pk).key_hash == token.key_hash
