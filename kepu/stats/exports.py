"""The export kind "campaign-statistics": one breakdown table of the dashboard, scoped to the
person exporting. Registered in StatsConfig.ready."""

from collections.abc import Iterator

from django.http import Http404
from django.utils.translation import gettext as _

from kepu.core.errors import NotFound
from kepu.exports.registry import ExportKind

from . import selectors
from .forms import DashboardFilterForm

BREAKDOWNS = ("organisation", "region", "joint_action", "kind", "day")


def _not_found() -> NotFound:
    return NotFound("not_found", _("Nothing to export was found with these parameters."))


def breakdown_rows(user, params: dict) -> list[selectors.Row]:
    """The rows of the breakdown ``params["by"]`` (organisation by default) with the dashboard's
    filters; unknown campaign, by or filter values raise NotFound (an export never widens)."""
    by = params.get("by") or "organisation"
    if by not in BREAKDOWNS:
        raise _not_found()
    try:
        campaign = selectors.campaign_for_stats_or_404(user, int(params.get("campaign") or 0))
    except (Http404, ValueError):
        raise _not_found() from None
    form = DashboardFilterForm(
        user, campaign, {k: params.get(k, "") for k in DashboardFilterForm.base_fields}
    )
    if not form.is_valid():
        raise _not_found()
    filters = form.filters()
    activities = selectors.counted_activities(user, campaign, filters)
    if by == "organisation":
        node = filters.organisation or selectors.default_node(user, campaign)
        rows = selectors.breakdown_by_organisation(activities, node)
    elif by == "region":
        rows, _units = selectors.breakdown_by_region(activities, filters.region)
    elif by == "joint_action":
        rows = selectors.breakdown_by_joint_action(activities)
    elif by == "kind":
        rows = selectors.breakdown_by_kind(activities)
    else:
        rows = selectors.breakdown_by_day(activities, campaign)
    return [*rows, selectors.totals(activities)]


def columns(params: dict) -> list[str]:
    return [
        _("Group"),
        _("Activities"),
        _("Key activities"),
        _("Sign-ups"),
        _("Participants"),
        _("Check-ins"),
        _("Online views"),
        _("Ratings"),
        _("Average rating"),
    ]


def rows(user, params: dict) -> Iterator[list]:
    for r in breakdown_rows(user, params):
        yield [
            r.label,
            r.activities,
            r.key_activities,
            r.signups,
            r.participants,
            r.checkins,
            r.online_views,
            r.ratings,
            "" if r.rating_avg is None else r.rating_avg,
        ]


def count(user, params: dict) -> int:
    return len(breakdown_rows(user, params))


CAMPAIGN_STATISTICS = ExportKind(
    name="campaign-statistics",
    title=lambda: _("Campaign statistics"),
    permission=selectors.PERM,
    columns=columns,
    rows=rows,
    count=count,
)
