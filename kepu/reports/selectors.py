"""Reads of the reports app: the statistics table, participating units, summaries of a campaign."""

from datetime import timedelta

from django.db.models import Avg, Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kepu.activities.models import Activity, CheckIn, Feedback
from kepu.campaigns.models import Campaign
from kepu.campaigns.services import participates
from kepu.organisations import scoping
from kepu.organisations.models import Membership, Organisation
from kepu.organisations.permissions import role_grants
from kepu.results.models import Outcome, ResultItem

from .models import Summary

# Activities that took place or will: drafts, returned, waiting and cancelled ones do not count.
COUNTED_STATUSES = (
    Activity.Status.APPROVED,
    Activity.Status.PUBLISHED,
    Activity.Status.FINISHED,
)


def table_rows() -> list[tuple[str, object]]:
    """(key, label) of every row of the statistics table, in the order it is shown."""
    rows: list[tuple[str, object]] = [("activities", _("Activities"))]
    rows += [(f"kind_{value}", label) for value, label in Activity.Kind.choices]
    rows += [(f"format_{value}", label) for value, label in Activity.Format.choices]
    rows += [
        ("key_activities", _("Key activities")),
        ("signups", _("Confirmed sign-ups")),
        ("checkins", _("Check-ins")),
        ("participants_onsite", _("Participants on site")),
        ("participants_online", _("Participants online")),
        ("online_views", _("Online views")),
        ("rating", _("Average rating")),
        ("ratings", _("Ratings")),
        ("publicity_links", _("Publicity links")),
    ]
    return rows


ROW_KEYS = frozenset(key for key, _label in table_rows())


def unit_activities(campaign: Campaign, organisation: Organisation):
    """The unit's own counted activities in the campaign and its child campaigns."""
    return Activity.objects.in_campaign_tree(campaign).filter(
        organisation=organisation, status__in=COUNTED_STATUSES
    )


def statistics_table(campaign: Campaign, organisation: Organisation) -> dict[str, float | int]:
    """The computed statistics table of a unit for a campaign, in five aggregate queries."""
    activities = unit_activities(campaign, organisation).order_by()
    counts = {"activities": Count("pk"), "key_activities": Count("pk", filter=Q(is_key=True))}
    counts.update(
        {f"kind_{v}": Count("pk", filter=Q(kind=v)) for v, _label in Activity.Kind.choices}
    )
    counts.update(
        {f"format_{v}": Count("pk", filter=Q(format=v)) for v, _label in Activity.Format.choices}
    )
    counts["signups"] = Sum("confirmed_count")
    table = activities.aggregate(**counts)
    ids = activities.values("pk")
    table["checkins"] = CheckIn.objects.filter(activity__in=ids).count()
    table.update(
        Outcome.objects.filter(activity__in=ids).aggregate(
            participants_onsite=Sum("participants_onsite"),
            participants_online=Sum("participants_online"),
            online_views=Sum("online_views"),
        )
    )
    ratings = (
        Feedback.objects.filter(activity__in=ids)
        .visible()
        .aggregate(rating=Avg("rating"), ratings=Count("pk"))
    )
    table["rating"] = round(ratings["rating"], 2) if ratings["rating"] is not None else 0
    table["ratings"] = ratings["ratings"]
    table["publicity_links"] = ResultItem.objects.filter(
        activity__in=ids, kind=ResultItem.Kind.LINK
    ).count()
    return {key: table.get(key) or 0 for key in ROW_KEYS}


def table_with_corrections(summary: Summary, computed: dict | None = None) -> list[dict]:
    """Rows for display: label, computed value, corrected value and reason side by side.

    A submitted summary shows the table as it was submitted, not today's figures."""
    if summary.table and not summary.is_editable:
        frozen = summary.table
        return [
            {"key": key, "label": label, **frozen.get(key, {"computed": 0, "value": 0})}
            for key, label in table_rows()
        ]
    if computed is None:
        computed = statistics_table(summary.campaign, summary.organisation)
    rows = []
    for key, label in table_rows():
        correction = summary.corrections.get(key) or {}
        rows.append(
            {
                "key": key,
                "label": label,
                "computed": computed.get(key, 0),
                "value": correction.get("value", computed.get(key, 0)),
                "reason": correction.get("reason", ""),
                "corrected": bool(correction),
            }
        )
    return rows


def participating_units(campaign: Campaign):
    """Unit-level organisations that take part in the campaign, in tree order."""
    if campaign.participation == Campaign.Participation.SUBTREE:
        roots = [campaign.organiser]
    else:
        roots = list(campaign.invited.all())
    return Organisation.objects.filter(
        scoping.subtree_q([root.path for root in roots], field=""),
        level=Organisation.Level.UNIT,
    ).order_by("path")


def campaign_overview(campaign: Campaign) -> list[dict]:
    """Every participating unit with its summary (or None), for the organiser's page."""
    summaries = {
        s.organisation_id: s
        for s in Summary.objects.filter(campaign=campaign).select_related("organisation")
    }
    rows = []
    for unit in participating_units(campaign):
        rows.append({"unit": unit, "summary": summaries.pop(unit.pk, None)})
    # Summaries of organisations above the unit level (a county writing its own) still show.
    rows += [{"unit": s.organisation, "summary": s} for s in summaries.values()]
    return rows


def unit_staff(organisation: Organisation, perm: str = "reports.submit") -> list:
    """People with ``perm`` through a membership on the organisation itself, once each."""
    people = {}
    for membership in Membership.objects.filter(organisation=organisation).select_related("user"):
        if role_grants(membership.role, perm) and membership.user.is_active:
            people[membership.user_id] = membership.user
    return list(people.values())


def summaries_for_staff(user):
    """The summaries of the units the person writes for, newest campaigns first."""
    return (
        Summary.objects.for_user(user, "reports.submit")
        .select_related("campaign", "organisation")
        .order_by("-campaign__starts_on", "organisation__path")
    )


def summaries_to_start(user, existing: list[Summary], *, limit: int = 50) -> list[dict]:
    """(campaign, unit) pairs of current campaigns the person's units take part in without a
    summary yet; bounded, the organiser's overview is the complete list."""
    have = {(s.campaign_id, s.organisation_id) for s in existing}
    units = list(
        scoping.organisations_for(user, "reports.submit")
        .filter(level=Organisation.Level.UNIT)
        .order_by("path")[:limit]
    )
    if not units:
        return []
    # Current: the summary deadline (own or inherited) not more than 90 days ago, or none yet
    # set for a campaign that has not ended long ago.
    recent = timezone.now() - timedelta(days=90)
    candidates = (
        Campaign.objects.filter(Q(summary_by__gte=recent) | Q(ends_on__gte=recent.date()))
        .select_related("organiser", "parent__parent__parent")
        .prefetch_related("invited")
    )
    campaigns = sorted(
        (
            c
            for c in candidates
            if c.effective_summary_by is None or c.effective_summary_by >= recent
        ),
        key=lambda c: (c.effective_summary_by is None, c.effective_summary_by or recent),
    )[:limit]
    pairs = []
    for campaign in campaigns:
        for unit in units:
            if (campaign.pk, unit.pk) not in have and participates(campaign, unit):
                pairs.append({"campaign": campaign, "unit": unit})
                if len(pairs) >= limit:
                    return pairs
    return pairs
