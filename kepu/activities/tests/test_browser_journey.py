"""End to end in a real headless Chromium (Debian's package, driven by Playwright).

A visitor finds an activity, signs in, signs up and sees the ticket; a staff member of the unit
checks the ticket in, and a second scan says it is already checked in.
"""

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from kepu.activities.models import CheckIn, Registration

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _sign_in(page, base: str, identifier: str) -> None:
    page.get_by_label("Phone number or e-mail").fill(identifier)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main form").get_by_role("button", name="Sign in").click()


def test_a_visitor_finds_signs_up_and_staff_checks_the_ticket_in(
    live_server, browser, tree, published
):
    base = live_server.url
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
    page = phone.new_page()

    # Find it: free text in the search form of the activity list.
    page.goto(f"{base}/en/activities/")
    page.get_by_label("Search").fill("碳达峰")
    page.locator("form.filters").get_by_role("button", name="Search").click()
    page.get_by_role("link", name=published.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(published.title)
    expect(page.locator("svg").first).to_be_visible()  # the QR code

    # Sign in from the activity page and come back to it.
    page.get_by_role("link", name="Sign in to sign up").click()
    _sign_in(page, base, tree.public.phone)
    expect(page.get_by_role("heading", level=1)).to_have_text(published.title)

    # Sign up: the name is filled in, consent is asked for.
    page.get_by_role("checkbox", name="I agree that the organiser").check()
    page.get_by_role("button", name="Sign up").click()
    expect(page.locator(".qr svg")).to_be_visible()
    registration = Registration.objects.get(activity=published, user=tree.public)
    assert registration.status == Registration.Status.CONFIRMED
    expect(page.locator("main")).to_contain_text(registration.ticket_code)
    phone.close()

    # Staff of the unit types the ticket code on the check-in screen.
    desk = browser.new_context(locale="en-GB")
    page = desk.new_page()
    page.goto(f"{base}/en/accounts/login/?next=/en/work/activities/{published.pk}/check-in/")
    _sign_in(page, base, tree.reporter_a.email)
    page.get_by_label("Ticket code").fill(registration.ticket_code)
    page.get_by_role("button", name="Check in").click()
    expect(page.get_by_text("Checked in").first).to_be_visible()
    assert CheckIn.objects.filter(registration=registration).count() == 1

    page.get_by_label("Ticket code").fill(registration.ticket_code)
    page.get_by_role("button", name="Check in").click()
    expect(page.get_by_text("already checked in").first).to_be_visible()
    assert CheckIn.objects.filter(registration=registration).count() == 1
    desk.close()
