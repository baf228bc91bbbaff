# ruff: noqa: E501 - seed texts quoted whole
"""Demo quizzes from seed 003: "组织开展了防疫知识网上有奖竞答,累计16万余人次参加" — an
epidemic-knowledge prize quiz on the epidemic outreach campaign, and a short Vietnamese quiz on
the Vietnamese COVID-safe campaign. Built through the services; running it again changes
nothing. Called from ``manage.py seed_demo`` with the activities demo's people and places."""

import datetime as dt

from django.utils import timezone

from kepu.campaigns.models import Campaign

from . import services, taking
from .models import Attempt, PrizeDraw, Question, Quiz

# (topic, difficulty, kind, stem, options, correct positions, explanation)
ZH = [
    ("传播途径", 1, "single", "新型冠状病毒的主要传播途径是？",
     ["经呼吸道飞沫和密切接触传播", "经蚊虫叮咬传播", "经食物消化道传播为主", "经血液传播为主"], [0],
     "呼吸道飞沫和密切接触是主要传播途径，在相对封闭的环境中还可能经气溶胶传播。"),
    ("传播途径", 2, "truefalse", "在相对封闭的环境中长时间暴露于高浓度气溶胶，存在经气溶胶传播的可能。",
     [], [0], "因此室内要勤通风，人员密集的封闭场所要减少停留。"),
    ("个人防护", 1, "single", "用肥皂和流动水洗手，揉搓时间至少应为多久？",
     ["5秒", "10秒", "20秒", "1分钟以上才有效"], [2], "按“七步洗手法”揉搓双手至少20秒。"),
    ("个人防护", 1, "multiple", "以下哪些时候应当洗手？",
     ["咳嗽或打喷嚏用手遮掩后", "饭前便后", "外出回家后", "接触公共物品后"], [0, 1, 2, 3],
     "这些时刻手部最可能沾染病原体，都应及时洗手。"),
    ("个人防护", 1, "single", "佩戴一次性医用口罩时，哪一面朝外？",
     ["颜色深的一面", "颜色浅的一面", "哪面都可以", "有金属条的一面朝下"], [0],
     "深色面朝外，有金属鼻夹的一侧朝上并按压贴合鼻梁。"),
    ("个人防护", 2, "truefalse", "一次性医用口罩可以反复清洗后继续使用。",
     [], [1], "清洗会破坏口罩的过滤层，一次性口罩不应清洗重复使用。"),
    ("个人防护", 2, "single", "咳嗽、打喷嚏时，正确的做法是？",
     ["用双手捂住口鼻", "用纸巾或屈肘遮掩口鼻", "对着地面", "无需遮掩"], [1],
     "用纸巾或屈肘遮掩，避免飞沫喷溅，用过的纸巾丢入有盖垃圾桶。"),
    ("个人防护", 1, "single", "在公共场所与他人交流时，建议保持的社交距离至少是？",
     ["0.3米", "0.5米", "1米", "不需要距离"], [2], "保持1米以上社交距离可降低飞沫传播风险。"),
    ("消毒常识", 2, "single", "家庭日常消毒常用的含氯消毒剂是？",
     ["84消毒液", "食用白醋", "花露水", "淡盐水"], [0], "84消毒液按说明稀释后可用于物体表面消毒。"),
    ("消毒常识", 2, "truefalse", "84消毒液与洁厕灵混合使用，消毒效果更好。",
     [], [1], "二者混合会产生有毒的氯气，严禁混用。"),
    ("消毒常识", 2, "single", "75%酒精消毒时应特别注意什么？",
     ["可大面积喷洒", "远离火源，防止燃烧", "可以口服预防", "加热后效果更好"], [1],
     "酒精易燃，应擦拭使用，避免大面积喷洒，远离明火。"),
    ("消毒常识", 3, "multiple", "下列哪些方法能够有效灭活新型冠状病毒？",
     ["56℃加热30分钟", "75%乙醇", "含氯消毒剂", "氯己定（洗必泰）"], [0, 1, 2],
     "病毒对紫外线和热敏感；氯己定不能有效灭活病毒。"),
    ("症状与就医", 1, "multiple", "新冠肺炎的常见症状有哪些？",
     ["发热", "干咳", "乏力", "皮肤瘙痒"], [0, 1, 2], "以发热、干咳、乏力为主要表现。"),
    ("症状与就医", 2, "single", "出现发热、咳嗽等症状需要就医时，应当怎样做？",
     ["乘坐公共交通直接去医院", "佩戴口罩到就近发热门诊就诊", "自行服药不告诉任何人", "先去药店逛一逛"], [1],
     "就医途中全程佩戴口罩，尽量避免乘坐公共交通工具，主动告知接触史。"),
    ("症状与就医", 2, "truefalse", "抗生素可以有效预防和治疗新冠病毒感染。",
     [], [1], "抗生素针对细菌，对病毒无效，不可滥用。"),
    ("疫苗", 1, "single", "接种新冠疫苗后，应在接种点留观多长时间？",
     ["不需要留观", "5分钟", "30分钟", "3小时"], [2], "留观30分钟，以便及时处置可能出现的急性过敏反应。"),
    ("疫苗", 2, "truefalse", "接种疫苗后仍需坚持戴口罩、勤洗手等防护措施。",
     [], [0], "疫苗不能百分之百防止感染，个人防护仍然重要。"),
    ("科学辟谣", 2, "single", "关于“喝高度白酒能预防新冠病毒”的说法，正确的认识是？",
     ["可以预防", "是谣言，饮酒不能预防感染", "只对老人有效", "喝越多越有效"], [1],
     "不听谣、不传谣：饮酒不能杀灭体内病毒，过量饮酒还会损害健康。"),
    ("科学辟谣", 2, "truefalse", "熏醋、服用板蓝根可以预防新冠病毒感染。",
     [], [1], "没有科学证据支持熏醋、服用板蓝根能预防感染。"),
    ("居家防护", 1, "multiple", "居家期间，保持健康生活方式的做法有哪些？",
     ["每天开窗通风", "规律作息、适量运动", "均衡饮食", "长时间熬夜上网"], [0, 1, 2],
     "开窗通风每次不少于30分钟，保持规律作息和均衡营养可增强抵抗力。"),
    ("居家防护", 2, "single", "室内开窗通风，每天建议几次、每次多长时间？",
     ["每天1次，每次5分钟", "每天2到3次，每次不少于30分钟", "不需要通风", "只在晚上通风"], [1],
     "每日通风2到3次，每次不少于30分钟，保持空气流通。"),
]  # fmt: skip

VI = [
    ("Phòng bệnh", 1, "single", "Theo khuyến cáo 5K, “K” nào là “Khử khuẩn”?",
     ["Rửa tay thường xuyên bằng xà phòng hoặc dung dịch sát khuẩn", "Khai báo y tế",
      "Không tụ tập", "Khoảng cách"], [0], "5K: Khẩu trang – Khử khuẩn – Khoảng cách – Không tụ tập – Khai báo y tế."),
    ("Phòng bệnh", 1, "truefalse", "Đeo khẩu trang nơi công cộng giúp giảm nguy cơ lây nhiễm COVID-19.",
     [], [0], "Khẩu trang ngăn giọt bắn từ đường hô hấp."),
    ("Phòng bệnh", 1, "single", "Nên giữ khoảng cách tối thiểu bao nhiêu khi tiếp xúc với người khác?",
     ["0,5 mét", "1 mét", "Không cần giữ khoảng cách", "10 mét"], [1], "Giữ khoảng cách tối thiểu 1 mét."),
    ("Triệu chứng", 2, "multiple", "Những triệu chứng thường gặp của COVID-19 là gì?",
     ["Sốt", "Ho khan", "Mệt mỏi", "Ngứa da"], [0, 1, 2], "Sốt, ho khan và mệt mỏi là các triệu chứng thường gặp."),
    ("Tin đồn", 2, "truefalse", "Uống rượu mạnh có thể phòng được COVID-19.",
     [], [1], "Đây là tin đồn thất thiệt: rượu không tiêu diệt được vi-rút trong cơ thể."),
    ("Tiêm chủng", 1, "single", "Sau khi tiêm vắc-xin, cần ở lại theo dõi tại điểm tiêm bao lâu?",
     ["Không cần", "30 phút", "5 phút", "3 giờ"], [1], "Theo dõi 30 phút để xử trí kịp thời phản ứng nếu có."),
]  # fmt: skip


def _bank(organisation, admin, rows, language: str) -> None:
    existing = set(
        Question.objects.filter(organisation=organisation, language=language).values_list(
            "stem", flat=True
        )
    )
    for topic, difficulty, kind, stem, options, correct, explanation in rows:
        if stem in existing:
            continue
        services.create_question(
            organisation,
            actor=admin,
            kind=kind,
            language=language,
            stem=stem,
            options=options,
            correct=correct,
            explanation=explanation,
            topic=topic,
            difficulty=difficulty,
        )


def _quiz(campaign: Campaign, admin, title: str, **fields) -> Quiz:
    quiz = Quiz.objects.filter(campaign=campaign, title=title).first()
    if quiz is not None:
        return quiz
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    quiz = services.create_quiz(
        campaign,
        actor=admin,
        title=title,
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=60),
        **fields,
    )
    return services.publish_quiz(quiz, actor=admin)


def build_quiz_demo(demo, out=print) -> list[Quiz]:
    """The demo quizzes (idempotent). ``demo`` is kepu.activities.demo's Demo, already built."""
    quizzes = []
    epidemic = Campaign.objects.filter(slug="yongzhou-epidemic-outreach-2022").first()
    if epidemic is not None:
        admin = demo.people["yz_admin"]
        _bank(epidemic.organiser, admin, ZH, "zh-hans")
        quiz = _quiz(
            epidemic,
            admin,
            "防疫知识网上有奖竞答",
            rules=(
                "每人限答一次，交卷后不能修改。共10道题，限时10分钟，计时以服务器为准。"
                "得分80分及以上者可参加抽奖；抽奖承诺值在竞答结束前公布，结束后公布种子，"
                "任何人都可以复核。"
            ),
            question_count=10,
            mix=[
                {"topic": "个人防护", "difficulty": None, "count": 3},
                {"topic": "消毒常识", "difficulty": None, "count": 2},
                {"topic": "", "difficulty": None, "count": 5},
            ],
            languages=["zh-hans"],
            time_limit_seconds=600,
            pass_mark=60,
            prize_threshold=80,
        )
        if not PrizeDraw.objects.filter(quiz=quiz).exists():
            services.commit_draw(quiz, actor=admin, winners_count=10)
        for key in ("public", "elder"):
            user = demo.people[key]
            if not Attempt.objects.filter(quiz=quiz, user=user).exists():
                attempt, _resumed = taking.start_attempt(quiz, user=user)
                keys = taking.answer_keys(attempt.question_ids())
                right = 8 if key == "public" else 6
                answers = {
                    str(q): list(keys[int(q)]) if n < right else [o[-1]]
                    for n, (q, o, _m) in enumerate(attempt.paper)
                }
                # As if they had taken a few minutes over it, as people do.
                minutes = 4 if key == "public" else 7
                attempt.started_at -= dt.timedelta(minutes=minutes)
                Attempt.objects.filter(pk=attempt.pk).update(started_at=attempt.started_at)
                taking.submit_attempt(attempt, user=user, answers=answers)
        quizzes.append(quiz)
    vietnam = Campaign.objects.filter(slug="vn-covid-safe-area-2021").first()
    if vietnam is not None:
        admin = demo.people["vn_admin"]
        _bank(vietnam.organiser, admin, VI, "vi")
        quizzes.append(
            _quiz(
                vietnam,
                admin,
                "Cuộc thi tìm hiểu phòng, chống COVID-19 (luyện tập)",
                rules=(
                    "Trả lời 5 câu hỏi, mỗi câu trong 30 giây; đã sang câu sau thì không quay "
                    "lại câu trước. Được thi nhiều lần, không tính điểm."
                ),
                question_count=5,
                languages=["vi"],
                seconds_per_question=30,
                is_practice=True,
                pass_mark=60,
            )
        )
    out(f"Quizzes: {', '.join(q.title for q in quizzes)}")
    return quizzes
