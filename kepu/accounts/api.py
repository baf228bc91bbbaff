"""API handlers for signing in with a token and for the person's own account."""

import datetime as dt

from ninja import Field, Router, Schema, Status
from ninja.responses import codes_4xx

from kepu.api.auth import issue_token_for_login, revoke_token, token_auth
from kepu.api.errors import ErrorOut

from .models import User

router = Router(tags=["auth"])


class TokenIn(Schema):
    login: str = Field(
        ..., min_length=1, max_length=254, description="Phone number or e-mail address."
    )
    password: str = Field(..., min_length=1, max_length=4096)
    name: str = Field("", max_length=100, description="A name to recognise the token by.")


class MeOut(Schema):
    """The person's own account: their own phone number unmasked."""

    id: int
    name: str
    phone: str | None
    email: str | None
    language: str


class TokenOut(Schema):
    token: str = Field(..., description="Shown once: keep it safe.")
    prefix: str
    name: str
    created_at: dt.datetime
    user: MeOut


@router.post(
    "/auth/token",
    response={201: TokenOut, codes_4xx: ErrorOut},
    summary="Get a token with a password",
)
def create_token(request, payload: TokenIn):
    """Sign in with a phone number or e-mail address and password; throttled per account and
    per address. Send the token as ``Authorization: Bearer <token>``."""
    token, key = issue_token_for_login(
        request, login=payload.login, password=payload.password, name=payload.name
    )
    return Status(
        201,
        {
            "token": key,
            "prefix": token.prefix,
            "name": token.name,
            "created_at": token.created_at,
            "user": token.user,
        },
    )


@router.delete(
    "/auth/token",
    auth=token_auth,
    response={204: None, codes_4xx: ErrorOut},
    summary="Revoke the token of this request",
)
def delete_token(request):
    revoke_token(request.api_token)
    return Status(204, None)


@router.get(
    "/me", auth=token_auth, response={200: MeOut, codes_4xx: ErrorOut}, summary="My account"
)
def me(request) -> User:
    return request.auth
