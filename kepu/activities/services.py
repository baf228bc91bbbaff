"""Activity services: reporting, review, sign-up with a waiting list, check-in, feedback.

Every change of state goes through one of these functions. Each runs in one transaction,
writes an audit entry for staff actions, and raises DomainError with a stable code.
"""

import hashlib
import hmac
from contextlib import nullcontext
from datetime import datetime
from functools import cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kepu.accounts.models import User
from kepu.campaigns.models import Campaign, Phase
from kepu.campaigns.services import check_phase_open, participates
from kepu.core import sql
from kepu.core.audit import audit_entry, changed, log_action, snapshot
from kepu.core.errors import Conflict, DomainError, Forbidden, NotFound, invalid
from kepu.core.models import AuditEntry
from kepu.core.text import is_phone, normalise_phone
from kepu.organisations import scoping
from kepu.organisations.models import Organisation

from . import pages, selectors
from .models import Activity, CheckIn, Feedback, Registration
from .notifications import notify

Status = Activity.Status

EDITABLE_FIELDS = [
    "title",
    "description",
    "kind",
    "format",
    "venue",
    "region",
    "online_url",
    "starts_at",
    "ends_at",
    "capacity",
    "signup_required",
    "is_key",
    "contact_name",
    "contact_phone",
    "joint_action",
]
M2M_FIELDS = ["audiences", "topics"]


def _validation_error(exc: ValidationError) -> DomainError:
    return invalid(exc)


def _save_validated(activity: Activity) -> None:
    try:
        activity.full_clean(exclude=["search_text", "created_by"])
    except ValidationError as exc:
        raise _validation_error(exc) from None
    activity.refresh_search_text()
    activity.save()


def _lock(activity_id: int, *, lock: bool = True) -> Activity:
    # Only the activity's row: joined rows (its campaign, its organisation) stay unlocked, or
    # every sign-up in a campaign would wait for every other.
    qs = Activity.objects.select_for_update(of=("self",)) if lock else Activity.objects
    try:
        return qs.select_related("campaign", "organisation").get(pk=activity_id)
    except Activity.DoesNotExist:
        raise NotFound("not_found", _("This activity does not exist.")) from None


# --- Reporting and review ---------------------------------------------------------------------


@transaction.atomic
def create_activity(
    *,
    actor: User,
    organisation: Organisation,
    campaign: Campaign,
    audiences=(),
    topics=(),
    **fields,
) -> Activity:
    """Register a draft activity for ``organisation`` in ``campaign``.

    Raises Forbidden without activities.report on the organisation, DomainError("not_participating")
    when the organisation does not take part, DomainError("invalid") for bad fields.
    """
    scoping.require(actor, "activities.report", organisation)
    if not participates(campaign, organisation):
        raise DomainError(
            "not_participating", _("Your organisation does not take part in this campaign.")
        )
    _check_joint_action(campaign, fields.get("joint_action"))
    activity = Activity(organisation=organisation, campaign=campaign, created_by=actor, **fields)
    _save_validated(activity)
    activity.audiences.set(audiences)
    activity.topics.set(topics)
    log_action(
        "activities.activity.created",
        activity,
        actor=actor,
        organisation=organisation,
        after=snapshot(activity),
    )
    return activity


def _check_joint_action(campaign: Campaign, joint_action) -> None:
    if joint_action is None:
        return
    allowed = {campaign.pk, *campaign.ancestor_ids()}
    if joint_action.campaign_id not in allowed:
        raise DomainError("invalid", _("This joint action belongs to another campaign."))


@transaction.atomic
def update_activity(
    activity: Activity, *, actor: User, audiences=None, topics=None, **fields
) -> Activity:
    """Edit an activity. Unit staff edit their own; reviewers above may edit too; audited."""
    activity = _lock(activity.pk)
    if not (
        scoping.has_perm(actor, "activities.report", activity.organisation)
        or can_review(actor, activity)
    ):
        raise Forbidden("forbidden", _("You do not have permission to do this."))
    if activity.status in (Status.FINISHED, Status.CANCELLED):
        raise DomainError("not_editable", _("A finished or cancelled activity cannot be edited."))
    _check_joint_action(activity.campaign, fields.get("joint_action"))
    before = snapshot(activity)
    for name, value in fields.items():
        if name not in EDITABLE_FIELDS:
            raise ValueError(name)
        setattr(activity, name, value)
    if activity.capacity is not None and activity.capacity < activity.confirmed_count:
        raise DomainError(
            "capacity_below_confirmed",
            _("%(count)s people are already confirmed; the places cannot be fewer.")
            % {"count": activity.confirmed_count},
        )
    _save_validated(activity)
    if audiences is not None:
        activity.audiences.set(audiences)
    if topics is not None:
        activity.topics.set(topics)
    old, new = changed(before, snapshot(activity))
    if old or new:
        log_action(
            "activities.activity.edited",
            activity,
            actor=actor,
            organisation=activity.organisation,
            before=old,
            after=new,
        )
    pages.activity_changed(activity.pk, listed=activity.is_public)
    _promote_waitlisted(activity)
    return activity


def can_review(user: User, activity: Activity) -> bool:
    """Review belongs to the parent organisation (or any ancestor) and the campaign organiser."""
    org = activity.organisation
    for path in scoping.granted_paths(user, "activities.review"):
        if org.path.startswith(path) and org.path != path:
            return True
        if activity.campaign.organiser.path.startswith(path):
            return True
    return False


def _transition(
    activity: Activity,
    *,
    actor: User,
    allowed_from: tuple,
    to: str,
    action: str,
    note: str = "",
    **changes,
) -> Activity:
    if activity.status not in allowed_from:
        raise Conflict(
            "invalid_transition",
            _("This activity is %(status)s; that step is not possible now.")
            % {"status": activity.get_status_display()},
        )
    before = {"status": activity.status}
    activity.status = to
    for name, value in changes.items():
        setattr(activity, name, value)
    activity.save(update_fields=["status", "updated_at", *changes.keys()])
    pages.activity_changed(
        activity.pk, listed=activity.is_public or before["status"] in Activity.PUBLIC_STATUSES
    )
    log_action(
        action,
        activity,
        actor=actor,
        organisation=activity.organisation,
        before=before,
        after={"status": to, **{k: str(v) for k, v in changes.items()}},
        note=note,
    )
    return activity


@transaction.atomic
def submit_activity(activity: Activity, *, actor: User, now: datetime | None = None) -> Activity:
    """Send a draft or returned activity for review, within the registration deadline.

    After the deadline the submission is refused (DomainError "deadline_passed") unless the
    organiser reopened registration; then it is accepted and marked late.
    """
    activity = _lock(activity.pk)
    scoping.require(actor, "activities.report", activity.organisation)
    late = check_phase_open(
        activity.campaign, Phase.REGISTRATION, organisation=activity.organisation, now=now
    )
    return _transition(
        activity,
        actor=actor,
        allowed_from=(Status.DRAFT, Status.RETURNED),
        to=Status.SUBMITTED,
        action="activities.activity.submitted",
        submitted_at=now or timezone.now(),
        is_late=late,
        return_reason="",
    )


def _require_review(actor: User, activity: Activity) -> None:
    if not can_review(actor, activity):
        raise Forbidden(
            "forbidden",
            _("Only the parent organisation or the campaign organiser can review this activity."),
        )


@transaction.atomic
def approve_activity(activity: Activity, *, actor: User) -> Activity:
    activity = _lock(activity.pk)
    _require_review(actor, activity)
    return _transition(
        activity,
        actor=actor,
        allowed_from=(Status.SUBMITTED,),
        to=Status.APPROVED,
        action="activities.activity.approved",
    )


@transaction.atomic
def return_activity(activity: Activity, *, actor: User, reason: str) -> Activity:
    """Send an activity back to its unit with a reason (required)."""
    activity = _lock(activity.pk)
    _require_review(actor, activity)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("reason_required", _("Say why the activity is returned."))
    if len(reason) > 2000:
        raise DomainError("invalid", _("The reason is too long (at most 2,000 characters)."))
    activity = _transition(
        activity,
        actor=actor,
        allowed_from=(Status.SUBMITTED, Status.APPROVED),
        to=Status.RETURNED,
        action="activities.activity.returned",
        note=reason,
        return_reason=reason,
    )
    if activity.created_by_id:
        notify(
            activity.created_by,
            gettext_lazy("Your activity “%(title)s” was returned: %(reason)s"),
            {"title": activity.title, "reason": reason},
            url=reverse("activities:work-activity-detail", args=[activity.pk]),
        )
    return activity


@transaction.atomic
def publish_activity(activity: Activity, *, actor: User) -> Activity:
    """Put an approved activity on the public site (its unit or a reviewer may do it)."""
    activity = _lock(activity.pk)
    if not (
        scoping.has_perm(actor, "activities.report", activity.organisation)
        or can_review(actor, activity)
    ):
        raise Forbidden("forbidden", _("You do not have permission to do this."))
    return _transition(
        activity,
        actor=actor,
        allowed_from=(Status.APPROVED,),
        to=Status.PUBLISHED,
        action="activities.activity.published",
        published_at=timezone.now(),
    )


@transaction.atomic
def finish_activity(activity: Activity, *, actor: User) -> Activity:
    activity = _lock(activity.pk)
    scoping.require(actor, "activities.report", activity.organisation)
    if not activity.has_ended:
        raise DomainError("not_ended", _("The activity can be marked finished once it has ended."))
    return _transition(
        activity,
        actor=actor,
        allowed_from=(Status.PUBLISHED,),
        to=Status.FINISHED,
        action="activities.activity.finished",
    )


@transaction.atomic
def cancel_activity(activity: Activity, *, actor: User, reason: str) -> Activity:
    """Cancel an activity; everyone signed up is told."""
    activity = _lock(activity.pk)
    scoping.require(actor, "activities.report", activity.organisation)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("reason_required", _("Say why the activity is cancelled."))
    activity = _transition(
        activity,
        actor=actor,
        allowed_from=(
            Status.DRAFT,
            Status.SUBMITTED,
            Status.RETURNED,
            Status.APPROVED,
            Status.PUBLISHED,
        ),
        to=Status.CANCELLED,
        action="activities.activity.cancelled",
        note=reason,
    )
    for registration in activity.registrations.active().select_related("user"):
        notify(
            registration.user,
            gettext_lazy("“%(title)s” has been cancelled: %(reason)s"),
            {"title": activity.title, "reason": reason},
            url=reverse("activities:activity-detail", args=[activity.pk]),
        )
    return activity


# --- Sign-up and the waiting list ---------------------------------------------------------------


def signup_lock_enabled() -> bool:
    """The row lock that keeps sign-ups within capacity; only a control test turns it off."""
    return getattr(settings, "KEPU_SIGNUP_LOCK", True)


def register_for_activity(
    activity_id: int,
    *,
    user: User,
    name: str,
    phone: str = "",
    consent: bool,
    is_minor: bool = False,
    guardian_name: str = "",
    guardian_consent: bool = False,
) -> Registration:
    """Sign ``user`` up: confirmed while places are left, else on the waiting list.

    Concurrent sign-ups never exceed the capacity: a place is taken by one conditional UPDATE
    of the activity's counter, the last statement before the commit, so the row lock it takes
    is held only until the commit (see ``_take_place``). Raises NotFound for a missing
    activity; DomainError: consent_required, guardian_consent_required, signup_closed,
    signup_not_needed; Conflict("already_registered") for a second active sign-up.
    """
    name = (name or "").strip()
    if not consent:
        raise DomainError(
            "consent_required", _("Please agree to the use of your data for this activity.")
        )
    if is_minor and not (guardian_consent and guardian_name.strip()):
        raise DomainError(
            "guardian_consent_required",
            _("Participants under 14 need a parent or guardian's consent and name."),
        )
    if not name or len(name) > 100:
        raise DomainError("invalid", _("Enter your name (at most 100 characters)."))
    phone = normalise_phone(phone) if phone else (user.phone or "")
    if len(phone) > 20:
        raise DomainError("invalid_phone", _("Enter a valid phone number."))
    now = timezone.now()
    registration = Registration(
        activity_id=activity_id,
        user=user,
        name=name,
        phone=phone,
        status=Registration.Status.CONFIRMED,
        consent_at=now,
        is_minor=is_minor,
        guardian_name=guardian_name.strip(),
        guardian_consent_at=now if is_minor else None,
    )
    try:
        if not signup_lock_enabled():
            with transaction.atomic():
                _take_place_unguarded(registration)
        elif not _take_place_at_once(registration, now):
            with transaction.atomic():
                _take_place(registration, now)
    except IntegrityError:
        # The partial unique index refused a second active sign-up (checked by the database,
        # so that parallel duplicates are caught too). A closed or missing activity is still
        # reported as such first, as it would be for anyone.
        _check_signup_open(_public(_lock(activity_id, lock=False)))
        raise _already_registered() from None
    # Just created: nobody has checked this ticket in (saves a query for whoever asks).
    Registration.checkin.related.set_cached_value(registration, None)
    waitlisted = registration.status == Registration.Status.WAITLISTED
    if pages.signup_changes_page(registration.activity, waitlisted):
        pages.activity_changed(registration.activity_id)
    return registration


def _take_place_at_once(registration: Registration, now: datetime) -> bool:
    """On PostgreSQL: the place and the sign-up in one statement that commits on its own.

    The conditional UPDATE of ``_take_place`` and the INSERT of the sign-up, joined in a
    data-modifying WITH: the INSERT happens only when the UPDATE took a place (or a place on
    the waiting list), and a duplicate sign-up fails the whole statement. One round trip
    instead of four (BEGIN, INSERT, UPDATE, COMMIT). False when neither matched: the caller
    then decides in a transaction (``_take_place``). SQLite has no data-modifying WITH; it
    always takes that path.
    """
    if connection.vendor != "postgresql":
        return False
    params = [registration.activity_id, Status.PUBLISHED, True, now]
    order = (Registration.Status.CONFIRMED, Registration.Status.WAITLISTED)
    if _looked_full.get(registration.activity_id):
        order = order[::-1]
    for status in order:
        registration.status = status
        values = params + _TICKET_INSERT.values(registration)
        # Inside a caller's transaction, a savepoint keeps a refused duplicate from aborting it.
        with transaction.atomic() if connection.in_atomic_block else nullcontext():
            row = sql.fetch_one(_place_and_ticket_sql(status), values)
        if row is not None:
            _TICKET_INSERT.inserted(registration, row[-1])
            _ticket_activity(registration, row[:-1])
            _remember_fullness(registration.activity)
            return True
    registration.status = Registration.Status.CONFIRMED
    return False


# Whether each activity was full at this process's last sign-up for it: only the order in which
# the two conditional statements are tried, never the decision (each re-checks the row it
# locks). Once a popular activity has filled, every later sign-up in a burst would otherwise
# try for a place first and take its place on the waiting list only in a second statement.
_looked_full: dict[int, bool] = {}
_LOOKED_FULL_KEPT = 4096


def _remember_fullness(activity: Activity) -> None:
    if len(_looked_full) >= _LOOKED_FULL_KEPT:
        _looked_full.clear()
    _looked_full[activity.pk] = (
        activity.capacity is not None and activity.confirmed_count >= activity.capacity
    )


def _ticket_activity(registration: Registration, row: tuple) -> None:
    activity = _TICKET_ACTIVITY.build(row[:-1])
    activity.campaign = _TICKET_CAMPAIGN.build([activity.campaign_id, row[-1]])
    registration.activity = activity


def _take_place(registration: Registration, now: datetime) -> None:
    """Insert the sign-up, then take a place with one conditional UPDATE of a counter.

    The UPDATE re-checks everything the sign-up depends on (published, sign-up required, not
    started, a place left — or, for the waiting list, none left); PostgreSQL re-evaluates its
    WHERE on the newest row version after waiting for a concurrent writer, so two sign-ups can
    never take the same last place. Being the last statement, its row lock lasts only until
    the commit. It returns what the ticket shows of the activity, so a sign-up costs two
    statements (three on the waiting list). When neither UPDATE matches (closed, no such
    activity, or a place came free in between), the activity is locked and read to decide:
    a place, the waiting list, or the precise refusal (the transaction then rolls the sign-up
    back). The statements are written once (kepu.core.sql): a sign-up burst runs them
    thousands of times a minute.
    """
    sql.insert(registration)  # a duplicate fails here, before any lock is taken
    activity_id = registration.activity_id
    params = [activity_id, Status.PUBLISHED, True, now]
    row = sql.fetch_one(_take_place_sql("confirmed"), params)
    if row is None:
        # Full (the usual reason once a popular activity has filled): the waiting list, with
        # the same re-checks and the condition that it is still full.
        row = sql.fetch_one(_take_place_sql("waitlisted"), params)
        if row is not None:
            registration.status = Registration.Status.WAITLISTED
            sql.execute(_set_status_sql(), [registration.status, registration.pk])
    if row is not None:
        _ticket_activity(registration, row)
        return
    # Neither matched: closed, gone, or a place came free between the two statements.
    activity = _public(_lock(activity_id))
    _check_signup_open(activity)
    if activity.capacity is None or activity.confirmed_count < activity.capacity:
        counter = "confirmed_count"
    else:
        counter = "waitlist_count"
        registration.status = Registration.Status.WAITLISTED
        Registration.objects.filter(pk=registration.pk).update(status=registration.status)
    Activity.objects.filter(pk=activity.pk).update(**{counter: F(counter) + 1})
    setattr(activity, counter, getattr(activity, counter) + 1)  # as the row is now (locked)
    registration.activity = activity


# What a ticket shows of its activity (api.TicketActivityOut) and the counters after the
# sign-up (pages.signup_changes_page), returned by the UPDATE.
_TICKET_ACTIVITY = sql.Shape(
    Activity,
    [
        "id",
        "campaign_id",
        "title",
        "venue",
        "starts_at",
        "ends_at",
        "status",
        "capacity",
        "confirmed_count",
        "waitlist_count",
    ],
)
_TICKET_CAMPAIGN = sql.Shape(Campaign, ["id", "time_zone"])


@cache
def _take_place_sql(status: str) -> str:
    """The conditional UPDATE that takes a place (``confirmed``) or a place on the waiting
    list (``waitlisted``: only while the activity is full), returning what the ticket shows."""
    a, c = Activity, Campaign
    confirmed, capacity = sql.column(a, "confirmed_count"), sql.column(a, "capacity")
    if status == "confirmed":
        counter, condition = confirmed, f"({capacity} IS NULL OR {confirmed} < {capacity})"
    else:
        counter = sql.column(a, "waitlist_count")
        condition = f"{capacity} IS NOT NULL AND {confirmed} >= {capacity}"
    return (
        f"UPDATE {sql.table(a)} SET {counter} = {counter} + 1 "
        f"WHERE {sql.column(a, 'id')} = %s AND {sql.column(a, 'status')} = %s "
        f"AND {sql.column(a, 'signup_required')} = %s AND {sql.column(a, 'starts_at')} > %s "
        f"AND {condition} "
        f"RETURNING {_TICKET_ACTIVITY.select}, "
        f"(SELECT {sql.column(c, 'time_zone', 'c')} FROM {sql.table(c)} c "
        f"WHERE {sql.column(c, 'id', 'c')} = {sql.table(a)}.{sql.column(a, 'campaign_id')}) "
        f"AS {sql.quote('campaign_time_zone')}"
    )


_TICKET_INSERT = sql.InsertFrom(Registration, source="place")


@cache
def _place_and_ticket_sql(status: str) -> str:
    pk = sql.quote(Registration._meta.pk.column)
    return (
        f"WITH place AS ({_take_place_sql(status)}), ticket AS ({_TICKET_INSERT.sql}) "
        f"SELECT place.*, ticket.{pk} FROM place CROSS JOIN ticket"
    )


@cache
def _set_status_sql() -> str:
    r = Registration
    return (
        f"UPDATE {sql.table(r)} SET {sql.column(r, 'status')} = %s WHERE {sql.column(r, 'id')} = %s"
    )


def _take_place_unguarded(registration: Registration) -> None:
    """Decide on an unlocked read, then write: the race the lock exists to prevent.

    Only the control test runs this (KEPU_SIGNUP_LOCK = False), to show that the concurrency
    test would catch an oversold activity.
    """
    activity = _lock(registration.activity_id, lock=False)
    _check_signup_open(activity)
    if Registration.objects.active().filter(activity=activity, user=registration.user).exists():
        raise _already_registered()
    confirmed = activity.capacity is None or activity.confirmed_count < activity.capacity
    if not confirmed:
        registration.status = Registration.Status.WAITLISTED
    registration.activity = activity
    registration.save(force_insert=True)
    counter = "confirmed_count" if confirmed else "waitlist_count"
    Activity.objects.filter(pk=activity.pk).update(**{counter: F(counter) + 1})
    setattr(activity, counter, getattr(activity, counter) + 1)


def _public(activity: Activity) -> Activity:
    """The activity, if the public may see it; otherwise as if it did not exist."""
    if activity.status not in Activity.PUBLIC_STATUSES:
        raise NotFound("not_found", _("This activity does not exist."))
    return activity


def _already_registered() -> Conflict:
    return Conflict("already_registered", _("You have already signed up for this activity."))


def _check_signup_open(activity: Activity) -> None:
    if activity.status != Status.PUBLISHED:
        raise DomainError("signup_closed", _("Sign-up is not open for this activity."))
    if not activity.signup_required:
        raise DomainError(
            "signup_not_needed", _("This activity needs no sign-up: just come along.")
        )
    if activity.starts_at <= timezone.now():
        raise DomainError("signup_closed", _("Sign-up closed when the activity started."))


def cancel_registration(registration: Registration, *, user: User) -> Registration:
    """Cancel a sign-up or leave the waiting list; a freed place goes to the first in line.

    Only the person who signed up may cancel (staff cancel through ``cancel_activity``).
    """
    with transaction.atomic():
        activity = _lock(registration.activity_id)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.user_id != user.pk:
            raise NotFound("not_found", _("This sign-up does not exist."))
        if registration.status == Registration.Status.CANCELLED:
            raise Conflict("already_cancelled", _("This sign-up was already cancelled."))
        if CheckIn.objects.filter(registration=registration).exists():
            raise Conflict(
                "already_checked_in",
                _("You have already checked in; the sign-up cannot be cancelled."),
            )
        counter = (
            "confirmed_count"
            if registration.status == Registration.Status.CONFIRMED
            else "waitlist_count"
        )
        registration.status = Registration.Status.CANCELLED
        registration.cancelled_at = timezone.now()
        registration.save(update_fields=["status", "cancelled_at", "updated_at"])
        Activity.objects.filter(pk=activity.pk).update(**{counter: F(counter) - 1})
        activity.refresh_from_db(fields=["confirmed_count", "waitlist_count"])
        _promote_waitlisted(activity)
        pages.activity_changed(activity.pk)
    return registration


def _promote_waitlisted(activity: Activity) -> list[Registration]:
    """Confirm people from the head of the waiting list while places are free.

    Call with the activity row locked. Each promoted person is told after commit.
    """
    if activity.capacity is None:
        free = activity.waitlist_count
    else:
        free = activity.capacity - activity.confirmed_count
    if free <= 0 or activity.waitlist_count <= 0:
        return []
    waiting = list(
        Registration.objects.select_for_update()
        .filter(activity=activity, status=Registration.Status.WAITLISTED)
        .select_related("user")
        .order_by("created_at", "id")[:free]
    )
    now = timezone.now()
    for registration in waiting:
        registration.status = Registration.Status.CONFIRMED
        registration.promoted_at = now
        registration.save(update_fields=["status", "promoted_at", "updated_at"])
        notify(
            registration.user,
            gettext_lazy("A place has become free: you are now confirmed for “%(title)s”."),
            {"title": activity.title},
            url=reverse("activities:ticket-detail", args=[registration.ticket_code]),
        )
    if waiting:
        Activity.objects.filter(pk=activity.pk).update(
            confirmed_count=F("confirmed_count") + len(waiting),
            waitlist_count=F("waitlist_count") - len(waiting),
        )
        activity.refresh_from_db(fields=["confirmed_count", "waitlist_count"])
        log_action(
            "activities.waitlist.promoted",
            activity,
            organisation=activity.organisation,
            after={"registrations": [r.pk for r in waiting]},
        )
    return waiting


@transaction.atomic
def change_capacity(activity: Activity, *, actor: User, capacity: int | None) -> Activity:
    """Set the number of places; raising it promotes people from the waiting list."""
    activity = _lock(activity.pk)
    scoping.require(actor, "activities.report", activity.organisation)
    if capacity is not None and capacity < activity.confirmed_count:
        raise DomainError(
            "capacity_below_confirmed",
            _("%(count)s people are already confirmed; the places cannot be fewer.")
            % {"count": activity.confirmed_count},
        )
    before = {"capacity": activity.capacity}
    activity.capacity = capacity
    activity.save(update_fields=["capacity", "updated_at"])
    log_action(
        "activities.activity.capacity_changed",
        activity,
        actor=actor,
        organisation=activity.organisation,
        before=before,
        after={"capacity": capacity},
    )
    pages.activity_changed(activity.pk, listed=activity.is_public)
    _promote_waitlisted(activity)
    return activity


# --- Check-in ---------------------------------------------------------------------------------


def rotating_code(activity: Activity, *, at: datetime | None = None, offset: int = 0) -> str:
    """The activity's six-digit self check-in code for the current period.

    Derived from the secret key, the activity and the period number, so every app server
    computes the same code with no shared state.
    """
    at = at or timezone.now()
    period = int(at.timestamp()) // settings.KEPU_CHECKIN_CODE_PERIOD + offset
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"checkin:{activity.pk}:{period}".encode(), hashlib.sha256
    ).digest()
    return f"{int.from_bytes(digest[:4], 'big') % 1_000_000:06d}"


def _check_code(activity: Activity, code: str) -> None:
    code = (code or "").strip()
    # The current and the previous period both count, so a code read just before it turns works.
    if not any(hmac.compare_digest(code, rotating_code(activity, offset=o)) for o in (0, -1)):
        raise DomainError(
            "invalid_code",
            _(
                "That check-in code is wrong or has expired. "
                "Read the code shown at the venue again."
            ),
        )


def _checkin_window(activity: Activity) -> None:
    if activity.status not in Activity.PUBLIC_STATUSES:
        raise DomainError("checkin_closed", _("Check-in is not open for this activity."))


def _already(checkin: CheckIn, activity: Activity) -> Conflict:
    """The refusal of a second check-in, with when the first was (the day too, if not today)."""
    local = timezone.localtime(checkin.at, activity.tz)
    time = local.strftime("%H:%M")
    if local.date() == timezone.localtime(timezone.now(), activity.tz).date():
        message = _("Already checked in at %(time)s.") % {"time": time}
    else:
        message = _("Already checked in on %(date)s at %(time)s.") % {
            "date": formats.date_format(local.date(), "DATE_FORMAT"),
            "time": time,
        }
    return Conflict("already_checked_in", message)


_UNREAD = object()


def check_in_ticket(activity: Activity, *, actor: User, code: str, registration=_UNREAD) -> CheckIn:
    """Staff check a ticket in by its code (scanned or typed). A ticket checks in once.

    ``registration``: the sign-up with that code, when the caller read it already (the API
    reads it with the activity: ``selectors.desk``), or None for no such ticket.
    """
    scoping.require(actor, "activities.checkin", activity.organisation)
    _checkin_window(activity)
    code = (code or "").strip().upper()
    if registration is _UNREAD:
        registration = selectors.ticket(activity.pk, code)
    if registration is None:
        raise NotFound("unknown_ticket", _("No ticket with this code for this activity."))
    if registration.status != Registration.Status.CONFIRMED:
        raise DomainError(
            "not_confirmed",
            _("This ticket is not confirmed (%(status)s).")
            % {"status": registration.get_status_display()},
        )
    return _record_checkin(
        activity,
        registration=registration,
        user_id=registration.user_id,
        name=registration.name,
        phone=registration.phone,
        method=CheckIn.Method.STAFF,
        by=actor,
    )


def _record_checkin(activity: Activity, **fields) -> CheckIn:
    checkin = CheckIn(activity=activity, **fields)
    try:
        if fields.get("by") is None:  # self check-in: nothing for the staff audit log
            return sql.insert(checkin)
        entry = audit_entry(
            "activities.checkin.recorded",
            checkin,
            actor=fields["by"],
            organisation=activity.organisation,
        )
        if connection.vendor == "postgresql":
            # The check-in and its audit entry in one statement that commits on its own (a
            # data-modifying WITH): one round trip for a desk that scans a ticket a second.
            with transaction.atomic() if connection.in_atomic_block else nullcontext():
                (pk,) = sql.fetch_one(
                    _checkin_with_audit_sql(),
                    _CHECKIN_INSERT.values(checkin) + _CHECKIN_AUDIT.values(entry),
                )
            return _CHECKIN_INSERT.inserted(checkin, pk)
        with transaction.atomic():
            sql.insert(checkin)
            entry.object_id = str(checkin.pk)
            sql.insert(entry)
        return checkin
    except IntegrityError:
        existing = _existing_checkin(activity, fields)
        if existing is None:
            raise
        raise _already(existing, activity) from None


_CHECKIN_INSERT = sql.InsertFrom(CheckIn)
_CHECKIN_AUDIT = sql.InsertFrom(
    AuditEntry,
    source="checkin",
    computed={"object_id": f"CAST({sql.column(CheckIn, 'id', 'checkin')} AS varchar(64))"},
)


@cache
def _checkin_with_audit_sql() -> str:
    return (
        f"WITH checkin AS ({_CHECKIN_INSERT.sql}), audit AS ({_CHECKIN_AUDIT.sql}) "
        f"SELECT {sql.column(CheckIn, 'id')} FROM checkin"
    )


def _existing_checkin(activity: Activity, fields: dict) -> CheckIn | None:
    if fields.get("registration") is not None:
        return CheckIn.objects.filter(registration=fields["registration"]).first()
    if fields.get("user") is not None:
        return CheckIn.objects.filter(activity=activity, user=fields["user"]).first()
    return None


def self_check_in(
    activity: Activity, *, user: User | None, code: str, name: str = "", phone: str = ""
) -> CheckIn:
    """打卡: check in with the code shown at the venue.

    A signed-up person's ticket is checked in; anyone else is counted as a walk-in and leaves a
    name and phone number. Raises invalid_code, name_required, invalid_phone, already_checked_in.
    """
    _checkin_window(activity)
    _check_code(activity, code)
    registration = None
    if user is not None and user.is_authenticated:
        registration = Registration.objects.filter(
            activity=activity, user=user, status=Registration.Status.CONFIRMED
        ).first()
    if registration is not None:
        return _record_checkin(
            activity,
            registration=registration,
            user=user,
            name=registration.name,
            phone=registration.phone,
            method=CheckIn.Method.SELF,
        )
    name = (name or "").strip() or (user.name if user and user.is_authenticated else "")
    phone = normalise_phone(phone) or (user.phone if user and user.is_authenticated else "") or ""
    if not name or len(name) > 100:
        raise DomainError("name_required", _("Enter your name (at most 100 characters)."))
    if not is_phone(phone):
        raise DomainError("invalid_phone", _("Enter a valid phone number."))
    existing = CheckIn.objects.filter(activity=activity, phone=phone).first()
    if existing is not None:
        raise _already(existing, activity)
    return _record_checkin(
        activity,
        registration=None,
        user=user if user is not None and user.is_authenticated else None,
        name=name,
        phone=phone,
        method=CheckIn.Method.WALK_IN,
    )


# --- Feedback ---------------------------------------------------------------------------------


@transaction.atomic
def leave_feedback(activity: Activity, *, user: User, rating: int, comment: str = "") -> Feedback:
    """Rate an activity 1–5 after it ended; only people who checked in may. Rating again edits."""
    if not activity.has_ended:
        raise DomainError("not_ended", _("You can rate the activity after it has ended."))
    if not CheckIn.objects.filter(activity=activity, user=user).exists():
        raise Forbidden("not_attended", _("Only people who checked in can rate this activity."))
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise DomainError("invalid_rating", _("Choose a rating from 1 to 5."))
    comment = (comment or "").strip()
    if len(comment) > 2000:
        raise DomainError("invalid", _("The comment is too long (at most 2,000 characters)."))
    feedback, _created = Feedback.objects.update_or_create(
        activity=activity, user=user, defaults={"rating": rating, "comment": comment}
    )
    pages.activity_changed(activity.pk)
    return feedback


@transaction.atomic
def hide_feedback(feedback: Feedback, *, actor: User, hidden: bool = True) -> Feedback:
    scoping.require(actor, "activities.moderate", feedback.activity.organisation)
    feedback.hidden_at = timezone.now() if hidden else None
    feedback.hidden_by = actor if hidden else None
    feedback.save(update_fields=["hidden_at", "hidden_by", "updated_at"])
    log_action(
        "activities.feedback.hidden" if hidden else "activities.feedback.shown",
        feedback,
        actor=actor,
        organisation=feedback.activity.organisation,
        before={"comment": feedback.comment},
    )
    pages.activity_changed(feedback.activity_id)
    return feedback
