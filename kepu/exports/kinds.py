"""The export kinds of activities: the workbench list (with its filters) and the sign-ups of
one activity. Registered in ExportsConfig.ready."""

import zoneinfo
from collections.abc import Iterator
from functools import lru_cache

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from kepu.activities import selectors
from kepu.activities.forms_work import ActivityFilterForm
from kepu.activities.models import Activity, Registration
from kepu.core.errors import NotFound
from kepu.core.text import mask_phone
from kepu.organisations import scoping

from .registry import ExportKind, register

CHUNK = 2000


@lru_cache(maxsize=64)
def _zone(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name)


def _local(value, zone_name: str) -> str:
    if value is None:
        return ""
    return timezone.localtime(value, _zone(zone_name)).strftime("%Y-%m-%d %H:%M")


def _not_found() -> NotFound:
    return NotFound("not_found", _("Nothing to export was found with these parameters."))


# --- activities: the workbench list --------------------------------------------------------


def filtered_activities(user, params: dict) -> QuerySet[Activity]:
    """The activities of the workbench list with its filters (status, campaign, q), in the
    user's scope. A filter value the user may not use (a campaign outside their scope, an
    unknown status) raises NotFound: an export never silently widens."""
    activities = selectors.activities_for_staff(user)
    data = {k: params.get(k, "") for k in ("status", "campaign", "q")}
    form = ActivityFilterForm(selectors.staff_campaign_choices(activities), data)
    if not form.is_valid():
        raise _not_found()
    cleaned = form.cleaned_data
    return selectors.filter_staff_activities(
        activities,
        status=cleaned.get("status") or "",
        campaign=cleaned.get("campaign"),
        q=cleaned.get("q") or "",
    )


ACTIVITY_FIELDS = (
    "pk",
    "title",
    "organisation__name",
    "campaign__title",
    "kind",
    "format",
    "status",
    "starts_at",
    "ends_at",
    "campaign__time_zone",
    "venue",
    "region__name",
    "online_url",
    "capacity",
    "confirmed_count",
    "waitlist_count",
    "signup_required",
    "is_key",
    "contact_name",
    "contact_phone",
)


def activity_columns(params: dict) -> list[str]:
    return [
        _("ID"),
        _("Title"),
        _("Organiser unit"),
        _("Campaign"),
        _("Kind"),
        _("Format"),
        _("Status"),
        _("Starts"),
        _("Ends"),
        _("Venue"),
        _("Region"),
        _("Online link"),
        _("Places"),
        _("Confirmed"),
        _("Waiting list"),
        _("Sign-up needed"),
        _("Key activity"),
        _("Contact person"),
        _("Contact phone"),
    ]


def activity_rows(user, params: dict) -> Iterator[list]:
    kinds = {k: str(v) for k, v in Activity.Kind.choices}
    formats = {k: str(v) for k, v in Activity.Format.choices}
    statuses = {k: str(v) for k, v in Activity.Status.choices}
    yes, no = _("yes"), _("no")
    values = filtered_activities(user, params).values_list(*ACTIVITY_FIELDS)
    for row in values.iterator(chunk_size=CHUNK):
        (pk, title, org, campaign, kind, fmt, status, starts, ends, zone, venue, region, url,
         capacity, confirmed, waitlisted, signup, key, contact, phone) = row  # fmt: skip
        yield [
            pk,
            title,
            org,
            campaign,
            kinds.get(kind, kind),
            formats.get(fmt, fmt),
            statuses.get(status, status),
            _local(starts, zone),
            _local(ends, zone),
            venue,
            region or "",
            url,
            capacity,
            confirmed,
            waitlisted,
            yes if signup else no,
            yes if key else no,
            contact,
            mask_phone(phone),
        ]


def activity_count(user, params: dict) -> int:
    return filtered_activities(user, params).order_by().count()


# --- registrations: the sign-ups of one activity --------------------------------------------


def _activity(user, params: dict) -> Activity:
    try:
        return scoping.get_for_user_or_404(
            Activity.objects.select_related("campaign"),
            user,
            "activities.view",
            pk=params.get("activity"),
        )
    except Http404:
        raise _not_found() from None


def registration_columns(params: dict) -> list[str]:
    return [
        _("Ticket code"),
        _("Name"),
        _("Phone number"),
        _("Status"),
        _("Signed up at"),
        _("Under 14"),
        _("Guardian's name"),
        _("Checked in at"),
    ]


def registration_rows(user, params: dict) -> Iterator[list]:
    activity = _activity(user, params)
    zone = activity.campaign.time_zone
    statuses = {k: str(v) for k, v in Registration.Status.choices}
    yes, no = _("yes"), _("no")
    values = (
        Registration.objects.for_user(user, "activities.view")
        .filter(activity=activity)
        .order_by("created_at", "id")
        .values_list(
            "ticket_code",
            "name",
            "phone",
            "status",
            "created_at",
            "is_minor",
            "guardian_name",
            "checkin__at",
        )  # fmt: skip
    )
    for code, name, phone, status, created, minor, guardian, checked in values.iterator(
        chunk_size=CHUNK
    ):
        yield [
            code,
            name,
            mask_phone(phone),  # the people's phones are theirs, not the exporter's
            statuses.get(status, status),
            _local(created, zone),
            yes if minor else no,
            guardian,
            _local(checked, zone),
        ]


def registration_count(user, params: dict) -> int:
    return _activity(user, params).registrations.count()


def register_kinds() -> None:
    register(
        ExportKind(
            name="activities",
            title=lambda: _("Activities"),
            permission="activities.view",
            columns=activity_columns,
            rows=activity_rows,
            count=activity_count,
        )
    )
    register(
        ExportKind(
            name="registrations",
            title=lambda: _("Sign-ups"),
            permission="activities.view",
            columns=registration_columns,
            rows=registration_rows,
            count=registration_count,
        )
    )
