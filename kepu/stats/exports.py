"""The export kind "campaign-statistics": one breakdown table of the dashboard, scoped to the
person exporting. Registered in StatsConfig.ready."""

from collections.abc import Iterator

from django.db.models import F
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
    node = filters.organisation or selectors.default_node(user, campaign)
    keys = {
        "organisation": lambda: selectors.org_key(node),
        "region": lambda: selectors.region_key(filters.region),
        "joint_action": lambda: F("joint_action_id"),
        "kind": lambda: F("kind"),
        "day": lambda: selectors.day_key(campaign),
    }
    # The breakdown and its total in one statement, as the dashboard computes them.
    figures = selectors.grouped_all(activities, {by: keys[by](), "total": None})
    if by == "organisation":
        rows = selectors.breakdown_by_organisation(activities, node, figures[by])
    elif by == "region":
        rows, _units = selectors.breakdown_by_region(activities, filters.region, figures[by])
    elif by == "joint_action":
        rows = selectors.breakdown_by_joint_action(activities, figures[by])
    elif by == "kind":
        rows = selectors.breakdown_by_kind(activities, figures[by])
    else:
        rows = selectors.breakdown_by_day(activities, campaign, figures[by])
    return [*rows, selectors.totals(activities, figures["total"])]


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
