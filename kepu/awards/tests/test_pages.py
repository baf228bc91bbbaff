"""Workbench and public pages of awards: forms, messages in the user's language, scoping."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from kepu.awards import services
from kepu.awards.models import Commended, Indicator, Objection, Score
from kepu.core.models import AuditEntry

from .helpers import end_period, final_commendation


def url(name, **kwargs):
    with translation.override("en"):
        return reverse(f"awards:{name}", kwargs=kwargs)


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def test_indicator_page_creates_the_defaults_and_refuses_weights_not_adding_to_100(
    as_user, tree, campaign
):
    client = as_user(tree.admin)
    response = client.get(url("work-indicators", pk=campaign.pk))
    assert response.status_code == 200
    assert "重视程度" in response.content.decode()
    ids = list(campaign.indicators.values_list("pk", flat=True))
    data = {
        "ind-TOTAL_FORMS": "5",
        "ind-INITIAL_FORMS": "4",
        "ind-MIN_NUM_FORMS": "0",
        "ind-MAX_NUM_FORMS": "20",
    }
    for n, pk in enumerate(ids):
        data.update(
            {
                f"ind-{n}-id": pk,
                f"ind-{n}-name": f"指标{n}",
                f"ind-{n}-measure": "scored",
                f"ind-{n}-weight": "20",
                f"ind-{n}-order": n,
            }
        )
    response = client.post(url("work-indicators", pk=campaign.pk), data)
    assert response.status_code == 400
    assert "The weights must add up to 100; they add up to 80." in response.content.decode()
    assert set(campaign.indicators.values_list("name", flat=True)) == {
        "重视程度",
        "数量规模",
        "效果亮点",
        "宣传报道",
    }
    data.update({"ind-4-name": "签到人数", "ind-4-measure": "checkins", "ind-4-weight": "20"})
    data["ind-4-order"] = "5"
    response = client.post(url("work-indicators", pk=campaign.pk), data)
    assert response.status_code == 302
    assert campaign.indicators.count() == 5


def test_evaluator_scores_on_the_scoring_page_and_bad_values_are_explained(
    as_user, tree, campaign, published
):
    services.ensure_indicators(campaign, actor=tree.admin)
    attention = Indicator.objects.get(campaign=campaign, order=1)
    client = as_user(tree.reviewer)
    page = client.get(url("work-scoring", pk=campaign.pk))
    assert page.status_code == 200
    assert tree.unit_a.name in page.content.decode()
    prefix = f"u{tree.unit_a.pk}"
    highlights = Indicator.objects.get(campaign=campaign, order=3)
    bad = {
        "unit": tree.unit_a.pk,
        f"{prefix}-i{attention.pk}": "120",
        f"{prefix}-i{highlights.pk}": "70",
    }
    response = client.post(url("work-scoring", pk=campaign.pk), bad)
    assert response.status_code == 400
    assert "Ensure this value is less than or equal to 100." in response.content.decode()
    assert not Score.objects.exists()
    good = {**bad, f"{prefix}-i{attention.pk}": "88", f"{prefix}-comment": "重视"}
    assert client.post(url("work-scoring", pk=campaign.pk), good).status_code == 302
    assert sorted(Score.objects.values_list("value", flat=True)) == [70, 88]


def test_sibling_unit_staff_cannot_reach_the_workbench_of_awards(as_user, tree, campaign):
    client = as_user(tree.reporter_b)
    assert client.get(url("work-ranking", pk=campaign.pk)).status_code == 403
    assert client.get(url("work-scoring", pk=campaign.pk)).status_code == 403


def test_coordinator_below_the_organiser_gets_404_for_the_campaigns_awards(as_user, tree, campaign):
    # awards.manage on the county, but the campaign is organised by the city
    client = as_user(tree.coordinator)
    assert client.get(url("work-ranking", pk=campaign.pk)).status_code == 404


def test_ranking_page_shows_units_ranked(as_user, tree, campaign, make_activity):
    make_activity()
    make_activity(organisation=tree.unit_b, title="水利科普展")
    make_activity(organisation=tree.unit_b, title="节水知识讲座")
    response = as_user(tree.admin).get(url("work-ranking", pk=campaign.pk))
    body = response.content.decode()
    assert response.status_code == 200
    assert body.index(tree.unit_b.name) < body.index(tree.unit_a.name)


def test_commendation_editor_adds_publicises_and_refuses_a_bad_period(
    as_user, tree, campaign, published
):
    client = as_user(tree.admin)
    assert client.get(url("work-commendation", pk=campaign.pk)).status_code == 200
    response = client.post(url("work-commended-add", pk=campaign.pk), {"citation": "x"})
    assert response.status_code == 400
    assert "Choose either a unit or an activity." in response.content.decode()
    response = client.post(
        url("work-commended-add", pk=campaign.pk),
        {"organisation": tree.unit_a.pk, "citation": "工作扎实、成绩突出"},
    )
    assert response.status_code == 302
    response = client.post(url("work-commendation-publicise", pk=campaign.pk), {"days": "0"})
    assert response.status_code == 400
    assert "Ensure this value is greater than or equal to 1." in response.content.decode()
    response = client.post(url("work-commendation-publicise", pk=campaign.pk), {"days": "3"})
    assert response.status_code == 302
    assert Commended.objects.get().commendation.status == "publicised"


def test_public_list_shows_the_deadline_and_takes_objections(client, tree, campaign, published):
    services.add_commended(campaign, actor=tree.admin, organisation=tree.unit_a)
    services.publicise_commendation(campaign, actor=tree.admin, days=3)
    page = client.get(url("commendation-detail", slug=campaign.slug))
    body = page.content.decode()
    assert page.status_code == 200
    assert "open for public objections until" in body
    assert tree.unit_a.name in body
    response = client.post(
        url("objection-create", slug=campaign.slug),
        {"name": "李四", "contact": "abc", "text": "异议"},
    )
    assert response.status_code == 400
    assert "Give a phone number or an e-mail address." in response.content.decode()
    assert not Objection.objects.exists()
    response = client.post(
        url("objection-create", slug=campaign.slug),
        {"name": "李四", "contact": "13912345678", "text": "该活动未实际开展。"},
    )
    assert response.status_code == 302
    assert Objection.objects.get().contact == "13912345678"


def test_a_draft_list_is_not_public(client, tree, campaign, published):
    services.add_commended(campaign, actor=tree.admin, organisation=tree.unit_a)
    assert client.get(url("commendation-detail", slug=campaign.slug)).status_code == 404


def test_objection_list_masks_phone_numbers_and_takes_answers(as_user, tree, campaign, published):
    services.add_commended(campaign, actor=tree.admin, organisation=tree.unit_a)
    commendation = services.publicise_commendation(campaign, actor=tree.admin, days=3)
    objection = services.file_objection(
        commendation, name="李四", contact="13912345678", text="异议", address="10.0.0.1"
    )
    client = as_user(tree.admin)
    body = client.get(url("work-objections", pk=campaign.pk)).content.decode()
    assert "139****5678" in body and "13912345678" not in body
    response = client.post(
        url("work-objection-answer", pk=campaign.pk, objection=objection.pk),
        {f"o{objection.pk}-answer": "经核实,活动已开展。"},
    )
    assert response.status_code == 302
    objection.refresh_from_db()
    assert objection.answered_by == tree.admin
    end_period(commendation)
    response = client.post(url("work-commendation-finalise", pk=campaign.pk), follow=True)
    assert "The commendation list is final" in response.content.decode()
    body = client.get(url("commendation-detail", slug=campaign.slug)).content.decode()
    assert "Final list" in body


def test_finalising_early_shows_why_and_changes_nothing(as_user, tree, campaign, published):
    services.add_commended(campaign, actor=tree.admin, organisation=tree.unit_a)
    services.publicise_commendation(campaign, actor=tree.admin, days=3)
    response = as_user(tree.admin).post(
        url("work-commendation-finalise", pk=campaign.pk), follow=True
    )
    assert "The objection period has not ended yet." in response.content.decode()
    assert not AuditEntry.objects.filter(action="awards.commendation.finalised").exists()


def test_verify_page_shows_a_genuine_certificate_without_phone_numbers(
    client, tree, campaign, published
):
    tree.unit_a.contact_phone = "09558812005"
    tree.unit_a.save()
    commendation = final_commendation(tree, campaign, published)
    for entry in commendation.entries.all():
        response = client.get(url("certificate-verify", code=entry.certificate_code))
        body = response.content.decode()
        assert response.status_code == 200
        assert "This certificate is genuine." in body
        assert entry.recipient in body and campaign.title in body
        assert "09558812005" not in body and published.contact_phone not in body
        # A phone number is a token of its own, not eleven digits inside a longer code.
        assert not re.search(r"(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])", body)
    assert client.get(url("certificate-verify", code="0000DEADBEEF0000")).status_code == 404


def test_certificates_of_a_list_not_yet_final_do_not_verify(client, tree, campaign, published):
    entry = services.add_commended(campaign, actor=tree.admin, organisation=tree.unit_a)
    services.publicise_commendation(campaign, actor=tree.admin, days=3)
    assert client.get(url("certificate-verify", code=entry.certificate_code)).status_code == 404


def test_the_ranking_page_reads_a_fixed_number_of_queries_however_many_units(
    as_user, tree, campaign, make_activity
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kepu.organisations.services import add_organisation

    client = as_user(tree.admin)
    make_activity()
    client.get(url("work-ranking", pk=campaign.pk))  # defaults created
    with CaptureQueriesContext(connection) as few:
        client.get(url("work-ranking", pk=campaign.pk))
    for n in range(3):
        unit = add_organisation(
            parent=tree.county, name=f"沙坡头区第{n}中学", kind="school", level="unit"
        )
        make_activity(organisation=unit, reporter=tree.admin, title=f"科普讲座{n}")
    with CaptureQueriesContext(connection) as many:
        response = client.get(url("work-ranking", pk=campaign.pk))
    assert response.status_code == 200
    assert len(many) == len(few)
