"""GET /api/v1/staff/campaigns/{campaign_id}/statistics: the dashboard's figures as JSON, with
the same filters as query parameters and the same scoping (permission stats.view)."""

import datetime as dt
from typing import Annotated

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import codes_4xx

from kepu.api.auth import token_auth
from kepu.api.errors import ErrorOut
from kepu.core.errors import DomainError

from . import selectors
from .forms import DashboardFilterForm

Id = Annotated[int, Field(ge=1, le=2**63 - 1)]

router = Router(tags=["staff"], auth=token_auth)


class StatisticsFilters(Schema):
    region: str = Field("", max_length=20, description="Region code; its subtree")
    organisation: int | None = Field(None, ge=1, le=2**63 - 1)
    joint_action: int | None = Field(None, ge=1, le=2**63 - 1)
    activity_kind: str = Field("", max_length=20)
    activity_format: str = Field("", max_length=10)
    date_from: dt.date | None = None
    date_to: dt.date | None = None


class RowOut(Schema):
    key: str
    label: str
    activities: int
    key_activities: int
    signups: int
    participants: int
    online_views: int
    checkins: int
    ratings: int
    rating_avg: float | None


class TargetOut(Schema):
    organisation_id: int
    organisation: str
    level: str
    target: int
    done: int
    met: bool


class StatisticsOut(Schema):
    campaign_id: int
    time_zone: str
    counted_statuses: list[str]
    node_id: int
    totals: RowOut
    by_region: list[RowOut]
    by_organisation: list[RowOut]
    by_joint_action: list[RowOut]
    by_kind: list[RowOut]
    by_day: list[RowOut]
    targets: list[TargetOut]


@router.get(
    "/campaigns/{campaign_id}/statistics",
    response={200: StatisticsOut, codes_4xx: ErrorOut},
    summary="Statistics of a campaign and its child campaigns, in my subtree",
)
def campaign_statistics(request, campaign_id: Id, filters: Query[StatisticsFilters]):
    campaign = selectors.campaign_for_stats_or_404(request.auth, campaign_id)
    data = {k: "" if v is None else str(v) for k, v in filters.dict().items()}
    form = DashboardFilterForm(request.auth, campaign, data)
    if not form.is_valid():
        err = DomainError("invalid_filter", _("Some filters were not understood."))
        err.fields = {name: list(errors) for name, errors in form.errors.items()}
        raise err
    board = selectors.campaign_dashboard(request.auth, campaign, form.filters())
    return {
        "campaign_id": campaign.pk,
        "time_zone": campaign.time_zone,
        "counted_statuses": [str(s) for s in selectors.COUNTED_STATUSES],
        "node_id": board.node.pk,
        "totals": board.totals,
        "by_region": board.by_region,
        "by_organisation": board.by_organisation,
        "by_joint_action": board.by_joint_action,
        "by_kind": board.by_kind,
        "by_day": board.by_day,
        "targets": [
            {
                "organisation_id": t.organisation.pk,
                "organisation": t.organisation.name,
                "level": t.level,
                "target": t.target,
                "done": t.done,
                "met": t.met,
            }
            for t in board.targets
        ],
    }
