"""The root fixture: province → city → county → two sibling units, one person per role."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from kepu.accounts.models import User
from kepu.organisations.models import Membership
from kepu.organisations.services import add_organisation, add_region

Role = Membership.Role
PASSWORD = "kepu-test-Passw0rd"


def make_user(phone: str, name: str, email: str = "") -> User:
    return User.objects.create_user(phone=phone, email=email, name=name, password=PASSWORD)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The production hasher's cost is the point in production and only slows tests down.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_of_this_test_process(settings, tmp_path_factory):
    """Uploaded files of tests go to a folder of this test process (pytest-xdist runs several),
    never to the project's media folder; tests that need an empty one set their own."""
    settings.MEDIA_ROOT = tmp_path_factory.getbasetemp() / "media"


@pytest.fixture(scope="session", autouse=True)
def _no_lingering_test_connections(django_db_setup, django_db_blocker):
    """On PostgreSQL, end the sessions that threads of the live server left open, so that the
    test database can be dropped at the end (they hold no transaction; their thread is gone)."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture(autouse=True)
def _english_unless_a_test_says_otherwise():
    """Services called outside a request speak the active language; a request of an earlier
    test in the same process may have left another one active. Every test starts in English
    (tests of other languages override it, requests activate their own)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fresh_process_caches():
    """Keys and texts of locked questions, and published quizzes for a few seconds, stay in
    process memory; a test database rolled back reuses ids (SQLite), so each test starts
    without them — the demo test takes quizzes too."""
    from kepu.quizzes import leaderboard, selectors, taking

    def forget():
        taking._KEYS.clear()
        selectors._TEXTS.clear()
        selectors.forget_quiz()
        leaderboard.reset_down()
        leaderboard.region_line.cache_clear()

    forget()
    yield
    forget()


@pytest.fixture(autouse=True)
def _empty_cache():
    # Pages, counters and codes cached by one test must not answer the next one.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def tree(db):
    ningxia = add_region(code="64", name="宁夏回族自治区")
    zhongwei = add_region(parent=ningxia, code="6405", name="中卫市")
    shapotou = add_region(parent=zhongwei, code="640502", name="沙坡头区")
    province = add_organisation(
        name="宁夏回族自治区科学技术协会", kind="association", level="province", region=ningxia
    )
    city = add_organisation(
        parent=province,
        name="中卫市科学技术协会",
        kind="association",
        level="city",
        region=zhongwei,
    )
    county = add_organisation(
        parent=city, name="沙坡头区科学技术局", kind="department", level="county", region=shapotou
    )
    unit_a = add_organisation(
        parent=county, name="中卫市沙坡头区第十一小学", kind="school", level="unit", region=shapotou
    )
    unit_b = add_organisation(
        parent=county, name="沙坡头区水务局", kind="department", level="unit", region=shapotou
    )
    people = {
        "public": make_user("13800000001", "公众甲", "public@example.com"),
        "reporter_a": make_user("13800000002", "填报员A", "reporter.a@example.com"),
        "reporter_b": make_user("13800000003", "填报员B", "reporter.b@example.com"),
        "reviewer": make_user("13800000004", "审核员", "reviewer@example.com"),
        "admin": make_user("13800000005", "管理员", "admin@example.com"),
        "coordinator": make_user("13800000006", "协调员", "coordinator@example.com"),
    }
    Membership.objects.create(user=people["reporter_a"], organisation=unit_a, role=Role.REPORTER)
    Membership.objects.create(user=people["reporter_b"], organisation=unit_b, role=Role.REPORTER)
    Membership.objects.create(user=people["reviewer"], organisation=county, role=Role.REVIEWER)
    Membership.objects.create(user=people["admin"], organisation=city, role=Role.ADMIN)
    Membership.objects.create(
        user=people["coordinator"], organisation=county, role=Role.COORDINATOR
    )
    return SimpleNamespace(
        regions=SimpleNamespace(ningxia=ningxia, zhongwei=zhongwei, shapotou=shapotou),
        province=province,
        city=city,
        county=county,
        unit_a=unit_a,
        unit_b=unit_b,
        **people,
    )


@pytest.fixture
def campaign(tree):
    from kepu.campaigns.services import add_joint_action, create_campaign

    now = timezone.now()
    campaign = create_campaign(
        actor=tree.admin,
        organiser=tree.city,
        title="2021年全国科普日",
        slug="science-day-2021",
        theme="百年再出发,迈向高水平科技自立自强",
        starts_on=(now - dt.timedelta(days=1)).date(),
        ends_on=(now + dt.timedelta(days=30)).date(),
        time_zone="Asia/Shanghai",
        register_by=now + dt.timedelta(days=7),
        results_by=now + dt.timedelta(days=40),
        summary_by=now + dt.timedelta(days=45),
    )
    add_joint_action(campaign, actor=tree.admin, title="水利科普联合行动", lead_unit=tree.unit_b)
    return campaign


def activity_fields(**overrides):
    start = timezone.now() + dt.timedelta(days=3)
    fields = dict(
        title="碳达峰碳中和科普讲座",
        description="面向公众普及生态文明知识。",
        kind="lecture",
        format="onsite",
        venue="沙坡头区第十一小学报告厅",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        capacity=20,
        signup_required=True,
        contact_name="孙浩",
        contact_phone="15109558601",
    )
    fields.update(overrides)
    return fields


@pytest.fixture
def make_activity(tree, campaign):
    """Build an activity of unit A through the services, up to the wanted status."""
    from kepu.activities import services

    def build(status="published", organisation=None, reporter=None, **overrides):
        organisation = organisation or tree.unit_a
        reporter = reporter or (tree.reporter_a if organisation == tree.unit_a else tree.reporter_b)
        activity = services.create_activity(
            actor=reporter,
            organisation=organisation,
            campaign=overrides.pop("campaign", campaign),
            region=tree.regions.shapotou,
            **activity_fields(**overrides),
        )
        steps = ["submitted", "approved", "published"]
        if status in steps:
            services.submit_activity(activity, actor=reporter)
        if status in steps[1:]:
            services.approve_activity(activity, actor=tree.reviewer)
        if status == "published":
            services.publish_activity(activity, actor=reporter)
        activity.refresh_from_db()
        return activity

    return build


@pytest.fixture
def published(make_activity):
    return make_activity()


@pytest.fixture
def browser(monkeypatch):
    """Debian's Chromium, headless, driven by Playwright (never a downloaded browser)."""
    import os
    import shutil

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(chromium):
        pytest.fail("Chromium is missing: apt-get install -y chromium (.ci/run does this)")
    # Playwright's sync API runs an event loop in the test's thread; the ORM calls are safe.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    args = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-sync",
    ]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=args)
        yield browser
        browser.close()
