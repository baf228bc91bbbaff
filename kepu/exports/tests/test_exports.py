import csv
import io

import pytest
from django.http import StreamingHttpResponse
from django.utils import translation
from openpyxl import load_workbook

from kepu.activities import services as activity_services
from kepu.core.errors import NotFound
from kepu.core.models import AuditEntry
from kepu.exports import registry, services, writers
from kepu.exports.models import ExportJob


def _url(**params):
    from django.utils.http import urlencode

    return "/en/work/exports/export/?" + urlencode(params)


def _content(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def _csv_rows(response) -> list[list[str]]:
    text = _content(response).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def _xlsx_rows(data: bytes) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    workbook.close()
    return rows


def test_neutralise_prefixes_formula_starts_and_keeps_numbers():
    assert writers.neutralise("=1+1") == "'=1+1"
    assert writers.neutralise("+86 138") == "'+86 138"
    assert writers.neutralise("-2") == "'-2"
    assert writers.neutralise("@SUM(A1)") == "'@SUM(A1)"
    assert writers.neutralise("\t=cmd") == "'\t=cmd"
    assert writers.neutralise("\r=cmd") == "'\r=cmd"
    assert writers.neutralise("讲座") == "讲座"
    assert writers.neutralise(-5) == -5
    assert writers.neutralise(2.5) == 2.5
    assert writers.neutralise(None) == ""


def test_csv_export_neutralises_formulas_and_streams(client, tree, make_activity):
    make_activity(title='=HYPERLINK("http://evil","x")', contact_name="@admin")
    client.force_login(tree.reporter_a)
    response = client.get(_url(kind="activities", format="csv"))
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    header, row = _csv_rows(response)
    assert header[:3] == ["ID", "Title", "Organiser unit"]
    assert row[1] == '\'=HYPERLINK("http://evil","x")'
    assert row[header.index("Contact person")] == "'@admin"
    assert row[header.index("Contact phone")] == "151****8601"  # masked


def test_xlsx_export_neutralises_formulas_and_keeps_numbers(client, tree, make_activity):
    make_activity(title="=1+1", capacity=20)
    client.force_login(tree.reporter_a)
    response = client.get(_url(kind="activities", format="xlsx"))
    assert response.status_code == 200
    assert response.streaming
    header, row = _xlsx_rows(_content(response))
    assert row[1] == "'=1+1"  # text, not a formula
    assert row[header.index("Places")] == 20  # a number stays a number
    assert isinstance(row[0], int)


def test_headings_are_in_the_users_language(client, tree, make_activity):
    make_activity()
    client.force_login(tree.reporter_a)
    url = _url(kind="activities", format="csv").replace("/en/", "/vi/", 1)
    header, row = _csv_rows(client.get(url))
    with translation.override("vi"):
        assert header[1] == translation.gettext("Title")
    zh_url = _url(kind="activities", format="xlsx").replace("/en/", "/zh-hans/", 1)
    zh_header = _xlsx_rows(_content(client.get(zh_url)))[0]
    with translation.override("zh-hans"):
        assert zh_header[1] == translation.gettext("Title")
    assert header[1] != zh_header[1]


def test_activities_export_keeps_the_list_filters_and_scope(client, tree, make_activity):
    make_activity(title="甲单位讲座")
    make_activity(title="甲单位草稿", status="draft")
    make_activity(title="乙单位讲座", organisation=tree.unit_b)
    client.force_login(tree.reporter_a)
    rows = _csv_rows(client.get(_url(kind="activities", format="csv")))[1:]
    assert sorted(r[1] for r in rows) == ["甲单位草稿", "甲单位讲座"]
    rows = _csv_rows(client.get(_url(kind="activities", format="csv", status="draft")))[1:]
    assert [r[1] for r in rows] == ["甲单位草稿"]
    rows = _csv_rows(client.get(_url(kind="activities", format="csv", q="讲座")))[1:]
    assert [r[1] for r in rows] == ["甲单位讲座"]


def test_a_filter_outside_the_users_scope_is_not_found(client, tree, campaign, make_activity):
    make_activity()
    client.force_login(tree.reporter_a)
    assert client.get(_url(kind="activities", format="csv", campaign=999999)).status_code == 404
    assert client.get(_url(kind="activities", format="csv", status="nonsense")).status_code == 404
    assert client.get(_url(kind="nothing", format="csv")).status_code == 404
    assert client.get(_url(kind="activities", format="pdf")).status_code == 404


def test_registrations_export_masks_phones(client, tree, published):
    activity_services.register_for_activity(
        published.pk, user=tree.public, name="=公众甲", phone="13800000001", consent=True
    )
    client.force_login(tree.reporter_a)
    header, row = _csv_rows(
        client.get(_url(kind="registrations", format="csv", activity=published.pk))
    )
    assert row[header.index("Name")] == "'=公众甲"
    assert row[header.index("Phone number")] == "138****0001"
    assert "13800000001" not in ",".join(row)


def test_unit_b_cannot_export_unit_as_registrations(client, tree, published):
    activity_services.register_for_activity(
        published.pk, user=tree.public, name="公众甲", phone="13800000001", consent=True
    )
    client.force_login(tree.reporter_b)
    for fmt in ("csv", "xlsx"):
        response = client.get(_url(kind="registrations", format=fmt, activity=published.pk))
        assert response.status_code == 404
    with pytest.raises(NotFound):
        list(registry.get("registrations").rows(tree.reporter_b, {"activity": published.pk}))


def test_people_without_a_membership_cannot_export(client, tree, published):
    client.force_login(tree.public)
    assert client.get(_url(kind="activities", format="csv")).status_code == 403


def test_a_large_export_runs_as_a_job_downloadable_only_by_its_requester(
    client, tree, make_activity, settings, django_capture_on_commit_callbacks
):
    settings.KEPU_EXPORT_INLINE_ROWS = 1
    make_activity(title="讲座一")
    make_activity(title="=讲座二")
    client.force_login(tree.reporter_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(_url(kind="activities", format="xlsx").replace("/en/", "/vi/", 1))
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/vi/work/exports/jobs/{job.pk}/"
    assert job.status == ExportJob.Status.DONE
    assert (job.language, job.total, job.done) == ("vi", 2, 2)
    assert AuditEntry.objects.filter(action="exports.job.queued", object_id=str(job.pk)).exists()
    page = client.get(f"/en/work/exports/jobs/{job.pk}/")
    assert page.status_code == 200
    assert b'http-equiv="refresh"' not in page.content
    download = f"/en/work/exports/jobs/{job.pk}/download/"
    response = client.get(download)
    assert response.status_code == 200
    header, *rows = _xlsx_rows(_content(response))
    with translation.override("vi"):
        assert header[1] == translation.gettext("Title")
    assert sorted(r[1] for r in rows) == ["'=讲座二", "讲座一"]
    for other in (tree.reporter_b, tree.admin):
        client.force_login(other)
        assert client.get(download).status_code == 404
        assert client.get(f"/en/work/exports/jobs/{job.pk}/").status_code == 404


def test_a_queued_job_page_refreshes_itself(client, tree, make_activity, settings):
    settings.KEPU_EXPORT_INLINE_ROWS = 0
    make_activity()
    client.force_login(tree.reporter_a)
    response = client.get(_url(kind="activities", format="csv"), follow=True)
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.QUEUED  # the task runs after the commit
    assert b'http-equiv="refresh"' in response.content
    assert client.get(f"/en/work/exports/jobs/{job.pk}/download/").status_code == 404


def test_a_job_that_fails_half_way_keeps_no_file(tree, make_activity, monkeypatch, settings):
    make_activity()
    make_activity()
    job = services.start_export_job(tree.reporter_a, kind_name="activities", params={}, fmt="xlsx")
    real = registry.get("activities")

    def broken_rows(user, params):
        yield from list(real.rows(user, params))[:1]
        raise RuntimeError("the database went away")

    monkeypatch.setitem(
        registry._KINDS, "activities", registry.ExportKind(**{**real.__dict__, "rows": broken_rows})
    )
    services.run_export(job)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED
    assert job.error == "RuntimeError"
    assert not job.file
    folder = settings.MEDIA_ROOT / "private" / "exports"
    assert not folder.exists() or not any(folder.iterdir())


def test_a_job_runs_with_the_scope_of_its_requester(tree, make_activity):
    make_activity(title="甲单位讲座")
    make_activity(title="乙单位讲座", organisation=tree.unit_b)
    job = services.start_export_job(tree.reporter_b, kind_name="activities", params={}, fmt="csv")
    services.run_export(job)
    job.refresh_from_db()
    with job.file.open("rb") as stored:
        text = stored.read().decode("utf-8-sig")
    assert "乙单位讲座" in text and "甲单位讲座" not in text


def test_the_xlsx_writer_keeps_types_and_escapes_text(tmp_path):
    import datetime as dt

    path = tmp_path / "t.xlsx"
    rows = [
        [1, 2.5, True, "a < b & c > d", "bell\x07gone", dt.datetime(2021, 9, 15, 9, 30)],
        [None, -3, False, "+86 138", "第二行", dt.date(2021, 9, 15)],
    ]
    assert writers.write_xlsx(path, ["=A", "B", "C", "D", "E", "F"], rows, title="a/b:c") == 2
    workbook = load_workbook(path)
    sheet = workbook.active
    assert sheet.title == "a b c"
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == ["'=A", "B", "C", "D", "E", "F"]
    assert values[1] == [1, 2.5, True, "a < b & c > d", "bellgone", dt.datetime(2021, 9, 15, 9, 30)]
    assert values[2][:5] == [None, -3, False, "'+86 138", "第二行"]
    assert values[2][5] == dt.datetime(2021, 9, 15)
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    workbook.close()


def test_the_activity_list_links_to_exports_of_the_same_filters(client, tree, make_activity):
    make_activity(title="讲座", status="draft")
    client.force_login(tree.reporter_a)
    page = client.get("/en/work/activities/", {"status": "draft", "q": "讲 座&x"}).content.decode()
    assert (
        "/en/work/exports/export/?kind=activities&amp;format=xlsx&amp;status=draft"
        "&amp;campaign=&amp;q=%E8%AE%B2%20%E5%BA%A7%26x"
    ) in page
    assert "/en/work/exports/import/" in page
    link = "/en/work/exports/export/?kind=activities&format=csv&status=draft&campaign=&q=讲"
    assert [r[1] for r in _csv_rows(client.get(link))[1:]] == ["讲座"]


def test_a_small_export_is_audited_too(client, tree, published):
    client.force_login(tree.reporter_a)
    response = client.get(_url(kind="registrations", activity=published.pk, format="csv"))
    assert response.status_code == 200
    entry = AuditEntry.objects.get(action="exports.inline.downloaded")
    assert entry.actor == tree.reporter_a
    assert entry.after["kind"] == "registrations"


def test_exports_are_deleted_with_their_files_after_the_keeping_period(
    client, tree, make_activity, settings, django_capture_on_commit_callbacks
):
    import datetime as dt

    from django.core.files.storage import default_storage
    from django.core.management import call_command
    from django.utils import timezone

    settings.KEPU_EXPORT_INLINE_ROWS = 0
    settings.KEPU_EXPORT_KEEP_DAYS = 7
    make_activity(title="讲座一")
    client.force_login(tree.reporter_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(_url(kind="activities", format="csv"))
    job = ExportJob.objects.get()
    name = job.file.name
    assert default_storage.exists(name)
    assert services.delete_expired_exports(now=timezone.now() + dt.timedelta(days=6)) == 0
    assert default_storage.exists(name)
    ExportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - dt.timedelta(days=8))
    out = io.StringIO()
    call_command("delete_expired_exports", stdout=out)
    assert "1 export(s)" in out.getvalue()
    assert not ExportJob.objects.exists() and not default_storage.exists(name)
    response = client.get(f"/en/work/exports/jobs/{job.pk}/download/")
    assert response.status_code == 404
