"""The export kind "campaign-summaries": every participating unit of one campaign with where
its summary stands — the list an organiser works through before the deadline (params:
campaign id; permission reports.review on the campaign's organiser, as the page)."""

from django.utils import timezone
from django.utils.translation import gettext as _

from kepu.campaigns.models import Campaign
from kepu.core.errors import NotFound
from kepu.exports.registry import ExportKind

from . import selectors
from .models import Summary

PERM = "reports.review"


def _campaign(user, params: dict) -> Campaign:
    try:
        pk = int(params.get("campaign"))
    except (TypeError, ValueError):
        pk = 0
    campaign = Campaign.objects.for_user(user, PERM).filter(pk=pk).first()
    if campaign is None:
        raise NotFound("not_found", _("There is no such campaign."))
    return campaign


def _columns(params: dict) -> list[str]:
    return [
        _("Unit"),
        _("Status"),
        _("Submitted"),
        _("Late"),
        _("Reviewed"),
        _("Comment"),
    ]


def _when(value, campaign: Campaign) -> str:
    return timezone.localtime(value, campaign.tz).strftime("%Y-%m-%d %H:%M") if value else ""


def _rows(user, params: dict):
    campaign = _campaign(user, params)
    for row in selectors.campaign_overview(campaign):
        summary: Summary | None = row["summary"]
        if summary is None:
            yield [row["unit"].name, _("not started"), "", "", "", ""]
            continue
        yield [
            row["unit"].name,
            summary.get_status_display(),
            _when(summary.submitted_at, campaign),
            _("yes") if summary.is_late else "",
            _when(summary.reviewed_at, campaign),
            summary.review_comment,
        ]


def _count(user, params: dict) -> int:
    """Raises NotFound for a campaign outside the person's scope before anything is written."""
    return len(selectors.campaign_overview(_campaign(user, params)))


CAMPAIGN_SUMMARIES = ExportKind(
    name="campaign-summaries",
    title=lambda: _("Summary reports of the units"),
    permission=PERM,
    columns=_columns,
    rows=_rows,
    count=_count,
)
