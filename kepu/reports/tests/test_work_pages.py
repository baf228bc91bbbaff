"""Workbench pages for summaries: the unit's pages, the organiser's overview and review."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from kepu.reports import services
from kepu.reports.models import Summary

Status = Summary.Status


def url(name, *args):
    with translation.override("en"):
        return reverse(f"reports:{name}", args=args)


@pytest.fixture
def summary(tree, campaign):
    return services.start_summary(campaign, organisation=tree.unit_a, actor=tree.reporter_a)


def test_unit_starts_writes_corrects_and_submits_its_summary(client, tree, campaign, make_activity):
    make_activity()
    client.force_login(tree.reporter_a)
    listing = client.get(url("summary-list"))
    assert listing.status_code == 200
    open_url = url("summary-open", campaign.pk, tree.unit_a.pk)
    assert open_url in listing.content.decode()
    assert client.get(open_url).status_code == 200
    response = client.post(open_url)
    summary = Summary.objects.get(campaign=campaign, organisation=tree.unit_a)
    assert response["Location"] == url("summary-detail", summary.pk)

    client.post(url("summary-edit", summary.pk), {"text": "开展科普讲座一场。"})
    response = client.post(
        url("summary-correct", summary.pk), {"key": "participants_onsite", "value": "35"}
    )
    assert response.status_code == 400
    assert "a reason is required" in response.content.decode()
    summary.refresh_from_db()
    assert summary.corrections == {}
    client.post(
        url("summary-correct", summary.pk),
        {"key": "participants_onsite", "value": "35", "reason": "现场签到表"},
    )
    page = client.get(url("summary-detail", summary.pk)).content.decode()
    assert "现场签到表" in page and "Statistics table" in page

    response = client.post(url("summary-submit", summary.pk), follow=True)
    assert "submitted to the organiser" in response.content.decode()
    summary.refresh_from_db()
    assert summary.status == Status.SUBMITTED
    assert summary.table["participants_onsite"]["value"] == 35


def test_submitting_after_the_deadline_shows_the_reason(client, tree, campaign, summary):
    services.save_summary(summary, actor=tree.reporter_a, text="总结")
    campaign.summary_by = timezone.now() - dt.timedelta(hours=1)
    campaign.save()
    client.force_login(tree.reporter_a)
    response = client.post(url("summary-submit", summary.pk), follow=True)
    assert "Ask the organiser to reopen it" in response.content.decode()
    summary.refresh_from_db()
    assert summary.status == Status.DRAFT


def test_unit_b_gets_404_for_unit_as_summary(client, tree, campaign, summary):
    client.force_login(tree.reporter_b)
    assert client.get(url("summary-detail", summary.pk)).status_code == 404
    response = client.post(url("summary-edit", summary.pk), {"text": "篡改"})
    assert response.status_code == 404
    assert client.get(url("summary-open", campaign.pk, tree.unit_a.pk)).status_code == 404
    summary.refresh_from_db()
    assert summary.text == ""


def test_organiser_sees_every_unit_and_returns_with_a_comment(client, tree, campaign, summary):
    services.save_summary(summary, actor=tree.reporter_a, text="总结")
    services.submit_summary(summary, actor=tree.reporter_a)
    client.force_login(tree.admin)
    page = client.get(url("campaign-summaries", campaign.pk)).content.decode()
    assert tree.unit_a.name in page and tree.unit_b.name in page
    assert "not started" in page

    response = client.post(url("summary-review", summary.pk, "return"), {"comment": ""})
    assert response.status_code == 400
    assert "Say what the unit should revise." in response.content.decode()
    client.post(url("summary-review", summary.pk, "return"), {"comment": "请补充照片。"})
    summary.refresh_from_db()
    assert summary.status == Status.RETURNED and summary.review_comment == "请补充照片。"

    client.force_login(tree.reporter_a)
    page = client.get(url("summary-detail", summary.pk)).content.decode()
    assert "请补充照片。" in page and "Save the draft" in page


def test_the_sibling_unit_and_the_reviewer_cannot_open_the_overview(client, tree, campaign):
    for person in (tree.reporter_b, tree.reviewer):
        client.force_login(person)
        assert client.get(url("campaign-summaries", campaign.pk)).status_code in (403, 404)


def test_user_text_is_escaped(client, tree, summary):
    services.save_summary(summary, actor=tree.reporter_a, text="<script>alert(1)</script>")
    client.force_login(tree.reporter_a)
    page = client.get(url("summary-detail", summary.pk)).content.decode()
    assert "<script>alert(1)</script>" not in page


def test_organiser_sees_accept_and_return_on_a_submitted_summary(client, tree, summary):
    services.save_summary(summary, actor=tree.reporter_a, text="总结")
    services.submit_summary(summary, actor=tree.reporter_a)
    client.force_login(tree.admin)
    page = client.get(url("summary-detail", summary.pk)).content.decode()
    assert url("summary-review", summary.pk, "accept") in page
    assert url("summary-review", summary.pk, "return") in page
    assert "Save the draft" not in page  # the organiser does not write the unit's summary
    client.post(url("summary-review", summary.pk, "accept"), {"comment": ""})
    summary.refresh_from_db()
    assert summary.status == Status.ACCEPTED


def test_the_overview_takes_a_fixed_number_of_queries(
    client, tree, campaign, django_assert_max_num_queries
):
    from kepu.organisations.services import add_organisation

    for number in range(5):
        unit = add_organisation(
            parent=tree.county, name=f"第{number}中学", kind="school", level="unit"
        )
        services.start_summary(campaign, organisation=unit, actor=tree.admin)
    client.force_login(tree.admin)
    with django_assert_max_num_queries(12):
        response = client.get(url("campaign-summaries", campaign.pk))
    assert response.status_code == 200
    assert "第4中学" in response.content.decode()


def test_a_campaign_the_unit_does_not_take_part_in_is_404(client, tree, campaign):
    from kepu.campaigns.services import create_campaign

    now = timezone.now()
    # A campaign of the province's other branch: unit A takes no part in it.
    elsewhere = create_campaign(
        actor=tree.admin,
        organiser=tree.unit_b,
        title="水务局内部宣传周",
        slug="water-week",
        theme="",
        starts_on=now.date(),
        ends_on=(now + dt.timedelta(days=5)).date(),
        time_zone="Asia/Shanghai",
    )
    client.force_login(tree.reporter_a)
    response = client.get(url("summary-open", elsewhere.pk, tree.unit_a.pk))
    assert response.status_code == 404
    assert "水务局内部宣传周" not in response.content.decode()
    assert client.get(url("summary-open", campaign.pk, tree.unit_a.pk)).status_code == 200


def test_the_organiser_downloads_where_every_units_summary_stands(client, tree, campaign, summary):
    import csv
    import io

    services.save_summary(summary, actor=tree.reporter_a, text="总结")
    services.submit_summary(summary, actor=tree.reporter_a)
    client.force_login(tree.admin)
    page = client.get(url("campaign-summaries", campaign.pk)).content.decode()
    assert "kind=campaign-summaries&amp;format=xlsx" in page
    response = client.get(
        "/en/work/exports/export/",
        {"kind": "campaign-summaries", "format": "csv", "campaign": campaign.pk},
    )
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    rows = {r[0]: r for r in csv.reader(io.StringIO(text))}
    assert rows[tree.unit_a.name][1] == "submitted" and rows[tree.unit_a.name][2]
    assert rows[tree.unit_b.name][1] == "not started"
    # A unit's staff, and the county reviewer without reports.review, get nothing.
    for other in (tree.reporter_b, tree.reviewer):
        client.force_login(other)
        response = client.get(
            "/en/work/exports/export/",
            {"kind": "campaign-summaries", "format": "csv", "campaign": campaign.pk},
        )
        assert response.status_code in (403, 404)
