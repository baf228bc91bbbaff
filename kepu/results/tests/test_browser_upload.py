"""End to end in headless Chromium: a unit's reporter uploads a photo and sees it in the results.

With JavaScript the upload goes through XMLHttpRequest with a progress bar; a disguised file is
refused in place with the server's message. Without JavaScript the same form posts normally.
"""

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from kepu.results.models import ResultItem

from . import media
from .conftest import stored_files

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _sign_in(page, identifier: str) -> None:
    page.get_by_label("Phone number or e-mail").fill(identifier)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main form").get_by_role("button", name="Sign in").click()


def _thumbnail_loaded(page) -> bool:
    """The first thumbnail finished loading with a picture (waits up to 5 s: the page may
    be shown before the browser has fetched its images)."""
    page.locator("img.result-thumb").first.wait_for()
    handle = page.wait_for_function(
        "() => { const img = document.querySelector('img.result-thumb');"
        " return img && img.complete && (img.naturalWidth > 0 ? 'loaded' : 'broken'); }",
        timeout=5000,
    )
    return handle.json_value() == "loaded"


def test_a_reporter_uploads_a_photo_and_sees_it_in_the_results(
    live_server, browser, tree, published, media_root, tmp_path
):
    photo = tmp_path / "现场合影.jpg"
    photo.write_bytes(media.jpeg_with_gps((300, 200)))
    fake = tmp_path / "setup.jpg"
    fake.write_bytes(media.exe_bytes())

    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.goto(f"{live_server.url}/en/accounts/login/?next=/en/work/activities/{published.pk}/")
    _sign_in(page, tree.reporter_a.email)
    page.get_by_role("link", name="Results").click()
    expect(page.get_by_text("No results yet.")).to_be_visible()

    # A disguised executable: refused in place, nothing stored.
    page.get_by_label("Photo, video or document").set_input_files(str(fake))
    page.get_by_role("button", name="Upload").click()
    error = page.get_by_role("alert").filter(has_text="This type of file is not accepted.")
    error.wait_for()
    assert page.url.endswith(f"/activities/{published.pk}/results/")  # answered in place (XHR)
    expect(page.locator("[data-upload-error]")).to_be_visible()
    assert not ResultItem.objects.exists()
    assert stored_files(media_root) == []

    # The photo: uploaded with the progress bar, then listed with its thumbnail.
    page.get_by_label("Photo, video or document").set_input_files(str(photo))
    page.get_by_label("Caption").fill("沙坡头区科普日现场")
    page.get_by_role("button", name="Upload").click()
    page.get_by_text("Added: 现场合影.jpg.").wait_for()
    assert page.locator("progress").count() == 1
    page.locator("img.result-thumb").first.wait_for()
    page.wait_for_function("() => document.querySelector('img.result-thumb').complete")
    assert _thumbnail_loaded(page)
    expect(page.get_by_text("沙坡头区科普日现场")).to_be_visible()
    item = ResultItem.objects.get()
    assert (item.kind, item.width, item.height) == ("photo", 300, 200)
    context.close()


def test_the_upload_form_works_without_javascript(live_server, browser, tree, published, tmp_path):
    photo = tmp_path / "p.png"
    photo.write_bytes(media.image_bytes("PNG", (50, 50)))
    context = browser.new_context(locale="en-GB", java_script_enabled=False)
    page = context.new_page()
    page.goto(
        f"{live_server.url}/en/accounts/login/?next=/en/work/activities/{published.pk}/results/"
    )
    _sign_in(page, tree.reporter_a.email)
    page.get_by_label("Photo, video or document").set_input_files(str(photo))
    page.get_by_role("button", name="Upload").click()
    page.get_by_text("Added: p.png.").wait_for()
    assert _thumbnail_loaded(page)
    context.close()
