"""Small real media files made on the spot (Pillow, ffmpeg, reportlab) for the upload tests."""

import io
import struct
import subprocess
import tempfile
import zipfile
import zlib
from functools import cache
from pathlib import Path

from PIL import Image

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def jpeg_with_gps(size=(64, 48), orientation: int = 1) -> bytes:
    """A JPEG carrying GPS coordinates, a camera model and an EXIF orientation."""
    image = Image.new("RGB", size, (200, 30, 30))
    exif = image.getexif()
    exif[0x0110] = "Secret Camera"  # Model
    exif[ORIENTATION] = orientation
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (36.0, 30.0, 0.0), 3: "E", 4: (105.0, 11.0, 0.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def image_bytes(fmt: str, size=(40, 30), mode="RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, 128).save(out, fmt)
    return out.getvalue()


def png_bomb(side: int = 20_000) -> bytes:
    """A tiny PNG that claims ``side`` × ``side`` pixels: one colour deflates to almost nothing."""
    row = b"\x00" + b"\x00" * ((side + 7) // 8)
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


def svg_with_script() -> bytes:
    return (
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">'
        b"<script>alert(document.cookie)</script></svg>"
    )


def exe_bytes() -> bytes:
    return b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 56 + b"This program cannot be run in DOS mode"


def zip_bomb() -> bytes:
    """Ten megabytes of zeros deflated into a few kilobytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("zeros.bin", b"\x00" * 10_000_000)
    return out.getvalue()


def pdf_bytes(text: str = "科普日 summary") -> bytes:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 720, text)
    page.showPage()
    page.save()
    return out.getvalue()


@cache
def video(seconds: int, container: str = "mp4") -> bytes:
    """A black 16x16 video of ``seconds`` at 1 frame per second (200 s stays a few kilobytes)."""
    folder = Path(tempfile.mkdtemp(prefix="kepu-media-"))
    target = folder / f"clip.{container}"
    codec = ["-c:v", "libx264", "-pix_fmt", "yuv420p"] if container == "mp4" else ["-c:v", "libvpx"]
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            f"color=c=black:s=16x16:r=1:d={seconds}",
        ]
        + codec
        + [str(target)],
        check=True,
        timeout=120,
    )
    data = target.read_bytes()
    target.unlink()
    folder.rmdir()
    return data
