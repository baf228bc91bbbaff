"""The interactive API docs in a real headless Chromium, under the site's CSP."""

from urllib.parse import urlparse

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_the_docs_render_from_local_assets_without_csp_violations(live_server, browser, db):
    page = browser.new_page()
    hosts, violations = set(), []
    page.on("request", lambda request: hosts.add(urlparse(request.url).netloc))
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    response = page.goto(f"{live_server.url}/api/v1/docs")
    print(response.headers.get("content-security-policy"))
    page.get_by_text("/api/v1/activities/{activity_id}/registrations").first.wait_for()
    page.get_by_text("Search public activities").first.click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    page.locator(".responses-table .response-col_status").first.wait_for()
    assert hosts == {urlparse(live_server.url).netloc}
    assert violations == []
