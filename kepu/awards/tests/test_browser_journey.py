"""End to end in headless Chromium: the organiser puts a unit on the list and publishes it for
objections; a visitor objects on the public page; the organiser answers on the workbench."""

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from kepu.awards.models import Commendation, Objection

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _sign_in(page, identifier: str) -> None:
    page.get_by_label("Phone number or e-mail").fill(identifier)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main form").get_by_role("button", name="Sign in").click()


def test_organiser_publicises_a_visitor_objects_and_the_organiser_answers(
    live_server, browser, tree, campaign, published
):
    base = live_server.url
    work = f"{base}/en/work/campaigns/{campaign.pk}/awards/"
    staff = browser.new_context(locale="en-GB")
    page = staff.new_page()
    page.goto(
        f"{base}/en/accounts/login/?next=/en/work/campaigns/{campaign.pk}/awards/commendation/"
    )
    _sign_in(page, tree.admin.email)
    page.get_by_label("Outstanding unit").select_option(label=tree.unit_a.name)
    page.get_by_label("Citation").fill("工作扎实、成绩突出")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_text("Added to the commendation list.")).to_be_visible()
    page.get_by_label("Objection period (days)").fill("3")
    page.locator("main form").get_by_role("button", name="Publish for objections").click()
    expect(page.get_by_text("The list is published for objections.")).to_be_visible()
    assert Commendation.objects.get().status == "publicised"

    visitor = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
    public = visitor.new_page()
    public.goto(f"{base}/en/commendations/{campaign.slug}/")
    assert tree.unit_a.name in public.content()
    public.get_by_label("Your name").fill("李四")
    public.get_by_label("Phone number or e-mail").fill("13912345678")
    public.get_by_label("Your objection").fill("该单位活动未实际开展。")
    public.get_by_role("button", name="Send the objection").click()
    expect(public.get_by_text("Your objection has been received.")).to_be_visible()
    visitor.close()

    page.goto(f"{work}objections/")
    assert "139****5678" in page.content() and "13912345678" not in page.content()
    page.get_by_label("Answer").fill("经核实,活动已开展。")
    page.get_by_role("button", name="Save the answer").click()
    expect(page.get_by_text("Your answer is saved.")).to_be_visible()
    assert Objection.objects.get().answered_by == tree.admin
    staff.close()
