"""Demo evaluation of the 2021 Shapotou Science Day (seed 001 commends "工作扎实、成绩突出的单位和
特色鲜明、实效显著的活动" by attention paid, number and scale, highlights and publicity): the four
default indicators, the county reviewer's scores, an outstanding unit and an outstanding activity
on the list, publicised for a 3-day objection period from the day the demo is built, with one
objection waiting for the organiser's answer. Recorded through the services; running it again
changes nothing. Called by ``manage.py seed_demo`` (see AwardsConfig.demo)."""

from kepu.activities.models import Activity
from kepu.campaigns.models import Campaign

from . import services
from .models import Commendation, Indicator

CAMPAIGN = "shapotou-science-day-2021"
# Scores (0–100) of the scored indicators, in their order, per unit (demo organisation key).
SCORES = {"school11": (95, 92), "spt_water": (85, 80)}


def build_awards_demo(demo, out=print) -> None:
    campaign = Campaign.objects.filter(slug=CAMPAIGN).first()
    if campaign is None or Commendation.objects.filter(campaign=campaign).exists():
        return
    organiser_staff = demo.people["admin"]
    indicators = services.ensure_indicators(campaign, actor=organiser_staff)
    scored = [i for i in indicators if i.measure == Indicator.Measure.SCORED]
    for key, values in SCORES.items():
        services.record_scores(
            campaign,
            actor=demo.people["reviewer"],
            organisation=demo.orgs[key],
            values={i.pk: v for i, v in zip(scored, values, strict=False)},
            comment="依据活动总结和现场检查评分。",
        )
    services.add_commended(
        campaign,
        actor=organiser_staff,
        organisation=demo.orgs["school11"],
        citation="承办全国科普日沙坡头区主场活动,组织周密,成效显著。",
    )
    main = (
        Activity.objects.filter(campaign=campaign, organisation=demo.orgs["school11"])
        .order_by("starts_at")
        .first()
    )
    if main is not None:
        services.add_commended(
            campaign,
            actor=organiser_staff,
            activity=main,
            citation="科普大篷车进校园、航模表演等内容丰富,特色鲜明。",
        )
    commendation = services.publicise_commendation(campaign, actor=organiser_staff, days=3)
    services.file_objection(
        commendation,
        name="张小明",
        contact="13800138000",
        text="建议公布各单位的评分细则,便于公众了解评选依据。",
        address="127.0.0.1",
        user=demo.people["public"],
    )
    out(f"Commendation: {campaign.title} list publicised for 3 days, one objection to answer")
