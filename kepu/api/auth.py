"""Bearer tokens for the API (kepu.accounts.models.ApiToken: only the key's hash is stored).

The browser session is deliberately not accepted: an API call carries its token, so a page on
another site cannot make one with the visitor's cookies.
"""

from datetime import timedelta

from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from kepu.accounts.models import ApiToken, User
from kepu.accounts.services import check_password_login_allowed
from kepu.core.errors import DomainError
from kepu.core.ratelimit import client_address

# Writing last_used_at on every call would turn each read into a write; once a while is enough.
LAST_USED_RESOLUTION = timedelta(minutes=5)
MAX_KEY_LENGTH = 200


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <key>``; sets request.auth (the User) and request.api_token."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        token = token.strip()
        if not token or len(token) > MAX_KEY_LENGTH:
            return None
        # The hash is unique: no ORDER BY (which .first() would add) to compile or plan.
        found = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=ApiToken.hash(token))
            .order_by()[:1]
        )
        api_token = next(iter(found), None)
        if api_token is None or not api_token.user.is_active:
            return None
        now = timezone.now()
        if api_token.last_used_at is None or now - api_token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        request.api_token = api_token
        request.user = api_token.user
        return api_token.user


token_auth = TokenAuth()


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
