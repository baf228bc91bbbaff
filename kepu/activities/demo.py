"""Demo data built from the public notices in shared/seeds, through the services.

Historical campaigns keep their real dates (2021 Shapotou Science Day, 2022 Yongzhou epidemic
outreach, 2021 Vietnamese COVID-safe-area movement, 2023 Xinxiang Science & Technology Week);
one upcoming edition of the Xinxiang week is open for sign-up so that the demo can be used.
"""

import datetime as dt
import zoneinfo

from django.db import transaction
from django.utils import timezone

from kepu.accounts.models import User
from kepu.campaigns import services as campaign_services
from kepu.campaigns.models import Campaign
from kepu.organisations.models import Membership, Organisation, Region
from kepu.organisations.services import add_organisation, add_region, grant_role

from . import services
from .labels import AUDIENCES, TOPICS
from .models import Activity, Audience, Topic

DEMO_PASSWORD = "kepu-demo-2026"
CN = zoneinfo.ZoneInfo("Asia/Shanghai")
VN = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")

SHAPOTOU_ACTIONS = [
    (
        "碳达峰碳中和科普联合行动",
        "沙坡头区生态环境分局",
        "面向沙坡头区社会公众开展碳达峰、碳中和科普活动,传播生态文明知识。",
    ),
    (
        "青少年科技教育联合行动",
        "沙坡头区教育局",
        "动员中小学开展科普报告、科技实践、科普表演等活动。",
    ),
    (
        "科技资源科普化联合行动",
        "沙坡头区科学技术局",
        "推动科技企业通过线下讲座、线上直播等形式向公众普及高新技术。",
    ),
    ("水利科普联合行动", "沙坡头区水务局", "普及节水知识、水资源保护、水污染防治等水科学知识。"),
    (
        "乡村振兴科普联合行动",
        "沙坡头区农业农村局",
        "面向农村、针对农民开展技能培训、科普讲座和农民科学素质网络竞赛。",
    ),
    (
        "卫生健康科普联合行动",
        "沙坡头区卫生健康局",
        "开展健康科普讲座和知识问答,普及新型冠状病毒防控知识。",
    ),
    (
        "应急科普联合行动",
        "沙坡头区应急管理局",
        "普及安全风险防范、隐患排查、应急处置和自救互救常识。",
    ),
    (
        "企业科普联合行动",
        "沙坡头区科学技术局",
        "动员企业开放参观、交流体验、专家讲解,宣传推介“科普中国”。",
    ),
    (
        "学会科普联合行动",
        "沙坡头区科学技术协会",
        "发动各协会开展科普讲座、学术活动、科技志愿服务和科普基地开放。",
    ),
    (
        "科普阵地联合行动",
        "沙坡头区科学技术协会",
        "科技馆、流动科技馆、科普大篷车开展展览展示、动手体验、网上课堂。",
    ),
]


def at(year, month, day, hour=9, minute=0, tz=CN) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=tz)


class Demo:
    def __init__(self, out=print):
        self.out = out
        self.orgs: dict[str, Organisation] = {}
        self.people: dict[str, User] = {}

    # --- helpers ------------------------------------------------------------------------------
    def person(self, key, phone, name, email, **extra) -> User:
        user = User.objects.filter(phone=phone).first() or User.objects.create_user(
            phone=phone, email=email, name=name, password=DEMO_PASSWORD, **extra
        )
        self.people[key] = user
        return user

    def region(self, code, name, parent=None) -> Region:
        return Region.objects.filter(code=code).first() or add_region(
            parent=parent, code=code, name=name
        )

    def org(self, key, name, kind, level, region, parent=None) -> Organisation:
        org = Organisation.objects.filter(name=name).first() or add_organisation(
            parent=self.orgs.get(parent) if parent else None,
            name=name,
            kind=kind,
            level=level,
            region=region,
        )
        self.orgs[key] = org
        return org

    def labels(self):
        for model, rows in ((Audience, AUDIENCES), (Topic, TOPICS)):
            for slug, hans, hant, vi, en in rows:
                model.objects.get_or_create(
                    slug=slug,
                    defaults=dict(name_zh_hans=hans, name_zh_hant=hant, name_vi=vi, name_en=en),
                )

    def activity(
        self,
        campaign,
        org_key,
        reporter_key,
        *,
        status="published",
        audiences=(),
        topics=(),
        joint_action=None,
        region=None,
        **fields,
    ) -> Activity:
        existing = Activity.objects.filter(campaign=campaign, title=fields["title"]).first()
        if existing:
            return existing
        org = self.orgs[org_key]
        reporter = self.people[reporter_key]
        activity = services.create_activity(
            actor=reporter,
            organisation=org,
            campaign=campaign,
            joint_action=joint_action,
            region=region or org.region,
            audiences=list(Audience.objects.filter(slug__in=audiences)),
            topics=list(Topic.objects.filter(slug__in=topics)),
            **fields,
        )
        if status == "draft":
            return activity
        reviewer = self.people[self.reviewer_for[campaign.organiser_id]]
        # Historical activities are entered as if before their deadline.
        before_deadline = min(timezone.now(), campaign.register_by or timezone.now())
        services.submit_activity(activity, actor=reporter, now=before_deadline)
        if status == "submitted":
            return activity
        services.approve_activity(activity, actor=reviewer)
        services.publish_activity(activity, actor=reporter)
        if status == "finished":
            services.finish_activity(activity, actor=reporter)
        return activity

    # --- the world ----------------------------------------------------------------------------
    def build(self):
        self.labels()
        self.tree()
        self.shapotou()
        self.xinxiang()
        self.yongzhou()
        self.vietnam()
        self.upcoming_week()

    def tree(self):
        ningxia = self.region("64", "宁夏回族自治区")
        zhongwei = self.region("6405", "中卫市", ningxia)
        shapotou = self.region("640502", "沙坡头区", zhongwei)
        henan = self.region("41", "河南省")
        xinxiang = self.region("4107", "新乡市", henan)
        hongqi = self.region("410702", "红旗区", xinxiang)
        hunan = self.region("43", "湖南省")
        yongzhou = self.region("4311", "永州市", hunan)
        lengshuitan = self.region("431103", "冷水滩区", yongzhou)
        vietnam = self.region("VN", "Việt Nam")

        self.org("ningxia", "宁夏回族自治区科学技术协会", "association", "province", ningxia)
        self.org("zhongwei", "中卫市科学技术协会", "association", "city", zhongwei, "ningxia")
        self.org("shapotou", "沙坡头区科学技术局", "department", "county", shapotou, "zhongwei")
        units = [
            ("school11", "中卫市沙坡头区第十一小学", "school"),
            ("spt_cast", "沙坡头区科学技术协会", "association"),
            ("spt_eco", "沙坡头区生态环境分局", "department"),
            ("spt_edu", "沙坡头区教育局", "department"),
            ("spt_water", "沙坡头区水务局", "department"),
            ("spt_agri", "沙坡头区农业农村局", "department"),
            ("spt_health", "沙坡头区卫生健康局", "department"),
            ("spt_emergency", "沙坡头区应急管理局", "department"),
            ("spt_base", "沙坡头沙漠科普教育基地", "base"),
        ]
        for key, name, kind in units:
            self.org(key, name, kind, "unit", shapotou, "shapotou")

        self.org("henan", "河南省科学技术厅", "department", "province", henan)
        self.org("xinxiang", "新乡市科学技术局", "department", "city", xinxiang, "henan")
        self.org("hongqi", "红旗区科技局", "department", "county", hongqi, "xinxiang")
        self.org("xx_museum", "新乡市科技馆", "base", "unit", xinxiang, "xinxiang")
        self.org("xx_med", "新乡医学院科学技术协会", "university", "unit", xinxiang, "xinxiang")
        self.org("xx_school", "红旗区实验小学", "school", "unit", hongqi, "hongqi")

        self.org("hunan", "湖南省科学技术协会", "association", "province", hunan)
        self.org("yongzhou", "永州市科学技术协会", "association", "city", yongzhou, "hunan")
        self.org("lst", "冷水滩区科学技术协会", "association", "county", lengshuitan, "yongzhou")
        self.org("yz_medsoc", "永州市医学会", "society", "unit", yongzhou, "yongzhou")
        self.org("yz_museum", "永州市科技馆", "base", "unit", yongzhou, "yongzhou")
        self.org(
            "yz_college", "湖南科技学院科学技术协会", "university", "unit", yongzhou, "yongzhou"
        )
        self.org("lst_community", "冷水滩区梅湾社区", "community", "unit", lengshuitan, "lst")

        self.org("vn_dost", "Sở Khoa học và Công nghệ", "department", "province", vietnam)
        self.org(
            "vn_office",
            "Văn phòng Sở Khoa học và Công nghệ",
            "department",
            "unit",
            vietnam,
            "vn_dost",
        )
        self.org(
            "vn_union",
            "Công đoàn cơ sở Sở Khoa học và Công nghệ",
            "community",
            "unit",
            vietnam,
            "vn_dost",
        )

        self.person("admin", "13900000001", "王晶晶", "admin@kepu.example")
        self.person("coordinator", "13900000002", "孙浩", "coordinator@kepu.example")
        self.person("reviewer", "13900000003", "沙坡头区审核员", "reviewer@kepu.example")
        self.person("reporter", "13900000004", "第十一小学填报员", "reporter@kepu.example")
        self.person("reporter_water", "13900000005", "水务局填报员", "water@kepu.example")
        self.person("xx_admin", "13900000006", "刘涟", "xinxiang@kepu.example")
        self.person("xx_reporter", "13900000007", "李寒雪", "xinxiang.reporter@kepu.example")
        self.person("yz_admin", "13900000008", "永州市科协管理员", "yongzhou@kepu.example")
        self.person("vn_admin", "0912000001", "H. Nhung", "vn.admin@kepu.example", language="vi")
        self.person("public", "13800138000", "张小明", "public@kepu.example")
        self.person("elder", "13800138001", "李奶奶", "elder@kepu.example", elder_mode=True)
        roles = [
            ("admin", "zhongwei", Membership.Role.ADMIN),
            ("coordinator", "shapotou", Membership.Role.COORDINATOR),
            ("reviewer", "shapotou", Membership.Role.REVIEWER),
            ("reporter", "school11", Membership.Role.REPORTER),
            ("reporter_water", "spt_water", Membership.Role.REPORTER),
            ("xx_admin", "xinxiang", Membership.Role.ADMIN),
            ("xx_reporter", "xx_museum", Membership.Role.REPORTER),
            ("yz_admin", "yongzhou", Membership.Role.ADMIN),
            ("vn_admin", "vn_dost", Membership.Role.ADMIN),
        ]
        for person, org, role in roles:
            grant_role(self.orgs[org], user=self.people[person], role=role)
        self.reviewer_for = {
            self.orgs["shapotou"].pk: "reviewer",
            self.orgs["xinxiang"].pk: "xx_admin",
            self.orgs["yongzhou"].pk: "yz_admin",
            self.orgs["vn_dost"].pk: "vn_admin",
        }
        for key in (
            "spt_cast",
            "spt_eco",
            "spt_edu",
            "spt_agri",
            "spt_health",
            "spt_emergency",
            "spt_base",
        ):
            grant_role(
                self.orgs[key], user=self.people["coordinator"], role=Membership.Role.REPORTER
            )

    def campaign(self, slug, **fields) -> Campaign:
        existing = Campaign.objects.filter(slug=slug).first()
        if existing:
            return existing
        return campaign_services.create_campaign(slug=slug, **fields)

    def shapotou(self):
        c = self.campaign(
            "shapotou-science-day-2021",
            actor=self.people["admin"],
            organiser=self.orgs["shapotou"],
            title="2021年中卫沙坡头区全国科普日",
            theme="百年再出发,迈向高水平科技自立自强",
            starts_on=dt.date(2021, 9, 13),
            ends_on=dt.date(2021, 9, 17),
            description=(
                "弘扬科学精神、普及科学知识,激发科学梦想和科学志向,推动形成崇尚科学的风尚,"
                "助推沙坡头区全民科学素质全面提升。活动立足面向基层、服务发展,重点开展主场活动、"
                "分场联合活动和系列联合行动,广泛开展“多阵地、多战线、广覆盖、齐参与”的系列科普活动。"
            ),
            register_by=at(2021, 9, 24, 23, 59),
            results_by=at(2021, 10, 22, 23, 59),
            summary_by=at(2021, 10, 10, 23, 59),
        )
        if not c.joint_actions.exists():
            for number, (title, lead, description) in enumerate(SHAPOTOU_ACTIONS, start=1):
                lead_unit = Organisation.objects.filter(name=lead).first()
                campaign_services.add_joint_action(
                    c,
                    actor=self.people["admin"],
                    number=number,
                    title=title,
                    description=description,
                    lead_unit=lead_unit,
                    lead_unit_name="" if lead_unit else lead,
                )
        actions = {a.number: a for a in c.joint_actions.all()}
        self.activity(
            c,
            "school11",
            "reporter",
            status="finished",
            title="2021年全国科普日暨中卫市第六届青少年科学节集中宣传活动(沙坡头区主场)",
            description=(
                "以航模表演、科普大篷车进校园、碳中和·碳达峰宣传等为主要内容,营造热爱科学、"
                "崇尚创新的社会氛围。责任单位:市科协、沙坡头区科协。"
            ),
            kind="exhibition",
            format="onsite",
            venue="中卫市沙坡头区第十一小学",
            starts_at=at(2021, 9, 17, 14, 30),
            ends_at=at(2021, 9, 17, 17, 30),
            audiences=["youth", "parents", "community"],
            topics=["aerospace", "carbon"],
            joint_action=actions.get(2),
            is_key=True,
            contact_name="孙浩",
            contact_phone="15109558601",
        )
        plan = [
            (
                1,
                "spt_eco",
                "coordinator",
                "绿水青山就是金山银山——碳达峰碳中和进社区",
                "lecture",
                "onsite",
                "沙坡头区文昌镇新时代文明实践站",
                13,
                ["community", "elders"],
                ["carbon"],
            ),
            (
                4,
                "spt_water",
                "reporter_water",
                "节水护水从我做起——黄河水科学体验日",
                "open_day",
                "onsite",
                "沙坡头区水务局黄河水情教育展厅",
                14,
                ["youth", "parents"],
                ["water"],
            ),
            (
                5,
                "spt_agri",
                "coordinator",
                "乡村振兴农民科学素质提升培训(枸杞种植技术)",
                "training",
                "onsite",
                "沙坡头区镇罗镇党群服务中心",
                15,
                ["farmers"],
                ["rural"],
            ),
            (
                6,
                "spt_health",
                "coordinator",
                "新型冠状病毒防控知识直播问答",
                "live_stream",
                "online",
                "",
                15,
                ["community", "elders"],
                ["health", "epidemic"],
            ),
            (
                7,
                "spt_emergency",
                "coordinator",
                "应急避险与自救互救技能培训",
                "training",
                "onsite",
                "沙坡头区应急管理局培训中心",
                16,
                ["community", "workers"],
                ["emergency"],
            ),
            (
                10,
                "spt_base",
                "coordinator",
                "沙漠科普教育基地开放日",
                "open_day",
                "hybrid",
                "沙坡头沙漠科普教育基地",
                16,
                ["youth", "parents"],
                ["carbon", "innovation"],
            ),
            (
                3,
                "spt_cast",
                "coordinator",
                "高新技术进课堂:科技企业线上科普直播",
                "online_course",
                "online",
                "",
                14,
                ["youth", "workers"],
                ["innovation"],
            ),
        ]
        for number, org, who, title, kind, fmt, venue, day, aud, top in plan:
            self.activity(
                c,
                org,
                who,
                status="finished",
                title=title,
                description=f"{actions[number].title}:{actions[number].description}",
                kind=kind,
                format=fmt,
                venue=venue,
                online_url="https://live.example.org/kepu" if fmt != "onsite" else "",
                starts_at=at(2021, 9, day, 9, 30),
                ends_at=at(2021, 9, day, 11, 30),
                audiences=aud,
                topics=top,
                joint_action=actions[number],
                is_key=number in (1, 4),
            )

    def xinxiang(self):
        c = self.campaign(
            "xinxiang-st-week-2023",
            actor=self.people["xx_admin"],
            organiser=self.orgs["xinxiang"],
            title="2023年新乡市科技活动周",
            theme="热爱科学 崇尚科学",
            starts_on=dt.date(2023, 5, 20),
            ends_on=dt.date(2023, 5, 31),
            description=(
                "市科技局、市委宣传部、市科协联合举办。大力弘扬科学家精神,广泛开展面向公众的"
                "特色科技活动。活动结束后报送总结报告、影像资料(视频时长不超过3分钟)和开展情况统计表。"
            ),
            register_by=at(2023, 5, 19, 23, 59),
            results_by=at(2023, 6, 5, 23, 59),
            summary_by=at(2023, 6, 5, 23, 59),
        )
        self.activity(
            c,
            "xx_museum",
            "xx_reporter",
            status="finished",
            title="2023年度新乡市科普讲解大赛",
            description="科技活动周的重要预热活动,金奖选手代表我市参加河南省科普讲解大赛。",
            kind="competition",
            format="onsite",
            venue="新乡市科技馆报告厅",
            starts_at=at(2023, 5, 20, 9),
            ends_at=at(2023, 5, 20, 17),
            audiences=["scientists"],
            topics=["scientists"],
            is_key=True,
        )
        self.activity(
            c,
            "xx_museum",
            "xx_reporter",
            status="finished",
            title="新乡市文化、科技、卫生“三下乡”集中示范活动",
            description="把优秀科技资源导入农村地区,助力乡村振兴,让群众学科学、爱科学、用科学。",
            kind="volunteer",
            format="onsite",
            venue="红旗区关堤乡",
            starts_at=at(2023, 5, 25, 9),
            ends_at=at(2023, 5, 25, 12),
            audiences=["farmers", "elders"],
            topics=["rural", "health"],
        )

    def upcoming_week(self):
        """The next Xinxiang week, open for sign-up, so the demo can be used end to end."""
        c = self.campaign(
            "xinxiang-st-week-2027",
            actor=self.people["xx_admin"],
            organiser=self.orgs["xinxiang"],
            title="2027年新乡市科技活动周",
            theme="热爱科学 崇尚科学",
            starts_on=dt.date(2027, 5, 20),
            ends_on=dt.date(2027, 5, 31),
            description="延续科技活动周品牌,组织科技工作者深入田间地头、厂矿企业、社区农村、中小学校。",
            register_by=at(2027, 5, 19, 23, 59),
            results_by=at(2027, 6, 5, 23, 59),
            summary_by=at(2027, 6, 5, 23, 59),
        )
        campaign_services.set_target(
            c, actor=self.people["xx_admin"], level="county", min_key_activities=10
        )
        rows = [
            (
                "科学之夜:走进新乡市科技馆",
                "open_day",
                "onsite",
                "新乡市科技馆",
                20,
                19,
                30,
                ["youth", "parents"],
                ["innovation"],
            ),
            (
                "礼赞科学家主题宣讲",
                "lecture",
                "onsite",
                "新乡医学院图书馆报告厅",
                21,
                15,
                200,
                ["scientists", "youth"],
                ["scientists"],
            ),
            (
                "人工智能与编程体验营",
                "training",
                "hybrid",
                "红旗区实验小学创客教室",
                22,
                9,
                2,
                ["youth"],
                ["innovation"],
            ),
            (
                "农业科技周:小麦高产技术田间课堂",
                "training",
                "onsite",
                "红旗区关堤乡示范田",
                23,
                8,
                60,
                ["farmers"],
                ["rural"],
            ),
            (
                "老年人防诈骗与健康用药讲座",
                "lecture",
                "onsite",
                "红旗区渠东街道社区服务中心",
                24,
                9,
                80,
                ["elders"],
                ["health"],
            ),
            (
                "云上科技馆:航天科普直播",
                "cloud_visit",
                "online",
                "",
                25,
                20,
                None,
                ["youth", "community"],
                ["aerospace"],
            ),
        ]
        for title, kind, fmt, venue, day, hour, capacity, aud, top in rows:
            org, who = ("xx_museum", "xx_reporter")
            self.activity(
                c,
                org,
                who,
                title=title,
                description=f"{title}。欢迎报名参加,名额有限,报满后可进入候补名单。",
                kind=kind,
                format=fmt,
                venue=venue,
                online_url="https://live.example.org/xinxiang" if fmt != "onsite" else "",
                starts_at=at(2027, 5, day, hour),
                ends_at=at(2027, 5, day, hour + 2),
                capacity=capacity,
                signup_required=capacity is not None,
                audiences=aud,
                topics=top,
                is_key=True,
                contact_name="刘涟",
                contact_phone="03735828882",
            )
        self.activity(
            c,
            "xx_museum",
            "xx_reporter",
            status="draft",
            title="科普微视频展映(草稿)",
            description="优秀科普微视频展映。",
            kind="exhibition",
            format="onsite",
            venue="新乡市科技馆一楼",
            starts_at=at(2027, 5, 27, 10),
            ends_at=at(2027, 5, 27, 16),
        )
        full = Activity.objects.get(campaign=c, title="人工智能与编程体验营")
        if not full.registrations.exists():
            for key in ("public", "elder", "admin"):
                user = self.people[key]
                services.register_for_activity(
                    full.pk, user=user, name=user.name, phone=user.phone or "", consent=True
                )

    def yongzhou(self):
        c = self.campaign(
            "yongzhou-epidemic-outreach-2022",
            actor=self.people["yz_admin"],
            organiser=self.orgs["yongzhou"],
            title="永州市科普助力防疫抗疫系列活动",
            theme="科学防疫 应急科普 志愿服务",
            starts_on=dt.date(2022, 3, 21),
            ends_on=dt.date(2022, 4, 30),
            description=(
                "团结带领广大科技工作者和科普志愿者,全力做好科学防疫、应急科普、志愿服务等工作。"
                "不听谣、不传谣,实事求是,科学解释。"
            ),
        )
        rows = [
            (
                "yz_college",
                "“科普在线”青少年科学大讲堂",
                "online_course",
                "online",
                25,
                "面向全市中小学线上推送科学大讲堂资源包和内容库,邀请科普专家线上与中小学生互动交流。",
                ["youth", "parents"],
                ["epidemic", "health"],
            ),
            (
                "yz_museum",
                "云上游馆和云体验:永州市科技馆线上展厅",
                "cloud_visit",
                "online",
                28,
                "在按要求关闭科技场馆期间推出“云上游馆和云体验”系列活动,开展线上防疫抗疫科普宣传。",
                ["youth", "community"],
                ["epidemic"],
            ),
            (
                "yz_medsoc",
                "科学防护、疫苗接种与核酸检测知识宣传",
                "live_stream",
                "online",
                30,
                "围绕科学防护、疫苗接种、核酸检测等主题,持续发布疫情防控科普信息。",
                ["community", "elders"],
                ["epidemic", "health"],
            ),
        ]
        for org, title, kind, fmt, day, desc, aud, top in rows:
            self.activity(
                c,
                org,
                "yz_admin",
                status="finished",
                title=title,
                description=desc,
                kind=kind,
                format=fmt,
                online_url="https://live.example.org/yongzhou",
                starts_at=at(2022, 3, day, 15),
                ends_at=at(2022, 3, day, 17),
                audiences=aud,
                topics=top,
            )

    def vietnam(self):
        c = self.campaign(
            "vn-covid-safe-area-2021",
            actor=self.people["vn_admin"],
            organiser=self.orgs["vn_dost"],
            title="Phong trào “Toàn dân tham gia xây dựng địa bàn an toàn trong phòng, chống COVID-19”",
            theme="Toàn dân tham gia xây dựng địa bàn an toàn",
            starts_on=dt.date(2021, 8, 12),
            ends_on=dt.date(2021, 12, 31),
            time_zone="Asia/Ho_Chi_Minh",
            language="vi",
            description=(
                "Thực hiện Kế hoạch số 1053/SKHCN-VP ngày 11/8/2021 của Sở Khoa học và Công nghệ. "
                "Tuyên truyền, phổ biến, vận động công chức, viên chức, người lao động và Nhân dân "
                "nhận thức đúng đắn về tính chất, mức độ nguy hiểm của dịch bệnh COVID-19."
            ),
        )
        rows = [
            (
                "vn_office",
                "Lễ phát động Phong trào (Hội nghị trực tuyến qua Zoom)",
                "live_stream",
                "online",
                12,
                14,
                "Sở KH&CN tổ chức Lễ phát động bằng hình thức Hội nghị trực tuyến.",
                ["officials"],
                ["epidemic"],
            ),
            (
                "vn_office",
                "Tuyên truyền phòng, chống dịch COVID-19 trên trang thông tin điện tử",
                "online_course",
                "online",
                16,
                8,
                "Mở chuyên mục tuyên truyền về các mô hình, điển hình tiên tiến trong phòng, chống dịch.",
                ["community"],
                ["epidemic", "health"],
            ),
            (
                "vn_union",
                "Quyên góp, ủng hộ phòng, chống dịch “tương thân, tương ái”",
                "volunteer",
                "onsite",
                20,
                8,
                "Kêu gọi tinh thần “tương thân, tương ái”, “nhường cơm, xẻ áo”.",
                ["workers", "community"],
                ["epidemic"],
            ),
        ]
        for org, title, kind, fmt, day, hour, desc, aud, top in rows:
            self.activity(
                c,
                org,
                "vn_admin",
                status="finished",
                title=title,
                description=desc,
                kind=kind,
                format=fmt,
                venue="Trụ sở Sở Khoa học và Công nghệ" if fmt == "onsite" else "",
                online_url="https://zoom.example.org/kepu" if fmt != "onsite" else "",
                starts_at=at(2021, 8, day, hour, tz=VN),
                ends_at=at(2021, 8, day, hour + 2, tz=VN),
                audiences=aud,
                topics=top,
            )


LOGINS = [
    ("admin", "administrator of 中卫市科学技术协会 (city)"),
    ("coordinator", "coordinator of 沙坡头区科学技术局 (county)"),
    ("reviewer", "reviewer of 沙坡头区科学技术局 (county)"),
    ("reporter", "reporter of 中卫市沙坡头区第十一小学 (unit)"),
    ("xx_admin", "administrator of 新乡市科学技术局 (city)"),
    ("yz_admin", "administrator of 永州市科学技术协会 (city; the epidemic-knowledge quiz)"),
    ("vn_admin", "administrator of Sở Khoa học và Công nghệ (Vietnamese)"),
    ("public", "a member of the public"),
    ("elder", "a member of the public with elder mode on"),
]


@transaction.atomic
def build_demo(out=print) -> Demo:
    demo = Demo(out)
    demo.build()
    return demo
