"""Generate the benchmark data set in its own PostgreSQL database, fast, with COPY.

    .venv/bin/python bench/generate.py              # 100,000 activities, 1,000,000 sign-ups
    .venv/bin/python bench/generate.py --scale 0.1  # a tenth of the activities and sign-ups
    .venv/bin/python bench/generate.py --force      # drop and build again

Each scale has its own database (kepu_bench_1_0, kepu_bench_0_1, …) on the server named by
KEPU_BENCH_PG (default postgresql://postgres@127.0.0.1:5432/postgres), so that runs at two scales
can be compared without rebuilding. A database that already holds the data of its scale (same
generator version) is kept as it is: the run is idempotent. Dates are relative to the day of
generation; a data set older than a week has its activity dates shifted forward on reuse.

The organisation and region trees keep their size at every scale (they are the country, not the
traffic); activities, sign-ups and people scale. Rows are written with treebeard's
materialised-path conventions (steplen 4, alphabet 0-9A-Z, depth from 1) and search_text is
folded with kepu.core.text.fold exactly as Activity.refresh_search_text does.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import hashlib
import hmac
import json
import os
import random
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kepu.activities.labels import AUDIENCES, TOPICS  # noqa: E402
from kepu.core.text import fold  # noqa: E402

GENERATOR_VERSION = 4
ADMIN_URL = os.environ.get("KEPU_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
META_TABLE = "kepu_bench_meta"
TOKEN_SEED = b"kepu-bench-tokens-not-a-secret"

FULL_ACTIVITIES = 100_000
FULL_REGISTRATIONS = 1_000_000
FULL_USERS = 200_000
MIN_USERS = 60_000  # enough distinct people for a sign-up burst at any scale
FIXTURE_TICKETS = 40_000  # confirmed tickets of the check-in activity, one per check-in request
SIGNUP_TOKENS = 40_000  # people with an API token for the sign-up burst

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # treebeard MP_Node default
STEPLEN = 4
TICKET_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # as kepu.activities.models.new_ticket_code


def db_name(scale: float) -> str:
    return (
        "kepu_bench_"
        + f"{scale:g}".replace(".", "_").replace("-", "_")
        + ("_0" if float(scale).is_integer() else "")
    )


def db_url(scale: float) -> str:
    base = ADMIN_URL.rsplit("/", 1)[0]
    return f"{base}/{db_name(scale)}"


def step(n: int) -> str:
    """The n-th (1-based) path step: 0001, 0002, … 000A … in base 36."""
    out = ""
    while n:
        n, r = divmod(n, 36)
        out = ALPHABET[r] + out
    return out.rjust(STEPLEN, "0")


def ticket_code(index: int) -> str:
    """A unique ten-character code: a bijection of the index on 50 bits, in the ticket alphabet."""
    x = (index * 0x9E3779B97F4A7 + 0x5DEECE66D) % (1 << 50)
    chars = []
    for _ in range(10):
        x, r = divmod(x, 32)
        chars.append(TICKET_ALPHABET[r])
    return "".join(chars)


def token_key(user_id: int) -> str:
    """The API token of a bench person, derived, so that the key file can always be rebuilt."""
    digest = hmac.new(TOKEN_SEED, f"user:{user_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def token_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()  # as ApiToken.hash


# --- vocabulary -------------------------------------------------------------------------------

CN_PROVINCES = [
    ("11", "北京市"),
    ("12", "天津市"),
    ("13", "河北省"),
    ("14", "山西省"),
    ("15", "内蒙古自治区"),
    ("21", "辽宁省"),
    ("22", "吉林省"),
    ("23", "黑龙江省"),
    ("31", "上海市"),
    ("32", "江苏省"),
    ("33", "浙江省"),
    ("34", "安徽省"),
    ("35", "福建省"),
    ("36", "江西省"),
    ("37", "山东省"),
    ("41", "河南省"),
    ("42", "湖北省"),
    ("43", "湖南省"),
    ("44", "广东省"),
    ("45", "广西壮族自治区"),
    ("46", "海南省"),
    ("50", "重庆市"),
    ("51", "四川省"),
    ("52", "贵州省"),
    ("53", "云南省"),
    ("54", "西藏自治区"),
    ("61", "陕西省"),
    ("62", "甘肃省"),
    ("63", "青海省"),
    ("64", "宁夏回族自治区"),
    ("65", "新疆维吾尔自治区"),
]
# Real places from the seeds come first in their province.
CN_REAL = {
    "64": [("中卫市", ["沙坡头区", "中宁县", "海原县"])],
    "41": [("新乡市", ["红旗区", "卫滨区"])],
    "43": [("永州市", ["零陵区", "冷水滩区"])],
}
VN_PROVINCES = [
    ("01", "Thành phố Hà Nội"),
    ("79", "Thành phố Hồ Chí Minh"),
    ("31", "Thành phố Hải Phòng"),
    ("48", "Thành phố Đà Nẵng"),
    ("92", "Thành phố Cần Thơ"),
    ("22", "Tỉnh Quảng Ninh"),
    ("38", "Tỉnh Thanh Hóa"),
    ("40", "Tỉnh Nghệ An"),
    ("46", "Tỉnh Thừa Thiên Huế"),
    ("56", "Tỉnh Khánh Hòa"),
]
CN_SYL = list("安宁平长新永兴华东西南北中江河山阳城德昌武清丰泰和顺广福临海云湖溪林石")
VN_SYL = [
    "An",
    "Bình",
    "Phú",
    "Thạnh",
    "Long",
    "Hòa",
    "Tân",
    "Đông",
    "Mỹ",
    "Phước",
    "Hưng",
    "Thuận",
    "Lộc",
    "Quang",
    "Trung",
    "Sơn",
    "Hải",
    "Đức",
    "Nghĩa",
    "Việt",
]
CN_UNITS = [
    ("科学技术协会", "association"),
    ("第一中学", "school"),
    ("第十一小学", "school"),
    ("人民医院", "department"),
    ("科技馆", "base"),
    ("气象局", "department"),
    ("农业技术推广中心", "department"),
    ("图书馆", "base"),
    ("职业技术学院", "university"),
    ("城关社区", "community"),
    ("电力公司", "company"),
    ("医学会", "society"),
]
VN_UNITS = [
    ("Hội Nông dân", "association"),
    ("Trường THCS", "school"),
    ("Trạm Y tế", "department"),
    ("Đoàn Thanh niên", "community"),
    ("Trung tâm Văn hóa", "base"),
    ("Hội Liên hiệp Phụ nữ", "association"),
    ("Trường Tiểu học", "school"),
]

CN_TOPICS = [
    "防震减灾",
    "节约用水",
    "垃圾分类",
    "碳达峰碳中和",
    "航空航天",
    "人工智能",
    "食品安全",
    "心肺复苏",
    "防范电信诈骗",
    "疫情防控",
    "合理膳食",
    "青少年近视防控",
    "农业科技",
    "智慧养老",
    "气象灾害防御",
    "消防安全",
    "科学家精神",
    "湿地保护",
    "生物多样性",
    "中医药文化",
    "网络安全",
    "新能源汽车",
    "量子科技",
    "乡村振兴",
    "应急避险",
    "健康生活方式",
    "防溺水",
    "天文观测",
    "机器人",
    "数字素养",
]
CN_KIND_WORDS = {
    "lecture": ["科普讲座", "专家报告会", "科普大讲堂"],
    "exhibition": ["科普展览", "主题展", "科普展"],
    "open_day": ["开放日", "公众开放日"],
    "competition": ["知识竞赛", "科技创新大赛", "知识问答"],
    "training": ["技能培训", "实用技术培训"],
    "volunteer": ["科技志愿服务", "科普志愿服务"],
    "live_stream": ["科普直播", "网络直播"],
    "online_course": ["网上课堂", "线上科普课"],
    "cloud_visit": ["云参观", "云上展厅"],
}
CN_PATTERNS = [
    "{topic}{kind}",
    "“{topic}”{kind}走进{place}",
    "{place}{topic}{kind}",
    "{year}年科普日{topic}{kind}",
    "{topic}主题{kind}",
]
CN_VENUES = [
    "第十一小学",
    "科技馆报告厅",
    "社区文化活动中心",
    "新时代文明实践站",
    "人民广场",
    "图书馆多功能厅",
    "农业示范园",
    "青少年活动中心",
    "老年大学",
]
CN_DESCR = [
    "本次活动邀请专家围绕{topic}开展科学普及,现场设有互动体验、知识问答和展板展示。",
    "面向{audience}普及{topic}知识,传播科学思想,弘扬科学精神,提高公众科学素质。",
    "活动由{org}主办,内容包括{topic}专题报告、动手实践和科普资料发放,欢迎市民参加。",
]
VN_TOPICS = [
    "phòng, chống dịch COVID-19",
    "phòng chống thiên tai",
    "tiết kiệm nước",
    "an toàn giao thông",
    "chuyển đổi số",
    "nông nghiệp công nghệ cao",
    "bảo vệ môi trường",
    "an toàn thực phẩm",
    "sơ cấp cứu",
    "phòng cháy, chữa cháy",
    "dinh dưỡng hợp lý",
    "phòng chống đuối nước",
    "khoa học vũ trụ",
    "trí tuệ nhân tạo",
]
VN_KIND_WORDS = {
    "lecture": ["Tọa đàm", "Báo cáo chuyên đề"],
    "exhibition": ["Triển lãm"],
    "open_day": ["Ngày hội mở cửa"],
    "competition": ["Cuộc thi tìm hiểu"],
    "training": ["Tập huấn"],
    "volunteer": ["Tình nguyện"],
    "live_stream": ["Phát trực tiếp"],
    "online_course": ["Lớp học trực tuyến"],
    "cloud_visit": ["Tham quan trực tuyến"],
}
VN_DESCR = [
    "Hoạt động tuyên truyền về {topic} cho {audience}, có chuyên gia giải đáp và phát tài liệu.",
    "Chương trình do {org} tổ chức nhằm nâng cao hiểu biết của người dân về {topic}.",
]
CN_SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董")
CN_GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红")
VN_NAMES = [
    "Nguyễn Văn An",
    "Trần Thị Bình",
    "Lê Văn Cường",
    "Phạm Thị Dung",
    "Hoàng Văn Em",
    "Vũ Thị Hoa",
    "Đặng Văn Hùng",
    "Bùi Thị Lan",
    "Đỗ Văn Minh",
    "Ngô Thị Ngọc",
]
KINDS = list(CN_KIND_WORDS)
ONLINE_KINDS = {"live_stream", "online_course", "cloud_visit"}


# --- the plan ---------------------------------------------------------------------------------


@dataclass
class Node:
    id: int
    path: str
    name: str
    parent: Node | None = None
    children: list[Node] = field(default_factory=list)
    code: str = ""
    level: str = ""
    kind: str = ""
    region: Node | None = None
    country: str = "cn"


def build_trees(rng: random.Random) -> tuple[list[Node], list[Node]]:
    """Regions (province → city → county) and organisations (national → … → unit)."""
    regions: list[Node] = []
    orgs: list[Node] = []

    def add(store, parent, **kw) -> Node:
        index = (
            len(parent.children) + 1 if parent else sum(1 for n in store if n.parent is None) + 1
        )
        node = Node(
            id=len(store) + 1,
            path=(parent.path if parent else "") + step(index),
            parent=parent,
            **kw,
        )
        store.append(node)
        if parent:
            parent.children.append(node)
        return node

    national = {
        "cn": add(orgs, None, name="中国科学技术协会", level="national", kind="association"),
        "vn": add(
            orgs,
            None,
            name="Liên hiệp các Hội Khoa học và Kỹ thuật Việt Nam",
            level="national",
            kind="association",
            country="vn",
        ),
    }
    for country, provinces in (("cn", CN_PROVINCES), ("vn", VN_PROVINCES)):
        for pcode, pname in provinces:
            province = add(
                regions, None, name=pname, code=f"{country.upper()}{pcode}", country=country
            )
            if country == "cn":
                porg = add(
                    orgs,
                    national["cn"],
                    name=f"{pname}科学技术协会",
                    level="province",
                    kind="association",
                    region=province,
                )
            else:
                porg = add(
                    orgs,
                    national["vn"],
                    name=f"Liên hiệp các Hội KH&KT {pname}",
                    level="province",
                    kind="association",
                    region=province,
                    country="vn",
                )
            porg.code = province.code
            real = CN_REAL.get(pcode, []) if country == "cn" else []
            for ci in range(6):
                if ci < len(real):
                    cname, counties = real[ci]
                elif country == "cn":
                    cname, counties = "".join(rng.sample(CN_SYL, 2)) + "市", []
                else:
                    cname, counties = "Thành phố " + " ".join(rng.sample(VN_SYL, 2)), []
                city = add(
                    regions,
                    province,
                    name=cname,
                    code=f"{province.code}-{ci + 1:02d}",
                    country=country,
                )
                corg = add(
                    orgs,
                    porg,
                    name=(
                        f"{cname}科学技术协会"
                        if country == "cn"
                        else f"Liên hiệp các Hội KH&KT {cname}"
                    ),
                    level="city",
                    kind="association",
                    region=city,
                    country=country,
                )
                for ki in range(6):
                    if ki < len(counties):
                        kname = counties[ki]
                    elif country == "cn":
                        kname = "".join(rng.sample(CN_SYL, 2)) + rng.choice(["县", "区"])
                    else:
                        kname = rng.choice(["Huyện ", "Quận "]) + " ".join(rng.sample(VN_SYL, 2))
                    county = add(
                        regions, city, name=kname, code=f"{city.code}-{ki + 1:02d}", country=country
                    )
                    korg = add(
                        orgs,
                        corg,
                        name=(f"{kname}科学技术协会" if country == "cn" else f"Hội KH&KT {kname}"),
                        level="county",
                        kind="association",
                        region=county,
                        country=country,
                    )
                    units = CN_UNITS if country == "cn" else VN_UNITS
                    for suffix, kind in rng.sample(units, 5):
                        name = f"{kname}{suffix}" if country == "cn" else f"{suffix} {kname}"
                        add(
                            orgs,
                            korg,
                            name=name,
                            level="unit",
                            kind=kind,
                            region=county,
                            country=country,
                        )
    return regions, orgs


@dataclass
class Sizes:
    activities: int
    registrations: int
    users: int

    @classmethod
    def of(cls, scale: float) -> Sizes:
        return cls(
            activities=max(int(FULL_ACTIVITIES * scale), 1000),
            registrations=max(int(FULL_REGISTRATIONS * scale), FIXTURE_TICKETS + 10_000),
            users=max(int(FULL_USERS * scale), MIN_USERS),
        )


def person_name(rng: random.Random, country: str) -> str:
    if country == "vn":
        return rng.choice(VN_NAMES)
    return rng.choice(CN_SURNAMES) + "".join(rng.choices(CN_GIVEN, k=rng.choice((1, 2))))


def phone_of(user_id: int) -> str:
    return f"1{'3578'[user_id % 4]}{user_id:09d}"


# --- writing ----------------------------------------------------------------------------------


def log(msg: str) -> None:
    print(f"[generate {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def copy_rows(cur, table: str, columns: list[str], rows) -> int:
    stmt = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    n = 0
    with cur.copy(stmt) as copy:
        for row in rows:
            copy.write_row(row)
            n += 1
    return n


def read_meta(url: str) -> dict | None:
    try:
        with psycopg.connect(url, connect_timeout=5) as conn:
            row = conn.execute("SELECT v FROM kepu_bench_meta WHERE k = 'dataset'").fetchone()
            return row[0] if row else None
    except psycopg.Error:
        return None


def create_database(name: str) -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
            "AND pid <> pg_backend_pid()",
            (name,),
        )
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def migrate(url: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "KEPU_PRODUCTION": "", "REDIS_URL": ""}
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )


def generate(scale: float) -> dict:
    rng = random.Random(20260917)
    sizes = Sizes.of(scale)
    name, url = db_name(scale), db_url(scale)
    t0 = time.monotonic()
    log(
        f"scale {scale:g} → database {name}: {sizes.activities:,} activities, "
        f"{sizes.registrations:,} sign-ups, {sizes.users:,} people"
    )
    create_database(name)
    migrate(url)
    log("migrated")
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    regions, orgs = build_trees(rng)
    units = [o for o in orgs if o.level == "unit"]
    counties = [o for o in orgs if o.level == "county"]

    with psycopg.connect(url) as conn, conn.cursor() as cur:
        cur.execute("SET synchronous_commit = off")
        # --- trees ---
        copy_rows(
            cur,
            "organisations_region",
            ["id", "path", "depth", "numchild", "code", "name"],
            (
                (r.id, r.path, len(r.path) // STEPLEN, len(r.children), r.code, r.name)
                for r in regions
            ),
        )
        copy_rows(
            cur,
            "organisations_organisation",
            [
                "id",
                "path",
                "depth",
                "numchild",
                "name",
                "short_name",
                "kind",
                "level",
                "contact_phone",
                "region_id",
            ],
            (
                (
                    o.id,
                    o.path,
                    len(o.path) // STEPLEN,
                    len(o.children),
                    o.name[:200],
                    "",
                    o.kind,
                    o.level,
                    f"0951-{o.id:07d}",
                    o.region.id if o.region else None,
                )
                for o in orgs
            ),
        )
        log(f"{len(regions):,} regions, {len(orgs):,} organisations")

        # --- people ---
        def users():
            for uid in range(1, sizes.users + 1):
                yield (
                    uid,
                    "!bench-unusable",
                    None,
                    False,
                    phone_of(uid),
                    None,
                    _user_name(uid),
                    "",
                    False,
                    True,
                    False,
                    now - dt.timedelta(days=uid % 700),
                )

        copy_rows(
            cur,
            "accounts_user",
            [
                "id",
                "password",
                "last_login",
                "is_superuser",
                "phone",
                "email",
                "name",
                "language",
                "elder_mode",
                "is_active",
                "is_staff",
                "date_joined",
            ],
            users(),
        )
        staff_id = sizes.users + 1
        cur.execute(
            "INSERT INTO accounts_user (id, password, is_superuser, phone, email, name, language,"
            " elder_mode, is_active, is_staff, date_joined) VALUES (%s, '!bench', false, NULL,"
            " 'bench-staff@example.invalid', '签到员', '', false, true, false, %s)",
            (staff_id, now),
        )
        log(f"{sizes.users + 1:,} people")

        # --- labels, campaigns, joint actions ---
        for table, rows in (("activities_audience", AUDIENCES), ("activities_topic", TOPICS)):
            copy_rows(
                cur,
                table,
                ["id", "slug", "name_zh_hans", "name_zh_hant", "name_vi", "name_en"],
                ((i + 1, *row) for i, row in enumerate(rows)),
            )
        starts_on, ends_on = (
            (now - dt.timedelta(days=400)).date(),
            (now + dt.timedelta(days=200)).date(),
        )
        campaigns = []  # (id, organiser, parent id, lineage, title, slug, tz, language)
        roots = {}
        for country, org in (("cn", orgs[0]), ("vn", orgs[1])):
            cid = len(campaigns) + 1
            title = "全国科普日" if country == "cn" else "Phong trào khoa học vì cộng đồng"
            campaigns.append(
                (
                    cid,
                    org.id,
                    None,
                    f"/{cid}/",
                    title,
                    f"bench-{country}",
                    "Asia/Shanghai" if country == "cn" else "Asia/Ho_Chi_Minh",
                    "zh-hans" if country == "cn" else "vi",
                )
            )
            roots[country] = cid
        province_campaign = {}
        for porg in (o for o in orgs if o.level == "province"):
            cid = len(campaigns) + 1
            root = roots[porg.country]
            title = (
                f"{porg.region.name}全国科普日活动"
                if porg.country == "cn"
                else f"Phong trào khoa học {porg.region.name}"
            )
            campaigns.append(
                (
                    cid,
                    porg.id,
                    root,
                    f"/{root}/{cid}/",
                    title,
                    f"bench-{porg.code.lower()}",
                    campaigns[root - 1][6],
                    campaigns[root - 1][7],
                )
            )
            province_campaign[porg.id] = cid
        copy_rows(
            cur,
            "campaigns_campaign",
            [
                "id",
                "created_at",
                "updated_at",
                "lineage",
                "title",
                "theme",
                "slug",
                "starts_on",
                "ends_on",
                "time_zone",
                "language",
                "description",
                "participation",
                "is_public",
                "organiser_id",
                "parent_id",
            ],
            (
                (
                    c[0],
                    now,
                    now,
                    c[3],
                    c[4],
                    "百年再出发,迈向高水平科技自立自强" if c[2] is None else "",
                    c[5],
                    starts_on,
                    ends_on,
                    c[6],
                    c[7],
                    "",
                    "subtree",
                    True,
                    c[1],
                    c[2],
                )
                for c in campaigns
            ),
        )
        actions = {"cn": [], "vn": []}
        rows = []
        for country, n in (("cn", 10), ("vn", 5)):
            for i in range(n):
                aid = len(rows) + 1
                topic = CN_TOPICS[i] if country == "cn" else VN_TOPICS[i]
                title = f"{topic}科普联合行动" if country == "cn" else f"Hành động chung về {topic}"
                rows.append((aid, i + 1, title, "", "", roots[country], None))
                actions[country].append(aid)
        copy_rows(
            cur,
            "campaigns_jointaction",
            [
                "id",
                "number",
                "title",
                "description",
                "lead_unit_name",
                "campaign_id",
                "lead_unit_id",
            ],
            rows,
        )
        log(f"{len(campaigns)} campaigns, {len(rows)} joint actions")

        # --- activities (planned first: the sign-up counters go into the activity rows) ---
        n_act = sizes.activities
        plan = []
        for aid in range(1, n_act + 1):
            org = rng.choice(units) if rng.random() < 0.85 else rng.choice(counties)
            starts = now + dt.timedelta(minutes=rng.randrange(-365 * 24 * 60, 180 * 24 * 60))
            starts = starts.replace(minute=(starts.minute // 30) * 30, second=0)
            ends = starts + dt.timedelta(hours=rng.choice((1, 2, 2, 3, 4, 8)))
            if ends < now:
                status = rng.choices(["finished", "published", "cancelled"], [85, 10, 5])[0]
            else:
                status = rng.choices(
                    ["published", "draft", "submitted", "approved", "returned"], [80, 7, 7, 3, 3]
                )[0]
            signup = status in ("published", "finished") and rng.random() < 0.6
            plan.append([aid, org, starts, ends, status, signup, 0])
        # Fixture activities: a sign-up burst target and a check-in desk, both upcoming.
        burst_id, checkin_id = n_act + 1, n_act + 2
        fixture_org = units[0]
        plan.append(
            [
                burst_id,
                fixture_org,
                now + dt.timedelta(days=30),
                now + dt.timedelta(days=30, hours=2),
                "published",
                True,
                0,
            ]
        )
        plan.append(
            [
                checkin_id,
                fixture_org,
                now + dt.timedelta(hours=1),
                now + dt.timedelta(hours=5),
                "published",
                True,
                FIXTURE_TICKETS,
            ]
        )
        signup_ids = [p[0] for p in plan[:n_act] if p[5]]
        rest = sizes.registrations - FIXTURE_TICKETS
        weights = [rng.random() ** 2 + 0.05 for _ in signup_ids]
        total_w = sum(weights)
        by_id = {p[0]: p for p in plan}
        given = 0
        for aid, w in zip(signup_ids, weights, strict=True):
            n = min(int(w / total_w * rest), sizes.users)
            by_id[aid][6] = n
            given += n
        for aid in rng.sample(signup_ids, min(rest - given, len(signup_ids))):
            by_id[aid][6] += 1

        def activity_rows():
            for aid, org, starts, ends, status, signup, n_regs in plan:
                country = org.country
                kind = rng.choice(KINDS)
                fmt = (
                    "online"
                    if kind in ONLINE_KINDS
                    else rng.choices(["onsite", "hybrid"], [85, 15])[0]
                )
                county = org.region
                topic_i = rng.randrange(len(CN_TOPICS if country == "cn" else VN_TOPICS))
                if country == "cn":
                    topic = CN_TOPICS[topic_i]
                    title = rng.choice(CN_PATTERNS).format(
                        topic=topic,
                        kind=rng.choice(CN_KIND_WORDS[kind]),
                        place=county.name,
                        year=starts.year,
                    )
                    venue = f"{county.name}{rng.choice(CN_VENUES)}" if fmt != "online" else ""
                    descr = " ".join(
                        t.format(topic=topic, audience=rng.choice(AUDIENCES)[1], org=org.name)
                        for t in rng.sample(CN_DESCR, 2)
                    )
                else:
                    topic = VN_TOPICS[topic_i]
                    title = f"{rng.choice(VN_KIND_WORDS[kind])} {topic} tại {county.name}"
                    venue = f"Nhà văn hóa {county.name}" if fmt != "online" else ""
                    descr = " ".join(
                        t.format(topic=topic, audience=rng.choice(AUDIENCES)[3], org=org.name)
                        for t in VN_DESCR
                    )
                if aid == burst_id:
                    title = "科普日重点活动:报名压力测试讲座"
                elif aid == checkin_id:
                    title = "科普日重点活动:签到压力测试讲座"
                capacity = None
                confirmed = waitlisted = 0
                if signup:
                    capacity = (
                        None
                        if aid == checkin_id
                        else 5000
                        if aid == burst_id
                        else max(rng.choice((30, 50, 80, 100, 200, 300)), int(n_regs * 0.9))
                    )
                    if aid == checkin_id:
                        confirmed = n_regs
                    elif aid != burst_id:
                        active = n_regs - n_regs // 25  # about 4 % cancelled
                        confirmed = active if capacity is None else min(active, capacity)
                        waitlisted = active - confirmed
                    by_id[aid].append((confirmed, waitlisted))
                online_url = f"https://live.example.cn/a/{aid}" if fmt != "onsite" else ""
                search = fold(
                    " ".join(p for p in (title, descr, venue, org.name, county.name) if p)
                )
                created = starts - dt.timedelta(days=rng.randrange(7, 60))
                published = (
                    created + dt.timedelta(days=3)
                    if status in ("published", "finished", "cancelled")
                    else None
                )
                ja = rng.choice(actions[country]) if rng.random() < 0.4 else None
                yield (
                    aid,
                    created,
                    now,
                    title,
                    descr,
                    kind,
                    fmt,
                    venue,
                    online_url,
                    starts,
                    ends,
                    capacity,
                    signup,
                    rng.random() < 0.1,
                    person_name(rng, country),
                    f"139{aid:08d}",
                    status,
                    "",
                    None if status == "draft" else created + dt.timedelta(days=1),
                    False,
                    published,
                    confirmed,
                    waitlisted,
                    search,
                    province_campaign[_province_org(org).id],
                    None,
                    ja,
                    org.id,
                    county.id,
                )

        copy_rows(
            cur,
            "activities_activity",
            [
                "id",
                "created_at",
                "updated_at",
                "title",
                "description",
                "kind",
                "format",
                "venue",
                "online_url",
                "starts_at",
                "ends_at",
                "capacity",
                "signup_required",
                "is_key",
                "contact_name",
                "contact_phone",
                "status",
                "return_reason",
                "submitted_at",
                "is_late",
                "published_at",
                "confirmed_count",
                "waitlist_count",
                "search_text",
                "campaign_id",
                "created_by_id",
                "joint_action_id",
                "organisation_id",
                "region_id",
            ],
            activity_rows(),
        )
        log(f"{len(plan):,} activities")

        def labels(n_labels):
            for p in plan:
                for label in rng.sample(range(1, n_labels + 1), rng.choice((1, 1, 2))):
                    yield (p[0], label)

        copy_rows(
            cur,
            "activities_activity_audiences",
            ["activity_id", "audience_id"],
            labels(len(AUDIENCES)),
        )
        copy_rows(
            cur, "activities_activity_topics", ["activity_id", "topic_id"], labels(len(TOPICS))
        )
        log("audiences and topics")

        # --- sign-ups and check-ins ---
        checkins = []

        def registrations():
            rid = 0
            order = [by_id[checkin_id]] + [by_id[a] for a in signup_ids]
            for p in order:
                aid, _org, starts, _ends, status, _signup, n_regs = p[:7]
                confirmed, _waitlisted = p[7]
                first = 1 if aid == checkin_id else rng.randrange(1, sizes.users + 1)
                n_cancel = n_regs // 25 if aid != checkin_id else 0
                left = confirmed
                for k in range(n_regs):
                    rid += 1
                    uid = (first - 1 + k) % sizes.users + 1
                    created = starts - dt.timedelta(minutes=rng.randrange(60, 30 * 24 * 60))
                    if k < n_cancel:
                        state, cancelled = "cancelled", created + dt.timedelta(hours=5)
                    elif left > 0:
                        state, cancelled, left = "confirmed", None, left - 1
                    else:
                        state, cancelled = "waitlisted", None
                    minor = rng.random() < 0.03
                    yield (
                        rid,
                        created,
                        created,
                        state,
                        _user_name(uid),
                        phone_of(uid),
                        ticket_code(rid),
                        created,
                        minor,
                        "家长" if minor else "",
                        created if minor else None,
                        None,
                        cancelled,
                        aid,
                        uid,
                    )
                    if state == "confirmed" and status == "finished" and rng.random() < 0.6:
                        checkins.append(
                            (
                                _user_name(uid),
                                phone_of(uid),
                                rng.choice(("staff", "self")),
                                starts + dt.timedelta(minutes=rng.randrange(-20, 30)),
                                aid,
                                None,
                                uid,
                                rid,
                            )
                        )

        n = copy_rows(
            cur,
            "activities_registration",
            [
                "id",
                "created_at",
                "updated_at",
                "status",
                "name",
                "phone",
                "ticket_code",
                "consent_at",
                "is_minor",
                "guardian_name",
                "guardian_consent_at",
                "promoted_at",
                "cancelled_at",
                "activity_id",
                "user_id",
            ],
            registrations(),
        )
        log(f"{n:,} sign-ups")
        copy_rows(
            cur,
            "activities_checkin",
            ["name", "phone", "method", "at", "activity_id", "by_id", "user_id", "registration_id"],
            checkins,
        )
        log(f"{len(checkins):,} check-ins")

        # --- staff and API tokens for the write scenarios ---
        cur.execute(
            "INSERT INTO organisations_membership (role, created_at, user_id, organisation_id) "
            "VALUES ('reporter', %s, %s, %s)",
            (now, staff_id, fixture_org.id),
        )
        token_users = [staff_id] + list(range(sizes.users - SIGNUP_TOKENS + 1, sizes.users + 1))
        copy_rows(
            cur,
            "accounts_apitoken",
            ["name", "key_hash", "prefix", "created_at", "user_id"],
            (("bench", token_hash(token_key(u)), token_key(u)[:8], now, u) for u in token_users),
        )
        log(f"{len(token_users):,} API tokens")

        for table in (
            "organisations_region",
            "organisations_organisation",
            "accounts_user",
            "activities_audience",
            "activities_topic",
            "campaigns_campaign",
            "campaigns_jointaction",
            "activities_activity",
            "activities_registration",
        ):
            cur.execute(
                sql.SQL(
                    "SELECT setval(pg_get_serial_sequence({}, 'id'), (SELECT max(id) FROM {}))"
                ).format(sql.Literal(table), sql.Identifier(table))
            )
        meta = {
            "version": GENERATOR_VERSION,
            "scale": scale,
            "generated_at": now.isoformat(),
            "activities": len(plan),
            "registrations": n,
            "checkins": len(checkins),
            "users": sizes.users + 1,
            "organisations": len(orgs),
            "regions": len(regions),
            "burst_activity": burst_id,
            "checkin_activity": checkin_id,
            "staff_user": staff_id,
            "signup_users": [sizes.users - SIGNUP_TOKENS + 1, sizes.users],
        }
        cur.execute(f"CREATE TABLE {META_TABLE} (k text PRIMARY KEY, v jsonb NOT NULL)")
        cur.execute(f"INSERT INTO {META_TABLE} VALUES ('dataset', %s)", (json.dumps(meta),))
        conn.commit()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    meta["seconds"] = round(time.monotonic() - t0)
    log(f"done in {meta['seconds']} s (VACUUM ANALYZE included)")
    return meta


def _province_org(org: Node) -> Node:
    while org.level != "province":
        org = org.parent
    return org


_names: dict[int, str] = {}


def _user_name(uid: int) -> str:
    """Stable per person (the registration copies the person's name)."""
    name = _names.get(uid)
    if name is None:
        name = person_name(random.Random(uid), "vn" if uid % 9 == 0 else "cn")
        _names[uid] = name
    return name


def shift_dates(url: str, meta: dict) -> dict:
    """Keep a reused data set current: move every activity forward by its age."""
    generated = dt.datetime.fromisoformat(meta.get("shifted_to", meta["generated_at"]))
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    if now - generated < dt.timedelta(days=7):
        return meta
    delta = now - generated
    log(f"data set is {delta.days} days old: shifting activity dates forward")
    with psycopg.connect(url) as conn:
        conn.execute(
            "UPDATE activities_activity SET starts_at = starts_at + %s, ends_at = ends_at + %s",
            (delta, delta),
        )
        meta = {**meta, "shifted_to": now.isoformat()}
        conn.execute(f"UPDATE {META_TABLE} SET v = %s WHERE k = 'dataset'", (json.dumps(meta),))
    return meta


def ensure(scale: float, *, force: bool = False) -> dict:
    """The data set of ``scale``, generated when missing, outdated or forced."""
    url = db_url(scale)
    meta = None if force else read_meta(url)
    if meta and meta.get("version") == GENERATOR_VERSION:
        log(f"database {db_name(scale)} already holds the scale-{scale:g} data set: kept")
        migrate(url)  # the code may have gained migrations since (new columns get defaults)
        return {**shift_dates(url, meta), "url": url, "database": db_name(scale)}
    meta = generate(scale)
    return {**meta, "url": url, "database": db_name(scale)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="1.0 = 100,000 activities and 1,000,000 sign-ups (default)",
    )
    parser.add_argument("--force", action="store_true", help="drop and generate again")
    args = parser.parse_args()
    if not 0 < args.scale <= 10:
        parser.error("--scale must be in (0, 10]")
    meta = ensure(args.scale, force=args.force)
    print(json.dumps(meta, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
