"""Certificate PDFs: one TrueType font (WQY Micro Hei) covers Simplified and Traditional Chinese,
Vietnamese and English, and is embedded (subset) so that every reader shows the same glyphs."""

import io
import os
from functools import cache

import segno
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph

from kepu.core.errors import DomainError

from .models import Commended

FONT_PATH = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
FONT = "WQYMicroHei"


@cache
def _register_font(path: str) -> str:
    pdfmetrics.registerFont(TTFont(FONT, path, subfontIndex=0))
    return FONT


def certificate_font() -> str:
    path = getattr(settings, "KEPU_CERTIFICATE_FONT", FONT_PATH)
    if not os.path.exists(path):
        raise DomainError(
            "font_missing",
            _(
                "The certificate font is missing (%(path)s). "
                "Install the Debian package fonts-wqy-microhei."
            )
            % {"path": path},
            status=503,
        )
    return _register_font(path)


def verify_url(entry: Commended) -> str:
    """The public check of the certificate, in the campaign's language."""
    language = entry.commendation.campaign.language or settings.LANGUAGE_CODE
    with translation.override(language):
        path = reverse("awards:certificate-verify", kwargs={"code": entry.certificate_code})
    return settings.SITE_URL + path


def _style(name: str, size: int, language: str) -> ParagraphStyle:
    return ParagraphStyle(
        name,
        fontName=FONT,
        fontSize=size,
        leading=size * 1.4,
        alignment=TA_CENTER,
        wordWrap="CJK" if language.startswith("zh") else None,
    )


def _paragraph(pdf, text: str, style: ParagraphStyle, *, y: float, width: float, x: float):
    # Paragraph markup is XML-like: the names come from people, so escape them.
    from xml.sax.saxutils import escape

    paragraph = Paragraph(escape(text), style)
    _w, height = paragraph.wrap(width, 200 * mm)
    paragraph.drawOn(pdf, x, y - height)
    return y - height


def render_certificate(entry: Commended) -> bytes:
    """The certificate of ``entry`` in its campaign's language, with a QR code to the public page
    that verifies it. Raises DomainError("font_missing") when the font is not installed."""
    certificate_font()
    campaign = entry.commendation.campaign
    language = campaign.language or settings.LANGUAGE_CODE
    with translation.override(language):
        url = verify_url(entry)
        when = entry.commendation.finalised_at or entry.commendation.publicised_at
        date_text = date_format(when.astimezone(campaign.tz).date(), "DATE_FORMAT") if when else ""
        if entry.is_activity:
            honour = _("Outstanding activity")
            recipient = f"{entry.activity.title}"
            subline = entry.unit.name
        else:
            honour = _("Outstanding unit")
            recipient = entry.unit.name
            subline = ""
        texts = {
            "title": _("Certificate of commendation"),
            "body": _("In %(campaign)s, commended as: %(honour)s")
            % {"campaign": campaign.title, "honour": honour},
            "code": _("Certificate number: %(code)s") % {"code": entry.certificate_code},
            "verify": _("Scan to verify"),
        }
    buffer = io.BytesIO()
    width, height = landscape(A4)
    pdf = canvas.Canvas(buffer, pagesize=(width, height), pageCompression=1)
    pdf.setTitle(f"{texts['title']} · {recipient}")
    pdf.setLineWidth(3)
    pdf.setStrokeColorRGB(0.7, 0.1, 0.1)
    pdf.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    margin = 30 * mm
    inner = width - 2 * margin
    y = height - 30 * mm
    y = _paragraph(pdf, texts["title"], _style("title", 34, language), y=y, width=inner, x=margin)
    y -= 12 * mm
    y = _paragraph(pdf, recipient, _style("recipient", 24, language), y=y, width=inner, x=margin)
    if subline:
        y -= 3 * mm
        y = _paragraph(pdf, subline, _style("sub", 14, language), y=y, width=inner, x=margin)
    y -= 10 * mm
    y = _paragraph(pdf, texts["body"], _style("body", 16, language), y=y, width=inner, x=margin)
    if entry.citation:
        y -= 4 * mm
        _paragraph(
            pdf, entry.citation, _style("citation", 13, language), y=y, width=inner, x=margin
        )
    signature = _style("signature", 14, language)
    _paragraph(pdf, campaign.organiser.name, signature, y=52 * mm, width=inner, x=margin)
    _paragraph(pdf, date_text, signature, y=42 * mm, width=inner, x=margin)
    small = ParagraphStyle("small", parent=_style("small", 9, language), alignment=0)
    _paragraph(pdf, texts["code"], small, y=26 * mm, width=100 * mm, x=20 * mm)
    qr_png = io.BytesIO()
    segno.make(url, error="m", micro=False).save(qr_png, kind="png", scale=6, border=2)
    qr_png.seek(0)
    size = 32 * mm
    pdf.drawImage(ImageReader(qr_png), width - 20 * mm - size, 22 * mm, size, size)
    _paragraph(
        pdf,
        texts["verify"],
        _style("verify", 8, language),
        y=21 * mm,
        width=size,
        x=width - 20 * mm - size,
    )
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
