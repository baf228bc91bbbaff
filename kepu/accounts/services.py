"""Sign-in services: one-time codes by SMS, throttled per phone number and per address."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kepu.core import ratelimit
from kepu.core.audit import log_action
from kepu.core.errors import Conflict, DomainError, Forbidden, NotFound
from kepu.core.text import is_phone, mask_phone, normalise_phone

from .models import Notification, OneTimeCode, User
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


# --- Password sign-in, profile, preferences ----------------------------------------------------


def sign_in_with_password(identifier: str, password: str, *, address: str, request=None) -> User:
    """Check a phone-or-e-mail and password; return the person.

    Every attempt counts against the account and the address (check_password_login_allowed);
    a success clears the account's counter. Raises Throttled when over the limit or when the
    throttle store is down, DomainError("invalid_credentials") for a wrong pair.
    """
    identifier = (identifier or "").strip()
    check_password_login_allowed(identifier, address=address)
    user = authenticate(request, username=identifier, password=password)
    if user is None:
        raise DomainError(
            "invalid_credentials",
            _("The phone number or e-mail address and password do not match."),
        )
    ident = identifier.lower() if "@" in identifier else normalise_phone(identifier)
    ratelimit.reset("login-account", ident[:100])
    return user


PROFILE_FIELDS = ("name", "email", "language", "elder_mode")


@transaction.atomic
def update_profile(user: User, *, name: str, email: str, language: str, elder_mode: bool) -> User:
    """Save a person's own profile. The phone number is not part of it: it changes only through
    send_phone_change_code and change_phone, which prove the person receives SMS at the number.

    Raises DomainError when neither phone nor e-mail would be left, Conflict when another person
    already uses the e-mail address.
    """
    email = (email or "").strip().lower() or None
    if not email and not user.phone:
        raise DomainError(
            "contact_required", _("Keep at least a phone number or an e-mail address.")
        )
    if email and User.objects.exclude(pk=user.pk).filter(email=email).exists():
        raise Conflict("email_taken", _("This e-mail address belongs to another account."))
    user.name = (name or "").strip()[:100]
    user.email = email
    user.language = language if language in dict(settings.LANGUAGES) else ""
    user.elder_mode = bool(elder_mode)
    user.save(update_fields=list(PROFILE_FIELDS))
    return user


# --- Changing the phone number: proven by a code sent to the new number --------------------------


def _phone_taken() -> Conflict:
    return Conflict("phone_taken", _("This phone number belongs to another account."))


def _phone_change_hash(user: User, phone: str, code: str) -> str:
    # Bound to the person who asked: the code cannot serve another account's change, and it
    # never matches a sign-in code (a sign-in hash starts with the digits of the number).
    return OneTimeCode.hash(f"phone-change:{user.pk}:{phone}", code)


def send_phone_change_code(user: User, *, phone: str, address: str) -> OneTimeCode:
    """Send a one-time code to ``phone``, the number ``user`` wants to have instead of theirs.

    Throttled like send_login_code (per number and per address) and also per person; the person
    and address are counted before the number is looked up, so that the refusal cannot be used
    to list registered numbers quickly. Raises DomainError("invalid_phone") for a malformed
    number, DomainError("same_phone") for the person's own number, Conflict("phone_taken") when
    another account has it, Throttled when over a limit or when the throttle store is down.
    """
    phone = _valid_phone(phone)
    limit, window = settings.KEPU_OTP_SEND_LIMIT
    ratelimit.hit("otp-user", str(user.pk), limit=limit, window=window)
    ratelimit.hit("otp-addr", address, limit=limit * 4, window=window)
    if phone == user.phone:
        raise DomainError("same_phone", _("This is already your phone number."))
    if User.objects.exclude(pk=user.pk).filter(phone=phone).exists():
        raise _phone_taken()
    ratelimit.hit("otp-phone", phone, limit=limit, window=window)
    code = f"{secrets.randbelow(1_000_000):06d}"
    with transaction.atomic():
        OneTimeCode.objects.filter(phone=phone, used_at__isnull=True).update(used_at=timezone.now())
        otc = OneTimeCode.objects.create(
            phone=phone,
            code_hash=_phone_change_hash(user, phone, code),
            expires_at=timezone.now() + timedelta(seconds=settings.KEPU_OTP_TTL_SECONDS),
        )
    minutes = settings.KEPU_OTP_TTL_SECONDS // 60
    send_sms(
        phone,
        _(
            "Your kepu code to add this phone number to your account is %(code)s. It expires in "
            "%(minutes)s minutes. If you did not ask for it, ignore this message."
        )
        % {"code": code, "minutes": minutes},
    )
    return otc


def change_phone(user: User, *, phone: str, code: str, address: str) -> User:
    """Give ``user`` the phone number ``phone`` once they enter the code sent to it.

    The code is checked like a sign-in code (works once, expires, MAX_CODE_ATTEMPTS wrong
    guesses, throttled per number and per address) but only for the person who asked for it;
    no account is ever created. Uniqueness is checked again inside the transaction. Writes the
    audit entry "accounts.user.phone_changed" with masked numbers and sends no message.
    Raises DomainError("invalid_code"), Conflict("phone_taken"), Throttled.
    """
    phone = _valid_phone(phone)
    limit, window = settings.KEPU_LOGIN_LIMIT
    ratelimit.hit("login-phone", phone, limit=limit, window=window)
    ratelimit.hit("login-addr", address, limit=settings.KEPU_ADDRESS_LIMIT[0], window=window)
    code = (code or "").strip()
    changed = False
    try:
        with transaction.atomic():
            otc = (
                OneTimeCode.objects.select_for_update()
                .filter(phone=phone, used_at__isnull=True, expires_at__gt=timezone.now())
                .first()
            )
            if otc is not None and otc.attempts < MAX_CODE_ATTEMPTS:
                if secrets.compare_digest(otc.code_hash, _phone_change_hash(user, phone, code)):
                    otc.used_at = timezone.now()
                    otc.save(update_fields=["used_at"])
                    _set_phone(user, phone)
                    changed = True
                else:
                    # Committed with the refusal: wrong guesses count even though we raise below.
                    OneTimeCode.objects.filter(pk=otc.pk).update(attempts=otc.attempts + 1)
    except IntegrityError:
        # Another account took the number between our check and our write.
        raise _phone_taken() from None
    if not changed:
        raise DomainError("invalid_code", _("The code is wrong or has expired. Request a new one."))
    user.phone = phone
    ratelimit.reset("login-phone", phone)
    return user


def _set_phone(user: User, phone: str) -> None:
    """Inside change_phone's transaction: lock the person, re-check the number, write, audit."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    if User.objects.exclude(pk=user.pk).filter(phone=phone).exists():
        raise _phone_taken()
    before = locked.phone
    locked.phone = phone
    locked.save(update_fields=["phone"])
    log_action(
        "accounts.user.phone_changed",
        locked,
        actor=user,
        before={"phone": mask_phone(before)},
        after={"phone": mask_phone(phone)},
    )


def change_password(user: User, *, password: str) -> User:
    """Set a new password (already validated by the form) and record it in the audit log."""
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        log_action("accounts.user.password_changed", user, actor=user)
    return user


def set_elder_mode(user: User, *, on: bool) -> User:
    """Remember the elder-mode preference of a signed-in person."""
    if user.elder_mode != on:
        user.elder_mode = on
        user.save(update_fields=["elder_mode"])
    return user


def mark_notification_read(notification: Notification, *, user: User) -> Notification:
    """Mark one of the person's own notices as read (NotFound for anyone else's)."""
    if notification.user_id != user.pk:
        raise NotFound("not_found", _("This notice does not exist."))
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


# --- Personal data: export and deletion ---------------------------------------------------------


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def export_personal_data(user: User) -> dict:
    """Everything kepu holds about ``user``, as plain JSON-ready values.

    Only the person's own data: staff who checked them in, contact people of activities and
    other participants are left out (their phone numbers never appear).
    """
    from kepu.activities.models import CheckIn, Feedback, Registration

    registrations = Registration.objects.filter(user=user).select_related("activity")
    checkins = CheckIn.objects.filter(user=user).select_related("activity")
    feedback = Feedback.objects.filter(user=user).select_related("activity")
    return {
        "profile": {
            "id": user.pk,
            "name": user.name,
            "phone": user.phone,
            "email": user.email,
            "language": user.language,
            "elder_mode": user.elder_mode,
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
        },
        "registrations": [
            {
                "activity": r.activity.title,
                "activity_id": r.activity_id,
                "status": r.status,
                "name": r.name,
                "phone": r.phone,
                "ticket_code": r.ticket_code,
                "is_minor": r.is_minor,
                "guardian_name": r.guardian_name,
                "activity_starts_at": _iso(r.activity.starts_at),
                "activity_ends_at": _iso(r.activity.ends_at),
                "signed_up_at": _iso(r.created_at),
                "consent_at": _iso(r.consent_at),
                "promoted_at": _iso(r.promoted_at),
                "cancelled_at": _iso(r.cancelled_at),
            }
            for r in registrations
        ],
        "checkins": [
            {
                "activity": c.activity.title,
                "activity_id": c.activity_id,
                "at": _iso(c.at),
                "method": c.method,
            }
            for c in checkins
        ],
        "feedback": [
            {
                "activity": f.activity.title,
                "activity_id": f.activity_id,
                "rating": f.rating,
                "comment": f.comment,
                "at": _iso(f.created_at),
            }
            for f in feedback
        ],
        "notifications": [
            {
                "message": n.message,
                "url": n.url,
                "at": _iso(n.created_at),
                "read_at": _iso(n.read_at),
            }
            for n in user.notifications.all()
        ],
        "memberships": [
            {"organisation": m.organisation.name, "role": m.role, "since": _iso(m.created_at)}
            for m in user.memberships.select_related("organisation")
        ],
    }


def _cancel_open_registrations(user: User) -> list[int]:
    """Cancel sign-ups for activities that have not ended, through the waiting-list service."""
    from kepu.activities.models import Registration
    from kepu.activities.services import cancel_registration

    cancelled = []
    open_ones = Registration.objects.active().filter(
        user=user, activity__ends_at__gt=timezone.now()
    )
    for registration in open_ones:
        try:
            cancel_registration(registration, user=user)
        except Conflict:
            continue  # already checked in: attendance stays counted
        cancelled.append(registration.pk)
    return cancelled


def delete_account(user: User, *, actor: User) -> User:
    """Remove a person's personal data and close the account.

    Open sign-ups are cancelled (waiting lists move up); past sign-ups, check-ins and ratings
    stay so that counts and averages remain right, but lose every personal field: names,
    phone numbers, comments. The row itself is kept, inactive and anonymous, because sign-ups
    and feedback cascade from it. Memberships, notices, API tokens and codes are deleted.
    Only the person may do this (Forbidden otherwise).
    """
    from kepu.activities.models import CheckIn, Feedback, Registration

    if actor.pk != user.pk:
        raise Forbidden("forbidden", _("Only the person can delete their own account."))
    with transaction.atomic():
        cancelled = _cancel_open_registrations(user)
        user = User.objects.select_for_update().get(pk=user.pk)
        Registration.objects.filter(user=user).update(
            name="-", phone="", guardian_name="", updated_at=timezone.now()
        )
        CheckIn.objects.filter(user=user).update(name="", phone="")
        Feedback.objects.filter(user=user).update(comment="", updated_at=timezone.now())
        if user.phone:
            OneTimeCode.objects.filter(phone=user.phone).delete()
        user.notifications.all().delete()
        user.api_tokens.all().delete()
        memberships = list(user.memberships.values_list("organisation_id", "role"))
        user.memberships.all().delete()
        user.groups.clear()
        user.user_permissions.clear()
        user.name, user.phone, user.language, user.elder_mode = "", None, "", False
        # The model needs a phone or an e-mail: a unique address that reaches nobody.
        user.email = f"deleted-{user.pk}@deleted.invalid"
        user.is_active = user.is_staff = user.is_superuser = False
        user.set_unusable_password()
        user.save()
        log_action(
            "accounts.user.deleted",
            user,
            actor=user,
            after={
                "cancelled_registrations": cancelled,
                "memberships": [list(m) for m in memberships],
            },
        )
    return user
