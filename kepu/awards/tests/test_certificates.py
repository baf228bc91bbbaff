"""Certificate PDFs: glyphs of both Chinese scripts and Vietnamese, the QR address, scoping."""

import subprocess

import pytest
from django.urls import reverse
from django.utils import translation

from kepu.awards.certificates import render_certificate, verify_url
from kepu.campaigns.models import Campaign
from kepu.core.errors import DomainError
from kepu.organisations.models import Organisation

from .helpers import final_commendation


def url(name, **kwargs):
    with translation.override("en"):
        return reverse(f"awards:{name}", kwargs=kwargs)


def pdf_text(pdf: bytes) -> str:
    done = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True, timeout=30
    )
    return done.stdout.decode()


@pytest.fixture
def final(tree, campaign, published):
    return final_commendation(tree, campaign, published)


@pytest.mark.parametrize(
    ("language", "title", "unit_name"),
    [
        ("zh-hans", "2021年全国科普日", "中卫市沙坡头区第十一小学"),
        ("zh-hant", "2021年全國科普日", "中衛市沙坡頭區第十一小學"),
        ("vi", "Ngày hội Khoa học 2021", "Trường Tiểu học Nguyễn Đình Chiểu"),
    ],
)
def test_certificate_pdf_holds_the_exact_text_in_each_language(
    tree, campaign, final, language, title, unit_name
):
    Campaign.objects.filter(pk=campaign.pk).update(language=language, title=title)
    Organisation.objects.filter(pk=tree.unit_a.pk).update(name=unit_name)
    entry = final.entries.select_related("unit", "commendation__campaign__organiser").get(
        activity__isnull=True
    )
    pdf = render_certificate(entry)
    assert pdf.startswith(b"%PDF")
    text = "".join(pdf_text(pdf).split())
    assert "".join(unit_name.split()) in text
    assert "".join(title.split()) in text
    assert tree.city.name in text
    assert entry.certificate_code in text


def test_the_qr_code_points_at_the_public_verify_page(settings, tree, final):
    settings.SITE_URL = "https://kepu.example.cn"
    entry = final.entries.first()
    address = verify_url(entry)
    assert address.startswith("https://kepu.example.cn/")
    assert address.endswith(f"/zh-hans/certificates/{entry.certificate_code}/")


def test_a_missing_font_is_named_in_the_error(settings, tree, final):
    settings.KEPU_CERTIFICATE_FONT = "/nonexistent/wqy-microhei.ttc"
    with translation.override("en"), pytest.raises(DomainError) as exc:
        render_certificate(final.entries.first())
    assert exc.value.code == "font_missing"
    assert "fonts-wqy-microhei" in exc.value.message


@pytest.mark.parametrize("who", ["admin", "reporter_a", "reviewer"])
def test_organiser_and_the_units_own_staff_download_the_certificate(client, tree, final, who):
    entry = final.entries.get(activity__isnull=True)
    client.force_login(getattr(tree, who))
    response = client.get(url("work-certificate", pk=final.campaign_id, item=entry.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert tree.unit_a.name in pdf_text(response.content)


def test_other_units_staff_get_404_for_a_certificate(client, tree, final):
    client.force_login(tree.reporter_b)
    for entry in final.entries.all():
        response = client.get(url("work-certificate", pk=final.campaign_id, item=entry.pk))
        assert response.status_code == 404


def test_activity_certificate_names_the_activity_and_its_unit(tree, final, published):
    entry = final.entries.get(activity=published)
    text = "".join(pdf_text(render_certificate(entry)).split())
    assert published.title in text and tree.unit_a.name in text


def test_a_certificate_under_another_campaign_address_is_404(client, tree, final):
    entry = final.entries.first()
    client.force_login(tree.admin)
    response = client.get(url("work-certificate", pk=final.campaign_id + 999, item=entry.pk))
    assert response.status_code == 404


def test_the_qr_code_in_the_pdf_encodes_the_verify_address(tmp_path, tree, final):
    import segno
    from PIL import Image

    entry = final.entries.first()
    (tmp_path / "cert.pdf").write_bytes(render_certificate(entry))
    subprocess.run(
        ["pdfimages", "-png", str(tmp_path / "cert.pdf"), str(tmp_path / "img")],
        check=True,
        timeout=30,
    )
    with Image.open(next(tmp_path.glob("img-*.png"))) as image:
        pixels = image.convert("L")
        expected = segno.make(verify_url(entry), error="m", micro=False)
        modules = expected.symbol_size(scale=1, border=2)[0]
        step = pixels.width / modules
        found = [
            [
                pixels.getpixel((int((x + 0.5) * step), int((y + 0.5) * step))) < 128
                for x in range(2, modules - 2)
            ]
            for y in range(2, modules - 2)
        ]
    assert found == [[bool(cell) for cell in row] for row in expected.matrix]
