"""The interactive API docs in a real headless Chromium, under the site's CSP."""

import os
import shutil
from urllib.parse import urlparse

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--no-first-run", "--disable-sync"]


@pytest.fixture
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail("Chromium is missing: apt-get install -y chromium (.ci/run does this)")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield browser
        browser.close()


def test_the_docs_render_from_local_assets_without_csp_violations(live_server, browser, db):
    page = browser.new_page()
    hosts, violations = set(), []
    page.on("request", lambda request: hosts.add(urlparse(request.url).netloc))
    page.on("console", lambda msg: violations.append(msg.text)
            if "Content Security Policy" in msg.text else None)
    response = page.goto(f"{live_server.url}/api/v1/docs")
    print(response.headers.get("content-security-policy"))
    page.get_by_text("/api/v1/activities/{activity_id}/registrations").first.wait_for()
    page.get_by_text("Search public activities").first.click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    page.locator(".responses-table .response-col_status").first.wait_for()
    assert hosts == {urlparse(live_server.url).netloc}
    assert violations == []
