"""uploads.inspect: the type comes from the content, videos are measured, photos are cleaned."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from kepu.core.errors import DomainError
from kepu.results.uploads import inspect

from . import media

ALL = {"photo", "video", "document"}


def upload(data: bytes, name: str = "file.bin") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def refused(data: bytes, name: str, allowed=ALL, **kwargs) -> DomainError:
    with translation.override("en"), pytest.raises(DomainError) as caught:
        inspect(upload(data, name), allowed, **kwargs)
    return caught.value


def test_a_photo_loses_its_gps_and_camera_metadata_and_gets_a_webp_thumbnail():
    result = inspect(upload(media.jpeg_with_gps(), "holiday.jpg"), {"photo"})
    assert (result.kind, result.extension, result.content_type) == ("photo", "jpg", "image/jpeg")
    clean = Image.open(io.BytesIO(result.clean))
    assert dict(clean.getexif()) == {}
    assert "exif" not in clean.info
    assert b"Secret Camera" not in result.clean
    thumb = Image.open(io.BytesIO(result.thumbnail))
    assert thumb.format == "WEBP"
    assert result.size == len(result.clean)


def test_a_photo_is_turned_upright_by_its_exif_orientation():
    # Orientation 6: the camera was turned; the stored pixels are 64 wide, the picture 48 wide.
    result = inspect(upload(media.jpeg_with_gps((64, 48), orientation=6), "p.jpg"), {"photo"})
    assert (result.width, result.height) == (48, 64)


@pytest.mark.parametrize(("fmt", "extension"), [("PNG", "png"), ("WEBP", "webp")])
def test_png_and_webp_photos_are_accepted(fmt, extension):
    result = inspect(upload(media.image_bytes(fmt), f"x.{extension}"), {"photo"})
    assert result.extension == extension
    assert (result.width, result.height) == (40, 30)


@pytest.mark.parametrize("container", ["mp4", "webm"])
def test_the_real_duration_is_read_from_the_video(container):
    result = inspect(upload(media.video(2, container), f"clip.{container}"), {"video"})
    assert result.kind == "video"
    assert result.content_type == f"video/{container}"
    assert result.duration_seconds == pytest.approx(2, abs=0.1)
    assert (result.width, result.height) == (16, 16)
    assert result.clean is None and result.thumbnail is None


def test_a_video_longer_than_the_limit_is_refused_with_its_length():
    error = refused(media.video(200), "talk.mp4", max_video_seconds=180)
    assert error.code == "video_too_long"
    assert error.message == "The video lasts 3:20; at most 3:00 are allowed."


def test_a_video_within_the_limit_passes():
    assert inspect(upload(media.video(200), "t.mp4"), {"video"}, max_video_seconds=240)


@pytest.mark.parametrize("container", ["mp4", "webm"])
@pytest.mark.parametrize("keep", [0.5, 0.9])
def test_a_truncated_video_is_damaged(container, keep):
    data = media.video(2, container)
    error = refused(data[: int(len(data) * keep)], f"cut.{container}")
    assert error.code == "damaged_file"
    assert error.message == "The file is damaged or incomplete and cannot be read."


def test_a_pdf_is_accepted_and_a_truncated_one_is_damaged():
    data = media.pdf_bytes()
    assert inspect(upload(data, "report.pdf"), {"document"}).content_type == "application/pdf"
    assert refused(data[:200], "report.pdf").code == "damaged_file"


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (media.exe_bytes(), "photo.jpg"),
        (media.svg_with_script(), "logo.svg"),
        (media.zip_bomb(), "photos.jpg"),
        (b"just some text", "notes.pdf"),
    ],
    ids=["exe-renamed-jpg", "svg-with-script", "zip-bomb", "text-renamed-pdf"],
)
def test_disguised_and_unsupported_files_are_refused(data, name):
    error = refused(data, name)
    assert error.code == "unsupported_type"
    assert error.message.startswith("This type of file is not accepted. Accepted: photos (JPEG")


def test_a_jpeg_whose_body_is_garbage_is_damaged():
    data = b"\xff\xd8\xff\xe0" + b"\x00garbage" * 20
    assert refused(data, "x.jpg").code == "damaged_file"


def test_a_decompression_bomb_image_is_refused():
    error = refused(media.png_bomb(), "tiny.png")
    assert error.code == "image_too_large"
    assert "too many pixels" in error.message


def test_an_image_just_over_the_pixel_limit_is_refused_too(monkeypatch):
    # Between MAX_IMAGE_PIXELS and twice that, Pillow only warns; inspect refuses anyway.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    assert refused(media.image_bytes("PNG", (40, 30)), "x.png").code == "image_too_large"


def test_a_kind_not_allowed_here_is_refused_and_the_message_names_what_is():
    error = refused(media.pdf_bytes(), "r.pdf", allowed={"photo", "video"})
    assert error.code == "unsupported_type"
    assert error.message == (
        "This type of file is not accepted. Accepted: photos (JPEG, PNG, WebP), videos (MP4, WebM)."
    )


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.KEPU_UPLOAD_MAX_BYTES = {**settings.KEPU_UPLOAD_MAX_BYTES, "photo": 1024 * 1024}
    big = media.image_bytes("PNG", (10, 10)) + b"\x00" * (1024 * 1024)
    error = refused(big, "big.png")
    assert error.code == "file_too_large"
    assert error.message == "The file is too large: 1.1 MB; at most 1 MB are allowed."


def test_an_empty_file_is_refused():
    assert refused(b"", "empty.jpg").code == "empty_file"
