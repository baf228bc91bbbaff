"""Reads of results shared by the workbench pages (and later the reports and the portal)."""

from __future__ import annotations

from django.db.models import QuerySet

from kepu.activities.models import Activity
from kepu.organisations.scoping import get_for_user_or_404

from .models import Outcome, ResultItem


def results_of_activity(activity: Activity) -> QuerySet[ResultItem]:
    """The results of one activity, oldest first, with who added them."""
    return ResultItem.objects.filter(activity=activity).select_related("added_by")


def outcome_of_activity(activity: Activity) -> Outcome | None:
    return Outcome.objects.filter(activity=activity).first()


def result_for_user(user, pk: int, perm: str = "activities.view") -> ResultItem:
    """One result inside the user's scope; Http404 when absent or another unit's."""
    queryset = ResultItem.objects.select_related("activity__organisation")
    return get_for_user_or_404(queryset, user, perm, pk=pk)
