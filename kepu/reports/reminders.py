"""Reminders before the results and summary deadlines: e-mail and an in-app notice.

``send_due_reminders`` runs hourly (Celery beat on a worker, ``manage.py send_reminders`` from
cron on the embedded default). A ReminderSent row per (campaign, unit, phase, days) makes a rerun
send nothing twice, even when two runs overlap.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kepu.activities.models import Activity
from kepu.activities.notifications import notify
from kepu.campaigns.models import Campaign, Phase
from kepu.results.models import Outcome, ResultItem

from . import selectors
from .models import ReminderSent, Summary

SUMMARY_NOTICE = _(
    "Reminder: the summary report of %(unit)s for %(campaign)s is due by %(deadline)s."
)
RESULTS_NOTICE = _(
    "Reminder: %(unit)s has finished activities in %(campaign)s without results; "
    "results are due by %(deadline)s."
)


def _due_days(deadline: datetime, now: datetime) -> int | None:
    """The smallest reminder day whose moment has come and the deadline not yet passed."""
    if deadline is None or now >= deadline:
        return None
    due = [d for d in settings.KEPU_REMINDER_DAYS if now >= deadline - timedelta(days=d)]
    return min(due) if due else None


def _units_without_summary(campaign: Campaign):
    done = Summary.objects.filter(campaign=campaign).submitted().values("organisation_id")
    return selectors.participating_units(campaign).exclude(pk__in=done)


def _units_without_results(campaign: Campaign, now: datetime):
    pending = (
        Activity.objects.in_campaign_tree(campaign)
        .filter(
            Q(status=Activity.Status.FINISHED)
            | Q(status=Activity.Status.PUBLISHED, ends_at__lte=now)
        )
        .exclude(Exists(ResultItem.objects.filter(activity=OuterRef("pk"))))
        .exclude(Exists(Outcome.objects.filter(activity=OuterRef("pk"))))
        .values("organisation_id")
    )
    return selectors.participating_units(campaign).filter(pk__in=pending)


def _remind(campaign, unit, phase: str, days: int, deadline: datetime) -> int:
    """Record the reminder, then tell the unit's staff; 0 when it was already sent."""
    try:
        with transaction.atomic():
            ReminderSent.objects.create(
                campaign=campaign, organisation=unit, phase=phase, days_before=days
            )
            if phase == Phase.SUMMARY:
                template, perm = SUMMARY_NOTICE, "reports.submit"
                url = reverse("reports:summary-open", kwargs={"pk": campaign.pk, "unit": unit.pk})
            else:
                template, perm = RESULTS_NOTICE, "results.add"
                url = reverse("activities:work-activity-list")
            local = timezone.localtime(deadline, campaign.tz)
            params = {
                "unit": unit.name,
                "campaign": campaign.title,
                # Digits only: the notice is worded in each recipient's own language.
                "deadline": f"{local:%Y-%m-%d %H:%M} ({campaign.time_zone})",
            }
            people = selectors.unit_staff(unit, perm)
            for person in people:
                notify(person, template, params, url=url)
    except IntegrityError:
        return 0
    return len(people)


def send_due_reminders(now: datetime | None = None) -> int:
    """Send the reminders that are due at ``now``; returns the number of notices written."""
    now = now or timezone.now()
    horizon = now + timedelta(days=max(settings.KEPU_REMINDER_DAYS, default=0))
    sent = 0
    for campaign in _campaigns_due(now, horizon):
        deadline = campaign.effective_summary_by
        days = _due_days(deadline, now)
        if days is not None:
            for unit in _units_without_summary(campaign):
                sent += _remind(campaign, unit, Phase.SUMMARY, days, deadline)
        deadline = campaign.effective_results_by
        days = _due_days(deadline, now)
        if days is not None:
            for unit in _units_without_results(campaign, now):
                sent += _remind(campaign, unit, Phase.RESULTS, days, deadline)
    return sent


def _campaigns_due(now: datetime, horizon: datetime) -> list[Campaign]:
    """Campaigns with a results or summary deadline between ``now`` and ``horizon``: their own,
    or one they inherit (a child campaign that sets none has its nearest ancestor's)."""
    due = Q(results_by__gt=now, results_by__lte=horizon) | Q(
        summary_by__gt=now, summary_by__lte=horizon
    )
    lineages = list(Campaign.objects.filter(due).values_list("lineage", flat=True))
    if not lineages:
        return []
    tree = Q(pk__in=[])
    for lineage in lineages:
        tree |= Q(lineage__startswith=lineage)
    return list(Campaign.objects.filter(tree).select_related("organiser", "parent__parent__parent"))
