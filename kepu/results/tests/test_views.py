"""The results page, its forms (with and without JavaScript) and the scoped file views."""

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile

from kepu.results import services
from kepu.results.models import Outcome, ResultItem

from . import media
from .conftest import stored_files


class PathlessStorage(FileSystemStorage):
    """Behaves like object storage for the views: no local path, a signed URL instead."""

    def path(self, name):
        raise NotImplementedError

    def url(self, name, parameters=None):
        query = "&".join(f"{k}={v}" for k, v in sorted((parameters or {}).items()))
        return f"https://objects.example.org/{name}?{query}"


def page_url(activity) -> str:
    return f"/en/work/activities/{activity.pk}/results/"


def add_photo(tree, activity):
    upload = SimpleUploadedFile("合影.jpg", media.jpeg_with_gps())
    return services.add_file_result(activity, actor=tree.reporter_a, upload=upload)


def test_the_activity_page_links_to_its_results(client, tree, published):
    client.force_login(tree.reporter_a)
    response = client.get(f"/en/work/activities/{published.pk}/")
    assert page_url(published).encode() in response.content


def test_uploading_a_photo_without_javascript_shows_it_in_the_list(client, tree, published):
    client.force_login(tree.reporter_a)
    response = client.post(
        page_url(published) + "upload/",
        {
            "file-file": SimpleUploadedFile("合影.jpg", media.jpeg_with_gps()),
            "file-caption": "合影",
        },
        follow=True,
    )
    assert response.status_code == 200
    item = ResultItem.objects.get()
    assert "Added: 合影.jpg." in response.content.decode()
    assert f"/en/work/results/{item.pk}/thumbnail/" in response.content.decode()


def test_a_disguised_file_is_refused_on_the_page_and_nothing_is_stored(
    client, tree, published, media_root
):
    client.force_login(tree.reporter_a)
    response = client.post(
        page_url(published) + "upload/",
        {"file-file": SimpleUploadedFile("photo.jpg", media.exe_bytes())},
    )
    assert response.status_code == 400
    assert "This type of file is not accepted." in response.content.decode()
    assert not ResultItem.objects.exists()
    assert stored_files(media_root) == []


def test_the_upload_answers_json_to_the_progress_script(client, tree, published):
    client.force_login(tree.reporter_a)
    url = page_url(published) + "upload/"
    ok = client.post(
        url,
        {"file-file": SimpleUploadedFile("r.pdf", media.pdf_bytes())},
        headers={"accept": "application/json"},
    )
    assert ok.json() == {"ok": True, "redirect": page_url(published)}
    refused = client.post(
        url,
        {"file-file": SimpleUploadedFile("long.mp4", media.video(200))},
        headers={"accept": "application/json"},
    )
    assert refused.status_code == 400
    assert refused.json() == {
        "ok": False,
        "errors": ["The video lasts 3:20; at most 3:00 are allowed."],
    }


def test_links_and_numbers_are_added_through_their_forms(client, tree, published):
    client.force_login(tree.reporter_a)
    client.post(
        page_url(published) + "link/",
        {
            "link-url": "https://www.nxnews.net/kepu",
            "link-title": "沙坡头区开展全国科普日活动",
            "link-outlet": "宁夏新闻网",
        },
    )
    response = client.post(
        page_url(published) + "outcome/",
        {
            "outcome-participants_onsite": "120",
            "outcome-participants_online": "3000",
            "outcome-online_views": "0",
        },
        follow=True,
    )
    assert ResultItem.objects.get().outlet == "宁夏新闻网"
    assert Outcome.objects.get().participants == 3120
    assert "沙坡头区开展全国科普日活动" in response.content.decode()


def test_a_negative_number_is_refused_with_a_message(client, tree, published):
    client.force_login(tree.reporter_a)
    response = client.post(
        page_url(published) + "outcome/",
        {
            "outcome-participants_onsite": "-3",
            "outcome-participants_online": "0",
            "outcome-online_views": "0",
        },
    )
    assert response.status_code == 400
    assert "Ensure this value is greater than or equal to 0." in response.content.decode()
    assert not Outcome.objects.exists()


def test_a_photo_is_served_inline_and_a_pdf_as_an_attachment(client, tree, published):
    photo = add_photo(tree, published)
    pdf = services.add_file_result(
        published, actor=tree.reporter_a, upload=SimpleUploadedFile("总结.pdf", media.pdf_bytes())
    )
    client.force_login(tree.reviewer)
    response = client.get(f"/en/work/results/{photo.pk}/file/")
    assert response["Content-Type"] == "image/jpeg"
    assert not response["Content-Disposition"].startswith("attachment")
    b"".join(response.streaming_content)
    thumb = client.get(f"/en/work/results/{photo.pk}/thumbnail/")
    assert thumb["Content-Type"] == "image/webp"
    b"".join(thumb.streaming_content)
    response = client.get(f"/en/work/results/{pdf.pk}/file/")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


@pytest.mark.parametrize("role", ["reporter_b", "public"])
def test_another_units_files_cannot_be_guessed(client, tree, published, role):
    photo = add_photo(tree, published)
    client.force_login(getattr(tree, role))
    for suffix in ("file/", "thumbnail/"):
        response = client.get(f"/en/work/results/{photo.pk}/{suffix}")
        assert response.status_code in (403, 404)
    assert client.post(f"/en/work/results/{photo.pk}/remove/").status_code in (403, 404)
    assert ResultItem.objects.filter(pk=photo.pk).exists()


def test_a_sibling_unit_cannot_open_or_post_to_the_results_page(client, tree, published):
    client.force_login(tree.reporter_b)
    assert client.get(page_url(published)).status_code == 404
    response = client.post(
        page_url(published) + "link/", {"link-url": "https://a.org", "link-title": "x"}
    )
    assert response.status_code == 404
    assert not ResultItem.objects.exists()


def test_object_storage_files_are_a_redirect_to_a_signed_url(client, tree, published, settings):
    photo = add_photo(tree, published)
    pdf = services.add_file_result(
        published, actor=tree.reporter_a, upload=SimpleUploadedFile("r.pdf", media.pdf_bytes())
    )
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": f"{__name__}.PathlessStorage",
            "OPTIONS": {"location": settings.MEDIA_ROOT},
        },
    }
    client.force_login(tree.reporter_a)
    response = client.get(f"/en/work/results/{photo.pk}/file/")
    assert response.status_code == 302
    assert response["Location"].startswith(f"https://objects.example.org/{photo.file.name}")
    response = client.get(f"/en/work/results/{pdf.pk}/file/")
    assert "ResponseContentDisposition=attachment" in response["Location"]


def test_removing_a_result_from_the_page(client, tree, published, media_root):
    photo = add_photo(tree, published)
    client.force_login(tree.reporter_a)
    response = client.post(f"/en/work/results/{photo.pk}/remove/", follow=True)
    assert "The result is removed." in response.content.decode()
    assert not ResultItem.objects.exists()


def test_a_large_video_spooled_to_disk_is_measured_and_stored(client, tree, published, settings):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024  # the test video goes through a temporary file
    client.force_login(tree.reporter_a)
    data = media.video(5)
    response = client.post(
        page_url(published) + "upload/",
        {"file-file": SimpleUploadedFile("讲座.mp4", data)},
        follow=True,
    )
    assert "Added: 讲座.mp4." in response.content.decode()
    item = ResultItem.objects.get()
    assert item.duration_seconds == pytest.approx(5, abs=0.1)
    with item.file.open("rb") as handle:
        assert handle.read() == data
    assert "5 s" in response.content.decode()


def test_after_the_deadline_the_page_says_so_before_anyone_fills_in_a_form(
    client, tree, campaign, published
):
    import datetime as dt

    from django.utils import timezone

    from kepu.campaigns.models import Campaign, Phase
    from kepu.campaigns.services import reopen_phase

    client.force_login(tree.reporter_a)
    open_page = client.get(page_url(published)).content.decode()
    assert "Results are due by" in open_page and 'action="' in open_page
    assert "Upload a file" in open_page
    Campaign.objects.filter(pk=campaign.pk).update(
        results_by=timezone.now() - dt.timedelta(hours=1)
    )
    closed = client.get(page_url(published)).content.decode()
    assert "has passed. Ask the organiser to reopen it." in closed
    assert "p.m.." not in closed and "a.m.." not in closed
    assert "Upload a file" not in closed
    campaign.refresh_from_db()
    reopen_phase(
        campaign,
        actor=tree.admin,
        phase=Phase.RESULTS,
        until=timezone.now() + dt.timedelta(days=2),
    )
    reopened = client.get(page_url(published)).content.decode()
    assert "what you add now is marked late" in reopened
    assert "Upload a file" in reopened
