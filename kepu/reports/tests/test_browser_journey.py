"""End to end in headless Chromium: a unit writes, corrects and submits its summary; the
organiser returns it with a comment; the unit revises and resubmits; the organiser accepts."""

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from kepu.reports.models import Summary

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _sign_in(page, identifier: str) -> None:
    page.get_by_label("Phone number or e-mail").fill(identifier)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main form").get_by_role("button", name="Sign in").click()


def test_summary_is_written_returned_revised_and_accepted(
    live_server, browser, tree, campaign, published
):
    base = live_server.url
    unit = browser.new_context(locale="en-GB")
    page = unit.new_page()
    page.goto(f"{base}/en/accounts/login/?next=/en/work/summaries/")
    _sign_in(page, tree.reporter_a.email)
    page.get_by_role("link", name=f"{campaign.title} · {tree.unit_a.name}").click()
    page.get_by_role("button", name="Start the summary").click()

    page.get_by_label("Text of the summary").fill("本单位开展碳达峰碳中和科普讲座一场。")
    page.get_by_role("button", name="Save the draft").click()
    page.get_by_label("Row").select_option("participants_onsite")
    page.get_by_label("Corrected figure").fill("45")
    page.get_by_role("button", name="Save the correction").click()
    expect(page.get_by_text("a reason is required")).to_be_visible()
    page.get_by_label("Reason for the correction").fill("现场签到表")
    page.get_by_role("button", name="Save the correction").click()
    expect(page.get_by_role("cell", name="现场签到表")).to_be_visible()
    page.get_by_role("button", name="Submit to the organiser").click()
    expect(page.get_by_text("submitted to the organiser")).to_be_visible()
    summary = Summary.objects.get(organisation=tree.unit_a)
    assert summary.status == Summary.Status.SUBMITTED

    organiser = browser.new_context(locale="en-GB")
    office = organiser.new_page()
    office.goto(f"{base}/en/accounts/login/?next=/en/work/campaigns/{campaign.pk}/summaries/")
    _sign_in(office, tree.admin.email)
    expect(office.get_by_text(tree.unit_b.name)).to_be_visible()
    office.get_by_role("link", name=tree.unit_a.name).click()
    office.get_by_label("Comment for the unit").fill("请补充活动照片。")
    office.get_by_role("button", name="Return for revision").click()
    expect(office.get_by_text("returned to the unit")).to_be_visible()

    page.reload()
    expect(page.get_by_text("请补充活动照片。")).to_be_visible()
    page.get_by_label("Text of the summary").fill("本单位开展科普讲座一场,已补充照片。")
    page.get_by_role("button", name="Save the draft").click()
    page.get_by_role("button", name="Submit to the organiser").click()

    office.reload()
    office.get_by_role("button", name="Accept").click()
    expect(office.get_by_text("The summary is accepted.")).to_be_visible()
    summary.refresh_from_db()
    assert summary.status == Summary.Status.ACCEPTED
    assert summary.table["participants_onsite"] == {
        "computed": 0,
        "value": 45,
        "reason": "现场签到表",
    }
    unit.close()
    organiser.close()
