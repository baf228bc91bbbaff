"""API handlers for activities: public search, sign-up and tickets, self check-in, feedback,
and the staff lists and check-in desk. Thin: parse, fetch through selectors or scoping, call one
service, return."""

import datetime as dt
import functools
import json
from typing import Annotated

from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.responses import NinjaJSONEncoder, codes_4xx

from kepu.api.auth import Alongside, TokenAuth, token_auth
from kepu.api.errors import ErrorOut
from kepu.api.pagination import PageParams, page_of, paginate
from kepu.core.errors import Forbidden
from kepu.organisations.scoping import get_for_user_or_404, is_staff_member

from . import selectors, services
from .models import Activity, CheckIn, Registration

# Ids beyond a 64-bit integer cannot exist; refusing them keeps the database out of it.
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
TicketCode = Annotated[str, Field(min_length=1, max_length=12)]

router = Router(tags=["activities"])
me_router = Router(tags=["me"], auth=token_auth)
staff_router = Router(tags=["staff"], auth=token_auth)


def label(choices, value: str) -> str:
    """The label of a choice in the active language (``get_FOO_display`` builds a dict of the
    field's choices on every call)."""
    return str(choices(value).label)


def _local(value: dt.datetime | None, activity: Activity) -> dt.datetime | None:
    return timezone.localtime(value, activity.tz) if value else None


# --- Schemas ----------------------------------------------------------------------------------


class NamedOut(Schema):
    id: int
    name: str


class LabelOut(Schema):
    slug: str
    name: str


class RegionOut(Schema):
    code: str
    name: str


class CampaignRefOut(Schema):
    slug: str
    title: str


class ActivityOut(Schema):
    """An activity as the public sees it; times in the campaign's time zone."""

    id: int
    title: str
    kind: str
    kind_label: str
    format: str
    format_label: str
    status: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    time_zone: str
    venue: str
    region: RegionOut | None
    organisation: NamedOut
    campaign: CampaignRefOut
    is_key: bool
    signup_required: bool
    capacity: int | None
    places_left: int | None
    url: str

    @staticmethod
    def resolve_kind_label(obj: Activity) -> str:
        return label(Activity.Kind, obj.kind)

    @staticmethod
    def resolve_format_label(obj: Activity) -> str:
        return label(Activity.Format, obj.format)

    @staticmethod
    def resolve_starts_at(obj: Activity) -> dt.datetime:
        return _local(obj.starts_at, obj)

    @staticmethod
    def resolve_ends_at(obj: Activity) -> dt.datetime:
        return _local(obj.ends_at, obj)

    @staticmethod
    def resolve_time_zone(obj: Activity) -> str:
        return obj.campaign.time_zone

    @staticmethod
    def resolve_url(obj: Activity) -> str:
        return reverse("activities:activity-detail", args=[obj.pk])


class ActivityDetailOut(ActivityOut):
    description: str
    online_url: str
    audiences: list[LabelOut]
    topics: list[LabelOut]
    joint_action: NamedOut | None
    contact_name: str
    contact_phone: str
    waitlist_count: int

    @staticmethod
    def resolve_audiences(obj: Activity) -> list:
        return list(obj.audiences.all())

    @staticmethod
    def resolve_topics(obj: Activity) -> list:
        return list(obj.topics.all())

    @staticmethod
    def resolve_joint_action(obj: Activity) -> dict | None:
        action = obj.joint_action
        return {"id": action.pk, "name": action.title} if action else None

    @staticmethod
    def resolve_contact_phone(obj: Activity) -> str:
        return obj.masked_contact_phone


class StaffActivityOut(ActivityOut):
    status_label: str
    is_late: bool
    confirmed_count: int
    waitlist_count: int
    submitted_at: dt.datetime | None

    @staticmethod
    def resolve_status_label(obj: Activity) -> str:
        return label(Activity.Status, obj.status)

    @staticmethod
    def resolve_submitted_at(obj: Activity) -> dt.datetime | None:
        return _local(obj.submitted_at, obj)

    @staticmethod
    def resolve_url(obj: Activity) -> str:
        return reverse("activities:work-activity-detail", args=[obj.pk])


class TicketActivityOut(Schema):
    id: int
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    time_zone: str
    venue: str
    status: str

    @staticmethod
    def resolve_starts_at(obj: Activity) -> dt.datetime:
        return _local(obj.starts_at, obj)

    @staticmethod
    def resolve_ends_at(obj: Activity) -> dt.datetime:
        return _local(obj.ends_at, obj)

    @staticmethod
    def resolve_time_zone(obj: Activity) -> str:
        return obj.campaign.time_zone


class TicketOut(Schema):
    """A person's own sign-up: their own phone number unmasked."""

    code: str
    status: str
    status_label: str
    name: str
    phone: str
    is_minor: bool
    guardian_name: str
    created_at: dt.datetime
    cancelled_at: dt.datetime | None
    checked_in_at: dt.datetime | None
    activity: TicketActivityOut
    url: str

    @staticmethod
    def resolve_code(obj: Registration) -> str:
        return obj.ticket_code

    @staticmethod
    def resolve_status_label(obj: Registration) -> str:
        return label(Registration.Status, obj.status)

    @staticmethod
    def resolve_checked_in_at(obj: Registration) -> dt.datetime | None:
        checkin = getattr(obj, "checkin", None)
        return _local(checkin.at, obj.activity) if checkin else None

    @staticmethod
    def resolve_url(obj: Registration) -> str:
        return reverse("activities:ticket-detail", args=[obj.ticket_code])


class StaffRegistrationOut(Schema):
    """A sign-up as staff see it: the phone number masked."""

    id: int
    name: str
    phone: str
    status: str
    status_label: str
    is_minor: bool
    guardian_name: str
    created_at: dt.datetime
    checked_in_at: dt.datetime | None

    @staticmethod
    def resolve_phone(obj: Registration) -> str:
        return obj.masked_phone

    @staticmethod
    def resolve_status_label(obj: Registration) -> str:
        return label(Registration.Status, obj.status)

    @staticmethod
    def resolve_checked_in_at(obj: Registration) -> dt.datetime | None:
        checkin = getattr(obj, "checkin", None)
        return checkin.at if checkin else None


class CheckInOut(Schema):
    id: int
    activity_id: int
    method: str
    method_label: str
    name: str
    at: dt.datetime
    ticket_code: str | None

    @staticmethod
    def resolve_method_label(obj: CheckIn) -> str:
        return label(CheckIn.Method, obj.method)

    @staticmethod
    def resolve_at(obj: CheckIn) -> dt.datetime:
        return _local(obj.at, obj.activity)

    @staticmethod
    def resolve_ticket_code(obj: CheckIn) -> str | None:
        return obj.registration.ticket_code if obj.registration_id else None


class FeedbackOut(Schema):
    activity_id: int
    rating: int
    comment: str
    updated_at: dt.datetime


class ActivityFilters(PageParams):
    q: str = Field("", max_length=200, description="Free text; any script, no diacritics needed.")
    region: str = Field("", max_length=20, description="Region code; includes the regions below.")
    kind: list[str] = Field(default_factory=list, description="Repeat for several kinds.")
    audience: str = Field("", max_length=50, description="Audience slug.")
    topic: str = Field("", max_length=50, description="Topic slug.")
    format: str = Field("", max_length=10, description="onsite or online (hybrid matches both).")
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    campaign: str = Field("", max_length=80, description="Campaign slug, with its child campaigns.")

    def to_search(self) -> selectors.ActivitySearch:
        return selectors.ActivitySearch(
            q=self.q,
            region=self.region,
            kinds=self.kind[:20],
            audience=self.audience,
            topic=self.topic,
            format=self.format,
            date_from=self.date_from,
            date_to=self.date_to,
            campaign=self.campaign,
        )


class StaffActivityFilters(PageParams):
    status: Activity.Status | None = None
    campaign: str = Field("", max_length=80)


class RegistrationFilters(PageParams):
    status: Registration.Status | None = None


class RegistrationIn(Schema):
    name: str = Field("", max_length=100, description="Defaults to the name on the account.")
    phone: str = Field("", max_length=30, description="Defaults to the account's phone number.")
    consent: bool
    is_minor: bool = False
    guardian_name: str = Field("", max_length=100)
    guardian_consent: bool = False


class SelfCheckInIn(Schema):
    code: str = Field(..., max_length=20, description="The code shown at the venue.")
    name: str = Field("", max_length=100)
    phone: str = Field("", max_length=30)


class FeedbackIn(Schema):
    rating: int
    comment: str = Field("", max_length=2000)


class StaffCheckInIn(Schema):
    code: str = Field(..., max_length=20, description="The ticket code, scanned or typed.")


# --- Public -----------------------------------------------------------------------------------


def _public_activity_or_404(activity_id: int) -> Activity:
    activity = selectors.public_activity(activity_id)
    if activity is None:
        raise Http404
    return activity


def _public_activity_to_act_on_or_404(activity_id: int) -> Activity:
    """The public activity a person acts on (self check-in, feedback): the activity with its
    campaign and organisation, without the audiences and topics the public page shows (two
    queries fewer)."""
    found = selectors.public_activities().filter(pk=activity_id).order_by()[:1]
    activity = next(iter(found), None)
    if activity is None:
        raise Http404
    return activity


@router.get(
    "/activities",
    response={200: page_of(ActivityOut), codes_4xx: ErrorOut},
    summary="Search public activities",
)
def list_activities(request, filters: Query[ActivityFilters]):
    return paginate(selectors.search_public_activities(filters.to_search()), filters)


@router.get(
    "/activities/{activity_id}",
    response={200: ActivityDetailOut, codes_4xx: ErrorOut},
    summary="A public activity",
)
def get_activity(request, activity_id: Id):
    return _public_activity_or_404(activity_id)


# --- The person signed in with a token --------------------------------------------------------


@router.post(
    "/activities/{activity_id}/registrations",
    auth=token_auth,
    response={201: TicketOut, codes_4xx: ErrorOut},
    summary="Sign up",
)
def create_registration(request, activity_id: Id, payload: RegistrationIn):
    """Sign up: confirmed while places are left, otherwise on the waiting list."""
    registration = services.register_for_activity(
        activity_id,
        user=request.auth,
        name=payload.name or request.auth.name,
        phone=payload.phone,
        consent=payload.consent,
        is_minor=payload.is_minor,
        guardian_name=payload.guardian_name,
        guardian_consent=payload.guardian_consent,
    )
    return HttpResponse(
        json.dumps(ticket_data(registration), cls=NinjaJSONEncoder),
        status=201,
        content_type="application/json; charset=utf-8",  # as the API's renderer answers
    )


def ticket_data(registration: Registration) -> dict:
    """TicketOut of a sign-up just made, built directly: validating the schema against the
    model costs a sign-up burst 0.3 ms of CPU per request, a tenth of the whole request. The
    tests hold it equal to TicketOut for confirmed, waiting-list and minor sign-ups."""
    activity = registration.activity
    tz = activity.tz
    return {
        "code": registration.ticket_code,
        "status": registration.status,
        "status_label": label(Registration.Status, registration.status),
        "name": registration.name,
        "phone": registration.phone,
        "is_minor": registration.is_minor,
        "guardian_name": registration.guardian_name,
        "created_at": registration.created_at,
        "cancelled_at": registration.cancelled_at,
        "checked_in_at": None,  # just signed up
        "activity": {
            "id": activity.pk,
            "title": activity.title,
            "starts_at": timezone.localtime(activity.starts_at, tz),
            "ends_at": timezone.localtime(activity.ends_at, tz),
            "time_zone": activity.campaign.time_zone,
            "venue": activity.venue,
            "status": activity.status,
        },
        "url": _ticket_url(registration.ticket_code),
    }


_TICKET_URL_SAMPLE = "0" * 10


@functools.lru_cache(maxsize=8)
def _ticket_url_pattern(language: str) -> str:
    return reverse("activities:ticket-detail", args=[_TICKET_URL_SAMPLE])


def _ticket_url(code: str) -> str:
    """The ticket page's URL in the active language (reversed once per language: reverse()
    costs a sign-up burst a tenth of a millisecond per request)."""
    return _ticket_url_pattern(translation.get_language() or "").replace(_TICKET_URL_SAMPLE, code)


@router.post(
    "/activities/{activity_id}/checkin/self",
    auth=token_auth,
    response={201: CheckInOut, codes_4xx: ErrorOut},
    summary="Check in with the code",
)
def self_check_in(request, activity_id: Id, payload: SelfCheckInIn):
    """打卡: check in with the code shown at the venue (a walk-in leaves name and phone)."""
    activity = _public_activity_to_act_on_or_404(activity_id)
    checkin = services.self_check_in(
        activity, user=request.auth, code=payload.code, name=payload.name, phone=payload.phone
    )
    return Status(201, checkin)


@router.post(
    "/activities/{activity_id}/feedback",
    auth=token_auth,
    response={200: FeedbackOut, codes_4xx: ErrorOut},
    summary="Rate an activity",
)
def leave_feedback(request, activity_id: Id, payload: FeedbackIn):
    """Rate 1–5 after the activity ended; only people who checked in may. Rating again edits."""
    activity = _public_activity_to_act_on_or_404(activity_id)
    return services.leave_feedback(
        activity, user=request.auth, rating=payload.rating, comment=payload.comment
    )


def _my_tickets(request):
    return selectors.tickets_of(request.auth).select_related("checkin")


def _my_ticket_or_404(request, code: str) -> Registration:
    registration = _my_tickets(request).filter(ticket_code=code.strip().upper()).first()
    if registration is None:
        raise Http404
    return registration


@me_router.get(
    "/tickets", response={200: page_of(TicketOut), codes_4xx: ErrorOut}, summary="My tickets"
)
def list_tickets(request, params: Query[PageParams]):
    return paginate(_my_tickets(request), params)


@me_router.get(
    "/tickets/{code}", response={200: TicketOut, codes_4xx: ErrorOut}, summary="One of my tickets"
)
def get_ticket(request, code: TicketCode):
    return _my_ticket_or_404(request, code)


@me_router.post(
    "/tickets/{code}/cancel",
    response={200: TicketOut, codes_4xx: ErrorOut},
    summary="Cancel a sign-up",
)
def cancel_ticket(request, code: TicketCode):
    """Cancel a sign-up or leave the waiting list; the place goes to the first in line."""
    registration = services.cancel_registration(_my_ticket_or_404(request, code), user=request.auth)
    return _my_ticket_or_404(request, registration.ticket_code)


# --- Staff ------------------------------------------------------------------------------------


@staff_router.get(
    "/activities",
    response={200: page_of(StaffActivityOut), codes_4xx: ErrorOut},
    summary="Activities in my organisations",
)
def staff_list_activities(request, filters: Query[StaffActivityFilters]):
    if not is_staff_member(request.auth):
        raise Forbidden("forbidden", _("This is for staff of a participating organisation."))
    activities = selectors.activities_for_staff(request.auth)
    if filters.status:
        activities = activities.filter(status=filters.status)
    if filters.campaign:
        activities = activities.filter(campaign__slug=filters.campaign)
    return paginate(activities.select_related("region"), filters)


@staff_router.get(
    "/activities/{activity_id}/registrations",
    response={200: page_of(StaffRegistrationOut), codes_4xx: ErrorOut},
    summary="Sign-ups of an activity (phone numbers masked)",
)
def staff_list_registrations(request, activity_id: Id, filters: Query[RegistrationFilters]):
    activity = get_for_user_or_404(
        Activity.objects, request.auth, "activities.view", pk=activity_id
    )
    registrations = (
        Registration.objects.for_user(request.auth, "activities.view")
        .filter(activity=activity)
        .select_related("checkin")
        .order_by("created_at", "id")
    )
    if filters.status:
        registrations = registrations.filter(status=filters.status)
    return paginate(registrations, filters)


def _ticket_code(code: str) -> str:
    return code.strip().upper()


def _desk_params(request) -> list | None:
    """The ticket code of the body and the activity of the path, as the desk reads them, or
    None when they are not (the body is then refused as it would be without this)."""
    try:
        activity_id = int(request.resolver_match.kwargs["activity_id"])
        code = json.loads(request.body)["code"]
    except (AttributeError, KeyError, TypeError, ValueError, SuspiciousOperation):
        return None  # a body over the upload limit (SuspiciousOperation) included
    if not isinstance(code, str) or not 0 < activity_id < 2**63:
        return None
    return [_ticket_code(code), activity_id]


# A desk scans a ticket every few seconds per entrance: the activity and the ticket are read
# in the statement that reads the staff member's token (one statement fewer per scan).
checkin_auth = TokenAuth(
    Alongside(
        select=selectors.desk_columns,
        join=lambda: f"LEFT JOIN ({selectors.desk_tables()}) ON {selectors.desk_key()}",
        width=selectors.DESK_WIDTH,
        params=_desk_params,
    )
)


@staff_router.post(
    "/activities/{activity_id}/checkins",
    auth=checkin_auth,
    response={201: CheckInOut, codes_4xx: ErrorOut},
    summary="Check a ticket in",
)
def staff_check_in(request, activity_id: Id, payload: StaffCheckInIn):
    """Check a ticket in by its code; a second scan answers 409 already_checked_in."""
    code = _ticket_code(payload.code)
    if hasattr(request, "alongside"):  # read with the token (checkin_auth), from the same
        activity, registration = selectors.desk_of(request.auth, request.alongside)  # path/body
    else:
        activity, registration = selectors.desk(request.auth, activity_id, code)
    if activity is None:
        raise Http404
    checkin = services.check_in_ticket(
        activity, actor=request.auth, code=code, registration=registration
    )
    return HttpResponse(
        json.dumps(checkin_data(checkin), cls=NinjaJSONEncoder),
        status=201,
        content_type="application/json; charset=utf-8",
    )


def checkin_data(checkin: CheckIn) -> dict:
    """CheckInOut of a check-in just recorded, built directly, as ``ticket_data`` is (a desk
    scans a ticket a second); the tests hold it equal to CheckInOut."""
    return {
        "id": checkin.pk,
        "activity_id": checkin.activity_id,
        "method": checkin.method,
        "method_label": label(CheckIn.Method, checkin.method),
        "name": checkin.name,
        "at": timezone.localtime(checkin.at, checkin.activity.tz),
        "ticket_code": checkin.registration.ticket_code if checkin.registration_id else None,
    }
