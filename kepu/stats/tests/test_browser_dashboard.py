"""The dashboard in a real headless Chromium: charts render under the strict CSP, drill-down and
filters work without JavaScript."""

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_a_city_admin_drills_down_from_the_province_to_a_unit(
    live_server, browser, tree, campaign, make_activity
):
    make_activity(title="讲座一", is_key=True)
    make_activity(organisation=tree.unit_b, title="水利讲座", kind="exhibition")
    base = live_server.url
    context = browser.new_context(locale="en-GB", java_script_enabled=False)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(f"{base}/en/accounts/login/?next=/en/work/campaigns/{campaign.pk}/dashboard/")
    page.get_by_label("Phone number or e-mail").fill(tree.admin.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main form").get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Statistics")
    expect(page.locator("svg.chart")).to_have_count(5)
    expect(page.locator("svg.chart rect").first).to_be_visible()

    page.get_by_role("link", name="宁夏回族自治区").first.click()
    page.get_by_role("link", name="中卫市").first.click()
    page.get_by_role("link", name="沙坡头区").first.click()
    expect(page.locator("main")).to_contain_text("By unit in 沙坡头区")
    page.get_by_role("link", name=tree.unit_b.name).first.click()
    expect(page.locator("#totals-title + ul .count").first).to_have_text("1")

    page.get_by_label("Kind", exact=True).select_option("lecture")
    page.locator("form.filters").get_by_role("button", name="Filter").click()
    expect(page.locator("#totals-title + ul .count").first).to_have_text("0")
    assert not [e for e in errors if "Content Security Policy" in e]
    context.close()
