"""Attachments of a summary: PDF or photo, checked by content, served only within scope."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import Image

from kepu.core.errors import Conflict, DomainError
from kepu.reports import services
from kepu.reports.models import SummaryAttachment


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }


def pdf() -> bytes:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 720, "summary")
    page.showPage()
    page.save()
    return out.getvalue()


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (40, 30), (200, 30, 30))
    exif = image.getexif()
    exif.get_ifd(0x8825).update({1: "N", 2: (36.0, 30.0, 0.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def url(name, *args):
    with translation.override("en"):
        return reverse(f"reports:{name}", args=args)


@pytest.fixture
def summary(tree, campaign):
    return services.start_summary(campaign, organisation=tree.unit_a, actor=tree.reporter_a)


def test_a_pdf_and_a_photo_are_attached_and_the_photo_loses_its_gps(tree, summary):
    doc = services.add_attachment(
        summary, actor=tree.reporter_a, upload=SimpleUploadedFile("总结.pdf", pdf())
    )
    photo = services.add_attachment(
        summary, actor=tree.reporter_a, upload=SimpleUploadedFile("a.jpg", jpeg_with_gps())
    )
    assert (doc.kind, doc.extension, doc.original_name) == ("document", "pdf", "总结.pdf")
    assert photo.kind == "photo"
    with photo.file.open("rb") as handle, Image.open(handle) as image:
        assert 0x8825 not in image.getexif()


def test_a_disguised_file_is_refused_and_nothing_is_stored(tree, summary):
    with translation.override("en"), pytest.raises(DomainError) as err:
        services.add_attachment(
            summary,
            actor=tree.reporter_a,
            upload=SimpleUploadedFile("report.pdf", b"MZ\x90\x00" + b"\x00" * 100),
        )
    assert err.value.code == "unsupported_type"
    assert "not accepted" in err.value.message
    assert not SummaryAttachment.objects.exists()


def test_a_submitted_summary_takes_no_more_files(tree, summary):
    services.save_summary(summary, actor=tree.reporter_a, text="总结")
    services.submit_summary(summary, actor=tree.reporter_a)
    with pytest.raises(Conflict):
        services.add_attachment(
            summary, actor=tree.reporter_a, upload=SimpleUploadedFile("a.pdf", pdf())
        )
    assert not SummaryAttachment.objects.exists()


def test_the_file_is_served_to_the_unit_and_organiser_only(client, tree, summary):
    client.force_login(tree.reporter_a)
    response = client.post(
        url("summary-attachment-add", summary.pk),
        {"file": SimpleUploadedFile("总结.pdf", pdf())},
    )
    assert response.status_code == 302
    item = SummaryAttachment.objects.get()
    response = client.get(url("summary-attachment-file", item.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    client.force_login(tree.admin)
    response = client.get(url("summary-attachment-file", item.pk))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    client.force_login(tree.reporter_b)
    assert client.get(url("summary-attachment-file", item.pk)).status_code == 404
    assert client.post(url("summary-attachment-remove", item.pk)).status_code == 404
    assert SummaryAttachment.objects.exists()
    client.force_login(tree.reporter_a)
    client.post(url("summary-attachment-remove", item.pk))
    assert not SummaryAttachment.objects.exists()


def test_a_wrong_file_on_the_page_shows_the_reason(client, tree, summary):
    client.force_login(tree.reporter_a)
    response = client.post(
        url("summary-attachment-add", summary.pk),
        {"file": SimpleUploadedFile("x.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>")},
    )
    assert response.status_code == 400
    assert "This type of file is not accepted" in response.content.decode()
