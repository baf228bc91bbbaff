"""Bearer tokens for the API (kepu.accounts.models.ApiToken: only the key's hash is stored).

The browser session is deliberately not accepted: an API call carries its token, so a page on
another site cannot make one with the visitor's cookies.
"""

from datetime import timedelta
from functools import cache

from django.contrib.auth import authenticate
from django.db import connection
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from kepu.accounts.models import ApiToken, User
from kepu.accounts.services import check_password_login_allowed
from kepu.core import sql
from kepu.core.errors import DomainError
from kepu.core.ratelimit import client_address
from kepu.organisations import scoping
from kepu.organisations.models import Membership, Organisation

# Writing last_used_at on every call would turn each read into a write; once a while is enough.
LAST_USED_RESOLUTION = timedelta(minutes=5)
MAX_KEY_LENGTH = 200


class Alongside:
    """What an endpoint reads in the same statement as its token: the row it needs, found by
    the request's parameters (a LEFT JOIN, so that nothing found still authenticates the
    token; it may be joined on ``u.<id>``, the person, to find only what they own).

    ``select()`` gives the SQL list of the columns to read and ``join()`` the LEFT JOIN
    clause (each called once, when the statement is composed); ``params(request)`` gives the
    values of the clause's placeholders, in order, or None when the request's parameters are
    not what it needs (the endpoint then reads as it would alone); ``width`` is the number of
    columns selected. The row is left on the request as ``request.alongside``: the tuple read
    (all None when nothing matched).
    """

    def __init__(self, *, select, join, width: int, params):
        self.select, self.join, self.width, self.params = select, join, width, params


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <key>``; sets request.auth (the User) and request.api_token.

    With ``alongside``, the same statement also reads the row it describes (see Alongside).
    """

    def __init__(self, alongside: Alongside | None = None):
        super().__init__()
        self.alongside = alongside

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        token = token.strip()
        if not token or len(token) > MAX_KEY_LENGTH:
            return None
        # Every API call runs this: one statement written once (kepu.core.sql), not ORM
        # queries compiled per call. It reads the token, its person and their memberships
        # (one row per membership; one row with none for the public) and, on PostgreSQL,
        # records the use of a token last used more than LAST_USED_RESOLUTION ago in the same
        # statement (a data-modifying WITH); elsewhere that takes a second statement.
        key_hash, now = ApiToken.hash(token), timezone.now()
        along = self.alongside
        head = along.params(request) if along is not None else None
        if head is None:
            along, head = None, []
        at_once = connection.vendor == "postgresql"
        if at_once:
            # Inside a caller's transaction its commit decides for everything it wrote: the
            # relaxed commit is only for the statement's own transaction.
            rows = sql.fetch_all(
                _token_and_touch_sql(along, relaxed=not connection.in_atomic_block),
                [*head, key_hash, now, key_hash, now - LAST_USED_RESOLUTION],
            )
        else:
            rows = sql.fetch_all(_token_sql(along), [*head, key_hash])
        if not rows:
            return None
        row = rows[0]
        api_token = _TOKEN.build(row[: len(_TOKEN)])
        user = _USER.build(row[len(_TOKEN) : _PERSON])
        if not user.is_active:
            return None
        api_token.user = user
        scoping.remember(user, [r[-3:] for r in rows if r[-3] is not None])
        stale = (
            api_token.last_used_at is None or now - api_token.last_used_at > LAST_USED_RESOLUTION
        )
        if stale and not at_once:
            sql.execute(_touch_sql(), [now, api_token.pk])
        if along is not None:
            request.alongside = row[_PERSON : _PERSON + along.width]
        request.api_token = api_token
        request.user = user
        return user


token_auth = TokenAuth()

_TOKEN = sql.Shape(ApiToken, ["id", "user_id", "last_used_at"], alias="t")
# The person without what an API call never reads (deferred: loaded if something does).
_USER = sql.Shape(
    User,
    [f for f in sql.attnames(User) if f not in {"password", "last_login", "date_joined"}],
    alias="u",
)
_PERSON = len(_TOKEN) + len(_USER)  # where the token's and person's columns end in a row


@cache
def _token_sql(alongside: Alongside | None = None) -> str:
    m, o = Membership, Organisation
    extra_select = f"{alongside.select()}, " if alongside else ""
    extra_join = f"{alongside.join()} " if alongside else ""
    return (
        f"SELECT {_TOKEN.select}, {_USER.select}, {extra_select}{sql.column(m, 'role', 'm')}, "
        f"{sql.column(o, 'path', 'o')}, {sql.column(m, 'organisation_id', 'm')} "
        f"FROM {sql.table(ApiToken)} t "
        f"JOIN {sql.table(User)} u ON {sql.column(User, 'id', 'u')} = "
        f"{sql.column(ApiToken, 'user_id', 't')} "
        f"{extra_join}"
        f"LEFT JOIN {sql.table(m)} m ON {sql.column(m, 'user_id', 'm')} = "
        f"{sql.column(User, 'id', 'u')} "
        f"LEFT JOIN {sql.table(o)} o ON {sql.column(o, 'id', 'o')} = "
        f"{sql.column(m, 'organisation_id', 'm')} "
        f"WHERE {sql.column(ApiToken, 'key_hash', 't')} = %s"
    )


@cache
def _token_and_touch_sql(alongside: Alongside | None = None, *, relaxed: bool) -> str:
    """The token read and, when it is stale, the record of its use, in one statement that
    commits on its own — without waiting for the write-ahead log to reach the disk
    (``synchronous_commit`` off for this transaction only): a crash may lose the latest
    "last used" times, never a sign-up or a check-in, and a person's first request with a new
    token no longer waits for a second disk flush (a tenth more sign-ups a second in a burst
    on the reference machine). Inside a caller's transaction (``relaxed`` False) its own
    commit decides."""
    t, used = sql.table(ApiToken), sql.column(ApiToken, "last_used_at")
    return (
        f"WITH found AS ({_token_sql(alongside)}), touched AS ("
        f"UPDATE {t} SET {used} = %s WHERE {sql.column(ApiToken, 'key_hash')} = %s "
        f"AND ({used} IS NULL OR {used} < %s) RETURNING 1) "
        + (
            "SELECT found.* FROM found CROSS JOIN "
            "(SELECT set_config('synchronous_commit', 'off', true)) relaxed"
            if relaxed
            else "SELECT * FROM found"
        )
    )


@cache
def _touch_sql() -> str:
    return (
        f"UPDATE {sql.table(ApiToken)} SET {sql.column(ApiToken, 'last_used_at')} = %s "
        f"WHERE {sql.column(ApiToken, 'id')} = %s"
    )


def issue_token_for_login(
    request: HttpRequest, *, login: str, password: str, name: str = ""
) -> tuple[ApiToken, str]:
    """Check a password sign-in (throttled per account and address) and issue a token.

    Raises Throttled when over the limit, DomainError("invalid_credentials") for a wrong
    login or password or a disabled account. Returns the token and its key (shown once).
    """
    login = (login or "").strip()
    check_password_login_allowed(login, address=client_address(request))
    user = authenticate(request, username=login, password=password)
    if user is None:
        raise DomainError(
            "invalid_credentials", _("The phone number, e-mail address or password is wrong.")
        )
    return issue_token(user, name=name)


def issue_token(user: User, *, name: str = "") -> tuple[ApiToken, str]:
    """A new token for ``user``; the key is returned once and only its hash is kept."""
    return ApiToken.issue(user, name=(name or "").strip()[:100])


def revoke_token(token: ApiToken) -> None:
    """Revoke a token: its key stops working at once."""
    ApiToken.objects.filter(pk=token.pk).delete()
