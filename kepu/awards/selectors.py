"""Reads shared by the awards pages, the export and the certificates."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q, Sum
from django.http import Http404

from kepu.activities.models import Activity, CheckIn
from kepu.campaigns.models import Campaign
from kepu.organisations import scoping
from kepu.organisations.models import Organisation
from kepu.results.models import Outcome, ResultItem

from .models import Commendation, Commended, Indicator, Objection, Score

Measure = Indicator.Measure
TWO = Decimal("0.01")


@dataclass
class RankedUnit:
    organisation: Organisation
    raw: dict[int, Decimal] = field(default_factory=dict)  # indicator id → counted / mean score
    points: dict[int, Decimal] = field(default_factory=dict)  # indicator id → 0–100
    total: Decimal = Decimal(0)
    rank: int = 0

    def cells(self, indicators: list[Indicator]) -> list[tuple[Decimal, Decimal]]:
        return [
            (self.raw.get(i.pk, Decimal(0)), self.points.get(i.pk, Decimal(0))) for i in indicators
        ]


def campaign_for_evaluator_or_404(user, pk: int) -> Campaign:
    """A campaign whose tree overlaps where the person may evaluate (above or below them)."""
    paths = scoping.granted_paths(user, "awards.evaluate")
    try:
        campaign = Campaign.objects.select_related("organiser").get(pk=pk)
    except Campaign.DoesNotExist:
        raise Http404 from None
    if not scoping.on_line(campaign.organiser.path, paths):
        raise Http404
    return campaign


def _activities(campaign: Campaign):
    return Activity.objects.in_campaign_tree(campaign).filter(status__in=Activity.PUBLIC_STATUSES)


def campaign_units(campaign: Campaign):
    """Units ranked in a campaign: those with a public activity in it, or already scored."""
    with_activities = _activities(campaign).values("organisation_id")
    scored = Score.objects.filter(indicator__campaign=campaign).values("organisation_id")
    return Organisation.objects.filter(Q(pk__in=with_activities) | Q(pk__in=scored)).order_by(
        "path"
    )


def _measured(campaign: Campaign, measure: str) -> dict[int, Decimal]:
    activities = _activities(campaign)
    if measure == Measure.ACTIVITIES:
        rows = activities.values("organisation_id").annotate(n=Count("pk"))
    elif measure == Measure.KEY_ACTIVITIES:
        rows = activities.filter(is_key=True).values("organisation_id").annotate(n=Count("pk"))
    elif measure == Measure.PARTICIPANTS:
        rows = (
            Outcome.objects.filter(activity__in=activities)
            .values(organisation_id=F("activity__organisation_id"))
            .annotate(n=Sum("participants_onsite") + Sum("participants_online"))
        )
    elif measure == Measure.PUBLICITY:
        rows = (
            ResultItem.objects.filter(activity__in=activities, kind=ResultItem.Kind.LINK)
            .values(organisation_id=F("activity__organisation_id"))
            .annotate(n=Count("pk"))
        )
    elif measure == Measure.CHECKINS:
        rows = (
            CheckIn.objects.filter(activity__in=activities)
            .values(organisation_id=F("activity__organisation_id"))
            .annotate(n=Count("pk"))
        )
    else:
        return {}
    return {row["organisation_id"]: Decimal(row["n"] or 0) for row in rows}


def _mean_scores(campaign: Campaign) -> dict[tuple[int, int], Decimal]:
    rows = defaultdict(list)
    for indicator_id, organisation_id, value in Score.objects.filter(
        indicator__campaign=campaign
    ).values_list("indicator_id", "organisation_id", "value"):
        rows[(indicator_id, organisation_id)].append(value)
    return {key: Decimal(sum(values)) / len(values) for key, values in rows.items()}


def ranking(campaign: Campaign) -> tuple[list[Indicator], list[RankedUnit]]:
    """The ranked table: measured values normalised so that the best unit has 100, scored
    indicators the mean of the evaluators, the weighted total, and the rank (ties share one)."""
    indicators = list(campaign.indicators.all())
    units = {o.pk: RankedUnit(organisation=o) for o in campaign_units(campaign)}
    means = _mean_scores(campaign)
    for indicator in indicators:
        if indicator.is_scored:
            values = {pk: means.get((indicator.pk, pk), Decimal(0)) for pk in units}
            points = values
        else:
            measured = _measured(campaign, indicator.measure)
            values = {pk: measured.get(pk, Decimal(0)) for pk in units}
            best = max(values.values(), default=Decimal(0))
            points = {pk: (v * 100 / best if best else Decimal(0)) for pk, v in values.items()}
        for pk, unit in units.items():
            unit.raw[indicator.pk] = values[pk].quantize(TWO, ROUND_HALF_UP)
            unit.points[indicator.pk] = points[pk].quantize(TWO, ROUND_HALF_UP)
    for unit in units.values():
        total = sum((unit.points[i.pk] * i.weight / 100 for i in indicators), start=Decimal(0))
        unit.total = total.quantize(TWO, ROUND_HALF_UP)
    ordered = sorted(units.values(), key=lambda u: (-u.total, u.organisation.path))
    for position, unit in enumerate(ordered, start=1):
        same = position > 1 and unit.total == ordered[position - 2].total
        unit.rank = ordered[position - 2].rank if same else position
    return indicators, ordered


def units_to_score(campaign: Campaign, user) -> list[Organisation]:
    """The campaign's units the evaluator may score (inside their own subtree)."""
    paths = scoping.granted_paths(user, "awards.evaluate")
    return list(campaign_units(campaign).filter(scoping.subtree_q(paths, field="")))


def scores_by(campaign: Campaign, user) -> dict[tuple[int, int], Score]:
    """(organisation id, indicator id) → this evaluator's score."""
    return {
        (s.organisation_id, s.indicator_id): s
        for s in Score.objects.filter(indicator__campaign=campaign, evaluator=user)
    }


def commendation_entries(commendation: Commendation | None) -> list[Commended]:
    if commendation is None:
        return []
    return list(
        commendation.entries.select_related("unit", "activity").order_by(
            "activity_id", "unit__path", "id"
        )
    )


def objections_for(commendation: Commendation | None) -> list[Objection]:
    if commendation is None:
        return []
    return list(commendation.objections.select_related("answered_by").order_by("created_at"))


def public_commendation_or_404(slug: str) -> Commendation:
    try:
        return (
            Commendation.objects.public()
            .select_related("campaign__organiser")
            .get(campaign__slug=slug)
        )
    except Commendation.DoesNotExist:
        raise Http404 from None


def genuine_certificate_or_404(code: str) -> Commended:
    """A certificate of a final list, by its code; anything else is unknown."""
    try:
        return Commended.objects.select_related(
            "unit", "activity", "commendation__campaign__organiser"
        ).get(
            certificate_code=(code or "").strip().upper()[:32],
            commendation__status=Commendation.Status.FINAL,
        )
    except Commended.DoesNotExist:
        raise Http404 from None


def certificate_for_user_or_404(user, campaign_pk: int, pk: int) -> Commended:
    queryset = Commended.objects.for_certificate(user).select_related(
        "unit", "activity", "commendation__campaign__organiser"
    )
    try:
        return queryset.get(pk=pk, commendation__campaign_id=campaign_pk)
    except Commended.DoesNotExist:
        raise Http404 from None


def commended_in_campaign_or_404(campaign: Campaign, pk: int) -> Commended:
    try:
        return Commended.objects.select_related("commendation__campaign__organiser").get(
            pk=pk, commendation__campaign=campaign
        )
    except Commended.DoesNotExist:
        raise Http404 from None
