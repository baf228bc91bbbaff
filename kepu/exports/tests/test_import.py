import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from openpyxl import Workbook, load_workbook

from kepu.activities.labels import AUDIENCES, TOPICS
from kepu.activities.models import Activity, Audience, Topic
from kepu.core.errors import Forbidden
from kepu.core.models import AuditEntry
from kepu.exports import importing, services

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def labels(db):
    for model, rows in ((Audience, AUDIENCES), (Topic, TOPICS)):
        for slug, hans, hant, vi, en in rows:
            model.objects.create(
                slug=slug, name_zh_hans=hans, name_zh_hant=hant, name_vi=vi, name_en=en
            )


def _in(language: str, label) -> str:
    with translation.override(language):
        return str(label)


def _day(days: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def _row(**overrides) -> list:
    values = {
        "title": "碳达峰碳中和科普讲座",
        "description": "面向公众普及生态文明知识。",
        "kind": "讲座",
        "format": "onsite",
        "venue": "沙坡头区第十一小学报告厅",
        "region": "640502",
        "online_url": "",
        "starts_at": f"{_day(3)} 09:00",
        "ends_at": f"{_day(3)} 11:00",
        "audiences": "青少年, Farmers",
        "topics": "carbon",
        "capacity": 50,
        "signup_required": "是",
        "is_key": "no",
        "joint_action": 1,
        "contact_name": "孙浩",
        "contact_phone": "15109558601",
    }
    values.update(overrides)
    return [values[field] for field, *_rest in importing.COLUMNS]


def _xlsx(*rows: list, name: str = "activities.xlsx") -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([str(heading) for _f, heading, *_rest in importing.COLUMNS])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=XLSX)


def test_the_template_has_headings_and_instructions_in_each_language(
    client, tree, campaign, labels
):
    client.force_login(tree.reporter_a)
    for language, title in (("zh-hans", "标题"), ("vi", None), ("en", "Title")):
        response = client.get(
            "/en/work/exports/import/template/",
            {
                "tpl-campaign": campaign.pk,
                "tpl-organisation": tree.unit_a.pk,
                "tpl-language": language,
            },
        )
        assert response.status_code == 200
        workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
        headings = next(workbook.worksheets[0].iter_rows(values_only=True))
        notes = [c for row in workbook.worksheets[1].iter_rows(values_only=True) for c in row if c]
        workbook.close()
        with translation.override(language):
            assert headings[0] == translation.gettext("Title")
            assert translation.gettext(str(Activity.Kind.LECTURE.label)) in notes
        if title:
            assert headings[0] == title
        assert "640502" in notes  # the unit's regions
        assert "水利科普联合行动" in notes  # the campaign's joint actions
        assert "carbon" in notes


def test_the_template_refuses_a_campaign_outside_the_scope(client, tree, campaign):
    client.force_login(tree.reporter_a)
    response = client.get("/en/work/exports/import/template/", {"tpl-organisation": tree.unit_b.pk})
    assert response.status_code == 404


def test_import_creates_every_row_as_a_draft(client, tree, campaign, labels):
    client.force_login(tree.reporter_a)
    upload = _xlsx(
        _row(),
        _row(
            title="云上科技馆",
            kind=_in("zh-hant", Activity.Kind.CLOUD_VISIT.label),
            format=_in("vi", Activity.Format.ONLINE.label),
            venue="",
            region="",
            online_url="https://example.org/live",
            starts_at=dt.datetime.fromisoformat(f"{_day(4)} 19:30"),
            ends_at=dt.datetime.fromisoformat(f"{_day(4)} 21:00"),
            audiences="Người cao tuổi",
            topics="",
            capacity=None,
            signup_required="",
            joint_action="",
        ),
    )
    response = client.post(
        "/en/work/exports/import/",
        {"campaign": campaign.pk, "organisation": tree.unit_a.pk, "file": upload},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    first, second = Activity.objects.order_by("starts_at")
    assert first.status == second.status == Activity.Status.DRAFT
    assert first.organisation == tree.unit_a and first.campaign == campaign
    assert first.kind == "lecture" and first.capacity == 50 and first.signup_required
    assert first.joint_action.title == "水利科普联合行动"
    assert sorted(first.audiences.values_list("slug", flat=True)) == ["farmers", "youth"]
    assert timezone.localtime(first.starts_at, campaign.tz).strftime("%H:%M") == "09:00"
    assert second.kind == "cloud_visit" and second.format == "online"
    assert timezone.localtime(second.starts_at, campaign.tz).strftime("%H:%M") == "19:30"
    assert list(second.audiences.values_list("slug", flat=True)) == ["elders"]
    assert AuditEntry.objects.filter(action="exports.activities.imported").count() == 1
    assert AuditEntry.objects.filter(action="activities.activity.created").count() == 2


def test_a_file_with_bad_rows_lists_each_with_its_row_number_and_imports_nothing(
    client, tree, campaign, labels
):
    client.force_login(tree.reporter_a)
    upload = _xlsx(
        _row(),  # row 2 is fine
        _row(title="", kind="juggling"),  # row 3
        _row(starts_at="next tuesday"),  # row 4
        _row(ends_at=f"{_day(3)} 08:00"),  # row 5: ends before it starts
        _row(capacity=-3, region="999999", audiences="Martians"),  # row 6
    )
    response = client.post(
        "/en/work/exports/import/",
        {"campaign": campaign.pk, "organisation": tree.unit_a.pk, "file": upload},
    )
    assert response.status_code == 400
    assert Activity.objects.count() == 0
    errors = response.context["row_errors"]
    by_row = dict(errors)
    assert sorted(by_row) == [3, 4, 5, 6]
    assert "Title: This field is required." in by_row[3]
    assert "Kind: unknown value “juggling”." in by_row[3]
    assert "Starts:" in by_row[4]
    assert "The end must be after the start." in by_row[5]
    assert "Region: unknown value “999999”." in by_row[6]
    assert "Audiences: unknown value “Martians”." in by_row[6]
    assert "Places:" in by_row[6]
    text = response.content.decode()
    assert "Nothing was imported. Correct the rows below." in text
    assert "juggling" in text


def test_a_file_that_is_not_xlsx_is_refused_by_its_content(client, tree, campaign, labels):
    client.force_login(tree.reporter_a)
    fake = SimpleUploadedFile("activities.xlsx", b"title,kind\n=1+1,lecture\n", content_type=XLSX)
    response = client.post(
        "/en/work/exports/import/",
        {"campaign": campaign.pk, "organisation": tree.unit_a.pk, "file": fake},
    )
    assert response.status_code == 400
    assert "This is not an XLSX file." in response.content.decode()
    assert Activity.objects.count() == 0
    zipped = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    fake_zip = SimpleUploadedFile("a.xlsx", zipped.getvalue(), content_type=XLSX)
    response = client.post(
        "/en/work/exports/import/",
        {"campaign": campaign.pk, "organisation": tree.unit_a.pk, "file": fake_zip},
    )
    assert "This is not an XLSX file." in response.content.decode()


def test_too_many_rows_are_refused(tree, campaign, labels, monkeypatch):
    monkeypatch.setattr(importing, "MAX_ROWS", 2)
    with pytest.raises(services.ImportRejected) as caught:
        services.import_activities(
            _xlsx(_row(), _row(), _row()),
            actor=tree.reporter_a,
            campaign=campaign,
            organisation=tree.unit_a,
        )
    assert caught.value.errors == [(0, "The file has more than 2 rows.")]
    assert Activity.objects.count() == 0


def test_a_unit_cannot_import_into_a_sibling_unit(client, tree, campaign, labels):
    with pytest.raises(Forbidden):
        services.import_activities(
            _xlsx(_row()), actor=tree.reporter_a, campaign=campaign, organisation=tree.unit_b
        )
    client.force_login(tree.reporter_a)
    response = client.post(
        "/en/work/exports/import/",
        {"campaign": campaign.pk, "organisation": tree.unit_b.pk, "file": _xlsx(_row())},
    )
    assert response.status_code == 400  # unit B is not a choice of the form
    assert Activity.objects.count() == 0


def test_a_service_refusal_half_way_rolls_everything_back(tree, campaign, labels, monkeypatch):
    from kepu.activities import services as activity_services

    real = activity_services.create_activity
    calls = []

    def second_fails(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            from kepu.core.errors import DomainError

            raise DomainError("invalid", "refused")
        return real(**kwargs)

    monkeypatch.setattr(activity_services, "create_activity", second_fails)
    with pytest.raises(services.ImportRejected) as caught:
        services.import_activities(
            _xlsx(_row(), _row(), _row()),
            actor=tree.reporter_a,
            campaign=campaign,
            organisation=tree.unit_a,
        )
    assert caught.value.errors == [(3, "refused")]
    assert Activity.objects.count() == 0
    assert not AuditEntry.objects.filter(action="activities.activity.created").exists()
