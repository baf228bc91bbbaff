"""The export kind "campaign-ranking": the ranked table of one campaign (params: campaign id)."""

from django.utils.translation import gettext as _

from kepu.campaigns.models import Campaign
from kepu.core.errors import NotFound
from kepu.exports.registry import ExportKind

from . import selectors


def _campaign(user, params: dict) -> Campaign | None:
    try:
        pk = int(params.get("campaign"))
    except (TypeError, ValueError):
        return None
    return Campaign.objects.for_user(user, "awards.manage").filter(pk=pk).first()


def _columns(params: dict) -> list[str]:
    names = []
    campaign = (
        Campaign.objects.filter(pk=params.get("campaign")).first()
        if str(params.get("campaign", "")).isdigit()
        else None
    )
    if campaign is not None:
        names = [f"{i.name} ({i.weight}%)" for i in campaign.indicators.all()]
    return [_("Rank"), _("Unit"), *names, _("Weighted total")]


def _rows(user, params: dict):
    campaign = _campaign(user, params)
    if campaign is None:
        return
    indicators, rows = selectors.ranking(campaign)
    for row in rows:
        points = [str(row.points.get(i.pk, 0)) for i in indicators]
        yield [row.rank, row.organisation.name, *points, str(row.total)]


def _count(user, params: dict) -> int:
    """The number of ranked units; NotFound for a campaign the user may not rank (the exports
    app asks this before it writes anything, headings included)."""
    campaign = _campaign(user, params)
    if campaign is None:
        raise NotFound("not_found", _("There is no such campaign."))
    return selectors.campaign_units(campaign).count()  # one row per ranked unit


RANKING = ExportKind(
    name="campaign-ranking",
    title=lambda: _("Ranked table of the units"),
    permission="awards.manage",
    columns=_columns,
    rows=_rows,
    count=_count,
)
