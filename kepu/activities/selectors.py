"""Reads shared by the pages, the API and exports."""

import datetime as dt
from dataclasses import dataclass, field
from functools import cache

from django.db import connection
from django.db.models import (
    BooleanField,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    Func,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.utils import timezone

from kepu.campaigns.models import Campaign
from kepu.core import sql
from kepu.core.text import cjk_bigrams, search_terms
from kepu.organisations import scoping
from kepu.organisations.models import Organisation

from .models import Activity, Registration


@dataclass
class ActivitySearch:
    """Validated public search parameters (pages and API build it from their own input)."""

    q: str = ""
    region: str = ""  # Region.path prefix is resolved from a region code
    kinds: list[str] = field(default_factory=list)
    audience: str = ""  # Audience slug
    topic: str = ""  # Topic slug
    format: str = ""  # onsite | online (hybrid matches both)
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    campaign: str = ""  # Campaign slug: the campaign and its child campaigns
    include_past: bool = False


def public_activities() -> QuerySet[Activity]:
    return Activity.objects.public().select_related("organisation", "region", "campaign")


# What a result card shows (activities/public/_activity_card.html): the long texts stay behind.
CARD_FIELDS = (
    "title",
    "kind",
    "format",
    "status",
    "venue",
    "starts_at",
    "ends_at",
    "capacity",
    "signup_required",
    "confirmed_count",
    "organisation__name",
    "region__name",
    "campaign__time_zone",
)


def for_cards(qs: QuerySet[Activity]) -> QuerySet[Activity]:
    """Only the columns of a result card (lists of activities on the public pages)."""
    return qs.only(*CARD_FIELDS)


def longest_public_duration() -> Subquery:
    """The longest time any public activity runs, as a subquery of the search query.

    One index read on PostgreSQL (migration 0003's ``activity_public_duration``), run once per
    query (an InitPlan). It turns "ends after T" into the range "starts after T − longest",
    which the start-time index can walk in order and stop after one page, instead of visiting
    every past activity. Being part of the query, it costs no extra round trip.
    """
    span = ExpressionWrapper(F("ends_at") - F("starts_at"), output_field=DurationField())
    longest = Activity.objects.public().annotate(span=span).order_by("-span").values("span")[:1]
    return Subquery(longest, output_field=DurationField())


def _local_midnight(day: dt.date) -> dt.datetime | None:
    """The midnight that starts ``day`` in the current time zone; None at the calendar's ends."""
    try:
        value = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
        value.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        return None
    return value


class HanPairsIn(Func):
    """PostgreSQL: the search text holds every one of ``grams`` (pairs of adjacent Han
    characters), a condition the index of every activity's pairs answers (migration 0006's
    ``activity_search_bigrams``). A two-character word (讲座, 科普), the commonest Chinese
    search, is too short for the trigram index; without this, a search that matches few
    activities reads every upcoming one to find them. The ``LIKE`` of each term stays: the
    pairs say which activities may match, the ``LIKE`` that the characters are in order."""

    output_field = BooleanField()

    def __init__(self, grams: list[str]):
        super().__init__(F("search_text"))
        self.grams = list(grams)

    def as_sql(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source_expressions[0])
        return f"kepu_cjk_bigrams({column}) @> %s::text[]", [*params, self.grams]


def search_public_activities(params: ActivitySearch) -> QuerySet[Activity]:
    """Published activities matching the search; free text folded (scripts, diacritics).

    Ordered by start time. The conditions on times are ranges on the columns themselves (not on
    their dates), so that PostgreSQL walks the start-time index of public activities in order
    and stops after the page it needs, whatever the number of activities; see
    docs/performance.md.
    """
    qs = public_activities()
    terms = search_terms(params.q)
    for term in terms:
        qs = qs.filter(search_text__contains=term)
    grams = sorted({gram for term in terms for gram in cjk_bigrams(term)})
    if grams and connection.vendor == "postgresql":
        qs = qs.filter(HanPairsIn(grams))
    if params.region:
        from kepu.organisations.models import Region

        region = Region.objects.filter(code=params.region).only("path").first()
        qs = qs.filter(region__path__startswith=region.path) if region else qs.none()
    valid_kinds = [k for k in params.kinds if k in Activity.Kind.values]
    if valid_kinds:
        qs = qs.filter(kind__in=valid_kinds)
    if params.audience:
        qs = qs.filter(audiences__slug=params.audience)
    if params.topic:
        qs = qs.filter(topics__slug=params.topic)
    if params.format == Activity.Format.ONSITE:
        qs = qs.filter(format__in=[Activity.Format.ONSITE, Activity.Format.HYBRID])
    elif params.format == Activity.Format.ONLINE:
        qs = qs.filter(format__in=[Activity.Format.ONLINE, Activity.Format.HYBRID])
    # "ends on or after the day" / "starts on or before the day", days in the current time zone
    # (as the __date lookups did), written as ranges an index can use.
    ends_after = None
    if params.date_from:
        ends_after = _local_midnight(params.date_from)
    elif not params.include_past:
        ends_after = timezone.now()
    if ends_after is not None:
        qs = qs.filter(ends_at__gte=ends_after)
        # Implied by the line above (no activity lasts longer); lets the index range start
        # here instead of at the first activity ever.
        qs = qs.filter(
            starts_at__gte=ExpressionWrapper(
                Value(ends_after, output_field=DateTimeField()) - longest_public_duration(),
                output_field=DateTimeField(),
            )
        )
    if params.date_to and params.date_to < dt.date.max:
        starts_before = _local_midnight(params.date_to + dt.timedelta(days=1))
        if starts_before is not None:
            qs = qs.filter(starts_at__lt=starts_before)
    if params.campaign:
        from kepu.campaigns.models import Campaign

        campaign = Campaign.objects.public().filter(slug=params.campaign).first()
        qs = qs.in_campaign_tree(campaign) if campaign else qs.none()
    return qs.order_by("starts_at", "id")


def public_activity(pk: int) -> Activity | None:
    """The public page's activity with what it shows (one query, plus audiences and topics)."""
    found = (
        public_activities()
        .select_related("joint_action")
        .defer("search_text", "return_reason")
        .prefetch_related("audiences", "topics")
        .filter(pk=pk)
        .order_by()[:1]  # by primary key: no ORDER BY to plan and compile
    )
    return next(iter(found), None)


def tickets_of(user) -> QuerySet[Registration]:
    return (
        Registration.objects.filter(user=user)
        .select_related("activity__campaign", "activity__organisation")
        .order_by("-activity__starts_at")
    )


def activities_for_staff(user) -> QuerySet[Activity]:
    return (
        Activity.objects.for_user(user, "activities.view")
        .select_related("organisation", "campaign")
        .order_by("-starts_at", "-id")
    )


def staff_campaign_choices(activities: QuerySet[Activity]) -> QuerySet[Campaign]:
    """The campaigns a staff list of ``activities`` can be filtered by: those it has activities
    in, newest first."""
    return Campaign.objects.filter(pk__in=activities.order_by().values("campaign_id")).order_by(
        "-starts_on", "title"
    )


def filter_staff_activities(
    activities: QuerySet[Activity], *, status: str = "", campaign=None, q: str = ""
) -> QuerySet[Activity]:
    """The workbench list's filters (cleaned by ActivityFilterForm), shared with its export:
    a status, a campaign with its child campaigns, and every free-text term."""
    if status:
        activities = activities.filter(status=status)
    if campaign:
        activities = activities.in_campaign_tree(campaign)
    for term in search_terms(q or ""):
        activities = activities.filter(search_text__contains=term)
    return activities


def activities_awaiting_review(user) -> QuerySet[Activity]:
    """Submitted activities the user may review: below their organisation, or in a campaign
    their organisation runs."""
    paths = scoping.granted_paths(user, "activities.review")
    q = Q(pk__in=[])
    for path in paths:
        q |= (Q(organisation__path__startswith=path) & ~Q(organisation__path=path)) | Q(
            campaign__organiser__path__startswith=path
        )
    return (
        Activity.objects.filter(q, status=Activity.Status.SUBMITTED)
        .select_related("organisation", "campaign")
        .order_by("submitted_at", "id")
    )


# --- The check-in desk -------------------------------------------------------------------------
# A desk scans a ticket every few seconds per entrance: what it reads is written once
# (kepu.core.sql) rather than compiled by the ORM per scan.

# Aliased apart from the token statement's (t, u, m, o), which can read the desk with the
# token (kepu.activities.api.checkin_auth).
_DESK_ACTIVITY = sql.Shape(Activity, ["id", "organisation_id", "campaign_id", "status"], "ka")
_DESK_ORGANISATION = sql.Shape(Organisation, ["id", "path"], "ko")
_DESK_CAMPAIGN = sql.Shape(Campaign, ["id", "time_zone"], "kc")
_DESK_TICKET = sql.Shape(
    Registration, ["id", "activity_id", "user_id", "status", "name", "phone", "ticket_code"], "kr"
)
_DESK_SHAPES = (_DESK_ACTIVITY, _DESK_ORGANISATION, _DESK_CAMPAIGN, _DESK_TICKET)
DESK_WIDTH = sum(len(shape) for shape in _DESK_SHAPES)  # the columns desk_columns() selects


def desk_columns() -> str:
    return ", ".join(shape.select for shape in _DESK_SHAPES)


def desk_tables() -> str:
    """The activity with its organisation and campaign, and its sign-up with a ticket code
    (the first placeholder), if any."""
    a, o, c, r = Activity, Organisation, Campaign, Registration
    return (
        f"{sql.table(a)} ka "
        f"JOIN {sql.table(o)} ko ON {sql.column(o, 'id', 'ko')} = "
        f"{sql.column(a, 'organisation_id', 'ka')} "
        f"JOIN {sql.table(c)} kc ON {sql.column(c, 'id', 'kc')} = "
        f"{sql.column(a, 'campaign_id', 'ka')} "
        f"LEFT JOIN {sql.table(r)} kr ON {sql.column(r, 'activity_id', 'kr')} = "
        f"{sql.column(a, 'id', 'ka')} AND {sql.column(r, 'ticket_code', 'kr')} = %s"
    )


def desk_key() -> str:
    """The condition on the activity's id (a placeholder)."""
    return f"{sql.column(Activity, 'id', 'ka')} = %s"


@cache
def _desk_sql() -> str:
    return f"SELECT {desk_columns()} FROM {desk_tables()} WHERE {desk_key()}"


def desk(
    user, activity_id: int, code: str = "", perm: str = "activities.checkin"
) -> tuple[Activity | None, Registration | None]:
    """The activity with its organisation (scope, audit) and campaign (time zone), if ``user``
    holds ``perm`` on it (None when it does not exist or is not theirs: alike, as a 404), and
    the sign-up with ticket ``code`` for it, if any — read in one statement."""
    return desk_of(user, sql.fetch_one(_desk_sql(), [code, activity_id]), perm)


def desk_of(
    user, row: tuple | None, perm: str = "activities.checkin"
) -> tuple[Activity | None, Registration | None]:
    """``desk`` from the row read (by ``_desk_sql`` or with the token)."""
    if row is None or row[0] is None:
        return None, None
    part, end = [], 0
    for shape in _DESK_SHAPES:
        part.append(row[end : end + len(shape)])
        end += len(shape)
    activity = _DESK_ACTIVITY.build(part[0])
    activity.organisation = _DESK_ORGANISATION.build(part[1])
    activity.campaign = _DESK_CAMPAIGN.build(part[2])
    if not scoping.has_perm(user, perm, activity.organisation):
        return None, None
    registration = _DESK_TICKET.build(part[3]) if part[3][0] is not None else None
    return activity, registration


@cache
def _ticket_sql() -> str:
    r = Registration
    return (
        f"SELECT {_DESK_TICKET.select} FROM {sql.table(r)} kr "
        f"WHERE {sql.column(r, 'activity_id', 'kr')} = %s "
        f"AND {sql.column(r, 'ticket_code', 'kr')} = %s"
    )


def ticket(activity_id: int, code: str) -> Registration | None:
    """The sign-up with this ticket code for the activity (codes are unique)."""
    row = sql.fetch_one(_ticket_sql(), [activity_id, code])
    return _DESK_TICKET.build(row) if row else None
