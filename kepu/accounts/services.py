"""Sign-in services: one-time codes by SMS, throttled per phone number and per address."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kepu.core import ratelimit
from kepu.core.errors import DomainError
from kepu.core.text import is_phone, normalise_phone

from .models import OneTimeCode, User
from .sms import send_sms

MAX_CODE_ATTEMPTS = 5


def _valid_phone(phone: str) -> str:
    phone = normalise_phone(phone)
    if not is_phone(phone):
        raise DomainError("invalid_phone", _("Enter a valid phone number."))
    return phone


def send_login_code(phone: str, *, address: str) -> OneTimeCode:
    """Create a six-digit code for ``phone`` and send it by SMS.

    Throttled per phone number and per client address; raises Throttled when over the limit
    or when the throttle store is down, DomainError("invalid_phone") for a malformed number.
    """
    phone = _valid_phone(phone)
    limit, window = settings.KEPU_OTP_SEND_LIMIT
    ratelimit.hit("otp-phone", phone, limit=limit, window=window)
    ratelimit.hit("otp-addr", address, limit=limit * 4, window=window)
    code = f"{secrets.randbelow(1_000_000):06d}"
    with transaction.atomic():
        OneTimeCode.objects.filter(phone=phone, used_at__isnull=True).update(used_at=timezone.now())
        otc = OneTimeCode.objects.create(
            phone=phone,
            code_hash=OneTimeCode.hash(phone, code),
            expires_at=timezone.now() + timedelta(seconds=settings.KEPU_OTP_TTL_SECONDS),
        )
    minutes = settings.KEPU_OTP_TTL_SECONDS // 60
    send_sms(
        phone,
        _("Your kepu sign-in code is %(code)s. It expires in %(minutes)s minutes.")
        % {"code": code, "minutes": minutes},
    )
    return otc


def verify_login_code(phone: str, code: str, *, address: str) -> User:
    """Check a one-time code and return the person, creating one for a new phone number.

    A code works once, expires, and allows MAX_CODE_ATTEMPTS wrong guesses before it is void.
    Raises DomainError("invalid_code") for any wrong, used or expired code, Throttled when the
    phone number or the address has tried too often.
    """
    phone = _valid_phone(phone)
    limit, window = settings.KEPU_LOGIN_LIMIT
    ratelimit.hit("login-phone", phone, limit=limit, window=window)
    ratelimit.hit("login-addr", address, limit=settings.KEPU_ADDRESS_LIMIT[0], window=window)
    code = (code or "").strip()
    user = None
    with transaction.atomic():
        otc = (
            OneTimeCode.objects.select_for_update()
            .filter(phone=phone, used_at__isnull=True, expires_at__gt=timezone.now())
            .first()
        )
        if otc is not None and otc.attempts < MAX_CODE_ATTEMPTS:
            if secrets.compare_digest(otc.code_hash, OneTimeCode.hash(phone, code)):
                otc.used_at = timezone.now()
                otc.save(update_fields=["used_at"])
                user = User.objects.filter(phone=phone).first() or User.objects.create_user(
                    phone=phone
                )
            else:
                # Committed with the refusal: wrong guesses count even though we raise below.
                OneTimeCode.objects.filter(pk=otc.pk).update(attempts=otc.attempts + 1)
    if user is None:
        raise DomainError("invalid_code", _("The code is wrong or has expired. Request a new one."))
    if not user.is_active:
        raise DomainError("inactive", _("This account is disabled."))
    ratelimit.reset("login-phone", phone)
    return user


def check_password_login_allowed(identifier: str, *, address: str) -> None:
    """Count a password sign-in attempt per account and per address (raises Throttled)."""
    limit, window = settings.KEPU_LOGIN_LIMIT
    ident = identifier.strip().lower()
    ident = ident if "@" in ident else normalise_phone(ident)
    ratelimit.hit("login-account", ident[:100], limit=limit, window=window)
    ratelimit.hit("login-addr", address, limit=settings.KEPU_ADDRESS_LIMIT[0], window=window)
