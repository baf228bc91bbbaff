"""Reads shared by the pages, the API and exports."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone

from kepu.core.text import search_terms
from kepu.organisations import scoping

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


def search_public_activities(params: ActivitySearch) -> QuerySet[Activity]:
    """Published activities matching the search; free text folded (scripts, diacritics)."""
    qs = public_activities()
    for term in search_terms(params.q):
        qs = qs.filter(search_text__contains=term)
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
    if params.date_from:
        qs = qs.filter(ends_at__date__gte=params.date_from)
    elif not params.include_past:
        qs = qs.filter(ends_at__gte=timezone.now())
    if params.date_to:
        qs = qs.filter(starts_at__date__lte=params.date_to)
    if params.campaign:
        from kepu.campaigns.models import Campaign

        campaign = Campaign.objects.public().filter(slug=params.campaign).first()
        qs = qs.in_campaign_tree(campaign) if campaign else qs.none()
    return qs.order_by("starts_at", "id")


def public_activity(pk: int) -> Activity | None:
    return (
        public_activities()
        .select_related("joint_action", "campaign__organiser")
        .prefetch_related("audiences", "topics")
        .filter(pk=pk)
        .first()
    )


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
