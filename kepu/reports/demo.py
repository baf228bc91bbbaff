"""Demo summaries of the 2021 Shapotou Science Day (seed 001: "请各活动举办单位于2021年10月10日
前……提交全国科普日活动总结材料"): the primary school's summary submitted on time and accepted,
the water bureau's returned for more figures, the other units not started (so the reminders and
the list of units behind have something to show). Recorded through the services; running it
again changes nothing. Called by ``manage.py seed_demo`` (see ReportsConfig.demo)."""

from kepu.activities.demo import at
from kepu.campaigns.models import Campaign

from . import services
from .models import Summary

CAMPAIGN = "shapotou-science-day-2021"

SCHOOL_TEXT = (
    "我校承办2021年全国科普日暨中卫市第六届青少年科学节沙坡头区主场活动。活动以航模表演、"
    "科普大篷车进校园、碳达峰碳中和宣传为主要内容,全校师生和部分家长参加,现场发放宣传资料,"
    "组织学生体验科普展品。活动照片和新闻报道已上传到活动成果中。下一步将把科普日活动与课后"
    "服务结合,常态化开展科技社团活动。"
)
WATER_TEXT = (
    "我局围绕“节水护水从我做起”主题,在黄河水情教育展厅开展黄河水科学体验日,向青少年和家长"
    "普及节水知识和黄河保护常识。"
)


def build_summaries_demo(demo, out=print) -> None:
    campaign = Campaign.objects.filter(slug=CAMPAIGN).first()
    if campaign is None or Summary.objects.filter(campaign=campaign).exists():
        return
    reviewer = demo.people["coordinator"]  # the county bureau organises the campaign
    school = services.start_summary(
        campaign, organisation=demo.orgs["school11"], actor=demo.people["reporter"]
    )
    services.save_summary(school, actor=demo.people["reporter"], text=SCHOOL_TEXT)
    services.submit_summary(school, actor=demo.people["reporter"], now=at(2021, 10, 8, 17))
    services.accept_summary(school, actor=reviewer, comment="材料齐全,感谢支持。")
    water = services.start_summary(
        campaign, organisation=demo.orgs["spt_water"], actor=demo.people["reporter_water"]
    )
    services.save_summary(water, actor=demo.people["reporter_water"], text=WATER_TEXT)
    services.submit_summary(water, actor=demo.people["reporter_water"], now=at(2021, 10, 9, 11))
    services.return_summary(
        water,
        actor=reviewer,
        comment="请补充体验日的参与人数、活动照片和宣传报道后重新提交。",
    )
    out(f"Summaries: 2 of {campaign.title} (one accepted, one returned for revision)")
