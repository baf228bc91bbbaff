"""The campaign statistics dashboard (workbench). Reads only: scoping, one selector, render."""

from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from kepu.core.views import staff_required
from kepu.organisations.models import Region

from . import charts, selectors
from .forms import DashboardFilterForm


def _link(campaign_pk: int, params: dict) -> str:
    url = reverse("stats:campaign-dashboard", args=[campaign_pk])
    return f"{url}?{urlencode(params)}" if params else url


def _charts(board: selectors.Dashboard) -> dict:
    def bars(rows, ident, title):
        return charts.bar_chart(
            [(r.label, r.activities) for r in rows],
            title=title,
            desc=_("Number of activities; the table below gives every figure."),
            ident=ident,
        )

    return {
        "region": bars(board.by_region, "chart-region", _("Activities by region")),
        "organisation": bars(
            board.by_organisation, "chart-organisation", _("Activities by organisation")
        ),
        "joint_action": bars(
            board.by_joint_action, "chart-joint-action", _("Activities by joint action")
        ),
        "kind": bars(board.by_kind, "chart-kind", _("Activities by kind")),
        "day": charts.line_chart(
            [(r.label, r.activities) for r in board.by_day],
            title=_("Activities by day"),
            desc=_("Activities per day of their start, in the campaign's time zone."),
            ident="chart-day",
        ),
    }


@staff_required(selectors.PERM)
def campaign_dashboard(request, pk: int):
    campaign = selectors.campaign_for_stats_or_404(request.user, pk)
    form = DashboardFilterForm(request.user, campaign, request.GET or None)
    if form.is_bound:
        form.is_valid()  # invalid values are reported on the form and simply not applied
    filters = form.filters()
    board = selectors.campaign_dashboard(request.user, campaign, filters)
    params = filters.as_params()
    for rows in (board.by_region, board.by_organisation, board.by_joint_action, board.by_kind):
        for row in rows:
            row.link = _link(pk, {**params, **row.drill}) if row.drill else ""
    export = {**params, "kind": "campaign-statistics", "campaign": str(pk)}
    export_url = reverse("exports:export")
    return render(
        request,
        "stats/work/dashboard.html",
        {
            "campaign": campaign,
            "form": form,
            "board": board,
            "charts": _charts(board),
            "export_url": export_url,
            "export_csv": urlencode({**export, "format": "csv"}),
            "export_xlsx": urlencode({**export, "format": "xlsx"}),
            "up_region": _link(
                pk,
                {
                    **{k: v for k, v in params.items() if k != "region"},
                    **(
                        {"region": Region.objects.get_parent(board.region_node).code}
                        if board.region_node and board.region_node.depth > 1
                        else {}
                    ),
                },
            )
            if board.region_node
            else "",
            "up_organisation": _link(pk, {k: v for k, v in params.items() if k != "organisation"})
            if filters.organisation
            else "",
        },
    )
