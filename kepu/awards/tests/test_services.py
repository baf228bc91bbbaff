"""Awards services: indicators, scores, the ranked table, the commendation list and objections."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone, translation

from kepu.activities.models import CheckIn
from kepu.awards import selectors, services
from kepu.awards.models import Commendation, Commended, Indicator, Objection, Score
from kepu.core.errors import Conflict, DomainError, Forbidden, Throttled
from kepu.core.models import AuditEntry
from kepu.results.models import Outcome, ResultItem

from .helpers import end_period, final_commendation

Measure = Indicator.Measure


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def indicators(campaign, admin):
    return {i.measure + str(i.order): i for i in services.ensure_indicators(campaign, actor=admin)}


# --- Indicators -------------------------------------------------------------------------------


def test_default_indicators_are_seed_001s_four_criteria_in_the_campaign_language(tree, campaign):
    created = services.ensure_indicators(campaign, actor=tree.admin)
    assert [i.name for i in created] == ["重视程度", "数量规模", "效果亮点", "宣传报道"]
    assert sum(i.weight for i in created) == 100
    assert [i.measure for i in created] == [
        Measure.SCORED,
        Measure.ACTIVITIES,
        Measure.SCORED,
        Measure.PUBLICITY,
    ]
    assert AuditEntry.objects.filter(action="awards.indicators.defaulted").count() == 1
    # a second call creates nothing
    assert len(services.ensure_indicators(campaign, actor=tree.admin)) == 4
    assert AuditEntry.objects.filter(action="awards.indicators.defaulted").count() == 1


def test_weights_must_add_up_to_100_and_nothing_changes_otherwise(tree, campaign):
    services.ensure_indicators(campaign, actor=tree.admin)
    items = [
        {"name": "重视程度", "measure": "scored", "weight": 50, "order": 1},
        {"name": "参与人数", "measure": "participants", "weight": 40, "order": 2},
    ]
    with pytest.raises(DomainError) as exc:
        services.set_indicators(campaign, actor=tree.admin, items=items)
    assert exc.value.code == "weights_sum"
    assert "add up to 90" in exc.value.message
    assert campaign.indicators.count() == 4
    items[1]["weight"] = 50
    saved = services.set_indicators(campaign, actor=tree.admin, items=items)
    assert [(i.name, i.weight) for i in saved] == [("重视程度", 50), ("参与人数", 50)]
    assert campaign.indicators.count() == 2
    assert AuditEntry.objects.filter(action="awards.indicators.set").exists()


def test_only_the_organisers_managers_set_indicators(tree, campaign):
    items = [{"name": "重视程度", "measure": "scored", "weight": 100, "order": 1}]
    for person in (tree.reviewer, tree.reporter_a, tree.coordinator):
        with pytest.raises(Forbidden):
            services.set_indicators(campaign, actor=person, items=items)
    assert not Indicator.objects.exists()


# --- Scores and ranking -----------------------------------------------------------------------


def test_evaluator_scores_a_unit_and_a_second_call_replaces_the_score(tree, campaign, published):
    ind = indicators(campaign, tree.admin)
    attention = ind["scored1"]
    services.record_scores(
        campaign, actor=tree.reviewer, organisation=tree.unit_a, values={attention.pk: 80}
    )
    services.record_scores(
        campaign,
        actor=tree.reviewer,
        organisation=tree.unit_a,
        values={attention.pk: 90},
        comment="组织有力",
    )
    score = Score.objects.get()
    assert (score.value, score.comment, score.evaluator) == (90, "组织有力", tree.reviewer)
    assert AuditEntry.objects.filter(action="awards.scores.recorded").count() == 2


@pytest.mark.parametrize("value", [-1, 101, None])
def test_a_score_outside_0_to_100_is_refused(tree, campaign, published, value):
    attention = indicators(campaign, tree.admin)["scored1"]
    with pytest.raises(DomainError) as exc:
        services.record_scores(
            campaign, actor=tree.reviewer, organisation=tree.unit_a, values={attention.pk: value}
        )
    assert exc.value.message == "A score is a whole number from 0 to 100."
    assert not Score.objects.exists()


def test_measured_indicators_cannot_be_scored_by_hand(tree, campaign, published):
    number = indicators(campaign, tree.admin)["activities2"]
    with pytest.raises(DomainError) as exc:
        services.record_scores(
            campaign, actor=tree.reviewer, organisation=tree.unit_a, values={number.pk: 50}
        )
    assert exc.value.message == "This indicator is not scored by evaluators."


def test_people_without_awards_evaluate_cannot_score(tree, campaign, published):
    attention = indicators(campaign, tree.admin)["scored1"]
    for person in (tree.reporter_a, tree.coordinator, tree.public):
        with pytest.raises(Forbidden):
            services.record_scores(
                campaign, actor=person, organisation=tree.unit_a, values={attention.pk: 50}
            )
    assert not Score.objects.exists()


def test_ranked_table_normalises_measures_averages_scores_and_weights_the_total(
    tree, campaign, make_activity
):
    services.set_indicators(
        campaign,
        actor=tree.admin,
        items=[
            {"name": "重视程度", "measure": "scored", "weight": 40, "order": 1},
            {"name": "数量规模", "measure": "activities", "weight": 20, "order": 2},
            {"name": "参与人数", "measure": "participants", "weight": 10, "order": 3},
            {"name": "宣传报道", "measure": "publicity", "weight": 10, "order": 4},
            {"name": "重点活动", "measure": "key_activities", "weight": 10, "order": 5},
            {"name": "签到", "measure": "checkins", "weight": 10, "order": 6},
        ],
    )
    a1 = make_activity(is_key=True)
    make_activity(title="节水知识讲座")
    b1 = make_activity(organisation=tree.unit_b, title="水利科普展")
    make_activity(status="draft", title="草稿不算")  # not public: not counted
    Outcome.objects.create(activity=a1, participants_onsite=50, participants_online=50)
    Outcome.objects.create(activity=b1, participants_onsite=200)
    ResultItem.objects.create(activity=b1, kind="link", url="https://example.com/news/1")
    CheckIn.objects.create(activity=a1, name="张三", method="walk_in")
    attention = campaign.indicators.get(order=1)
    services.record_scores(
        campaign, actor=tree.reviewer, organisation=tree.unit_a, values={attention.pk: 80}
    )
    services.record_scores(
        campaign, actor=tree.admin, organisation=tree.unit_a, values={attention.pk: 90}
    )
    services.record_scores(
        campaign, actor=tree.reviewer, organisation=tree.unit_b, values={attention.pk: 60}
    )
    inds, rows = selectors.ranking(campaign)
    by_unit = {row.organisation: row for row in rows}
    a, b = by_unit[tree.unit_a], by_unit[tree.unit_b]
    points = {i.order: i.pk for i in inds}
    assert a.points[points[1]] == Decimal("85.00")  # mean of 80 and 90
    assert a.points[points[2]] == Decimal("100.00") and b.points[points[2]] == Decimal("50.00")
    assert a.raw[points[3]] == Decimal("100.00") and b.points[points[3]] == Decimal("100.00")
    assert a.points[points[3]] == Decimal("50.00")
    assert a.points[points[4]] == Decimal("0.00") and b.points[points[4]] == Decimal("100.00")
    assert a.points[points[5]] == Decimal("100.00") and b.points[points[5]] == Decimal("0.00")
    assert a.points[points[6]] == Decimal("100.00")
    # A: 85*.4 + 100*.2 + 50*.1 + 0 + 100*.1 + 100*.1 = 79; B: 24 + 10 + 10 + 10 = 54
    assert (a.total, b.total) == (Decimal("79.00"), Decimal("54.00"))
    assert [(r.organisation, r.rank) for r in rows] == [(tree.unit_a, 1), (tree.unit_b, 2)]


def test_units_with_the_same_total_share_a_rank(tree, campaign, make_activity):
    services.ensure_indicators(campaign, actor=tree.admin)
    make_activity()
    make_activity(organisation=tree.unit_b, title="水利科普展")
    _inds, rows = selectors.ranking(campaign)
    assert [r.rank for r in rows] == [1, 1]


# --- Commendation list, objection period, finalisation ---------------------------------------


def test_commendation_goes_draft_publicised_final_with_audit(tree, campaign, published):
    commendation = final_commendation(tree, campaign, published)
    assert commendation.status == Commendation.Status.FINAL
    assert commendation.entries.count() == 2
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "awards.commended.added",
        "awards.commendation.publicised",
        "awards.commendation.finalised",
    } <= actions


def test_the_same_unit_or_activity_cannot_be_listed_twice(tree, campaign, published):
    services.add_commended(campaign, actor=tree.admin, organisation=tree.unit_a)
    services.add_commended(campaign, actor=tree.admin, activity=published)  # same unit: fine
    with pytest.raises(Conflict) as exc:
        services.add_commended(campaign, actor=tree.admin, organisation=tree.unit_a)
    assert exc.value.code == "duplicate"
    with pytest.raises(Conflict):
        services.add_commended(campaign, actor=tree.admin, activity=published)
    assert Commended.objects.count() == 2


def test_unpublished_activities_do_not_qualify(tree, campaign, make_activity):
    draft = make_activity(status="draft")
    with pytest.raises(DomainError) as exc:
        services.add_commended(campaign, actor=tree.admin, activity=draft)
    assert exc.value.message == "Only published activities of this campaign qualify."


def test_an_empty_list_cannot_be_publicised(tree, campaign):
    with pytest.raises(DomainError) as exc:
        services.publicise_commendation(campaign, actor=tree.admin, days=3)
    assert exc.value.code == "empty"
    assert not Commendation.objects.exclude(status="draft").exists()


def test_a_publicised_list_is_frozen(tree, campaign, published):
    services.add_commended(campaign, actor=tree.admin, organisation=tree.unit_a)
    commendation = services.publicise_commendation(campaign, actor=tree.admin, days=3)
    assert commendation.objections_until > timezone.now() + dt.timedelta(days=2, hours=23)
    with pytest.raises(Conflict) as exc:
        services.add_commended(campaign, actor=tree.admin, activity=published)
    assert exc.value.code == "not_draft"
    attention = (
        campaign.indicators.filter(measure="scored").first()
        or indicators(campaign, tree.admin)["scored1"]
    )
    with pytest.raises(Conflict):
        services.record_scores(
            campaign, actor=tree.reviewer, organisation=tree.unit_a, values={attention.pk: 50}
        )


def test_anyone_may_object_during_the_period_only(tree, campaign, published):
    services.add_commended(campaign, actor=tree.admin, organisation=tree.unit_a)
    commendation = services.publicise_commendation(campaign, actor=tree.admin, days=3)
    objection = services.file_objection(
        commendation,
        name="李四",
        contact="139 1234 5678",
        text="该单位活动未实际开展。",
        address="10.0.0.1",
    )
    assert objection.contact == "13912345678"
    assert objection.masked_contact == "139****5678"
    end_period(commendation)
    with pytest.raises(Conflict) as exc:
        services.file_objection(
            commendation,
            name="王五",
            contact="wang@example.com",
            text="迟到的异议",
            address="10.0.0.2",
        )
    assert exc.value.message == "The objection period is over."
    assert Objection.objects.count() == 1


def test_objections_need_a_name_a_text_and_a_reachable_contact(tree, campaign, published):
    services.add_commended(campaign, actor=tree.admin, organisation=tree.unit_a)
    commendation = services.publicise_commendation(campaign, actor=tree.admin, days=3)
    with pytest.raises(DomainError) as exc:
        services.file_objection(
            commendation, name="李四", contact="not reachable", text="x", address="10.0.0.1"
        )
    assert exc.value.code == "invalid_contact"
    with pytest.raises(DomainError) as exc:
        services.file_objection(
            commendation, name=" ", contact="13912345678", text="x", address="10.0.0.1"
        )
    assert exc.value.code == "invalid"
    assert not Objection.objects.exists()


def test_anonymous_objections_are_throttled_per_address(tree, campaign, published):
    services.add_commended(campaign, actor=tree.admin, organisation=tree.unit_a)
    commendation = services.publicise_commendation(campaign, actor=tree.admin, days=3)
    for n in range(services.OBJECTION_LIMIT[0]):
        services.file_objection(
            commendation, name=f"人{n}", contact="13912345678", text="异议", address="10.9.9.9"
        )
    with pytest.raises(Throttled):
        services.file_objection(
            commendation, name="再来", contact="13912345678", text="异议", address="10.9.9.9"
        )
    assert Objection.objects.count() == services.OBJECTION_LIMIT[0]
    cache.clear()


def test_finalising_needs_the_period_over_and_every_objection_answered(tree, campaign, published):
    services.add_commended(campaign, actor=tree.admin, organisation=tree.unit_a)
    commendation = services.publicise_commendation(campaign, actor=tree.admin, days=3)
    objection = services.file_objection(
        commendation, name="李四", contact="13912345678", text="异议", address="10.0.0.1"
    )
    with pytest.raises(Conflict) as exc:
        services.finalise_commendation(campaign, actor=tree.admin)
    assert exc.value.code == "period_running"
    end_period(commendation)
    with pytest.raises(Conflict) as exc:
        services.finalise_commendation(campaign, actor=tree.admin)
    assert exc.value.message == "Answer every objection before making the list final."
    with pytest.raises(Forbidden):
        services.answer_objection(objection, actor=tree.reviewer, answer="已核实")
    with pytest.raises(DomainError):
        services.answer_objection(objection, actor=tree.admin, answer="  ")
    services.answer_objection(objection, actor=tree.admin, answer="经核实,活动已开展。")
    final = services.finalise_commendation(campaign, actor=tree.admin)
    assert final.status == "final" and final.finalised_at is not None
    assert AuditEntry.objects.filter(action="awards.objection.answered").exists()
    with pytest.raises(Conflict):
        services.answer_objection(objection, actor=tree.admin, answer="改口")


def test_a_draft_list_cannot_be_finalised(tree, campaign, published):
    services.add_commended(campaign, actor=tree.admin, organisation=tree.unit_a)
    with pytest.raises(Conflict) as exc:
        services.finalise_commendation(campaign, actor=tree.admin)
    assert exc.value.code == "not_publicised"


def test_the_ranking_export_is_registered_and_scoped(tree, campaign, published):
    from kepu.exports.registry import get

    services.ensure_indicators(campaign, actor=tree.admin)
    kind = get("campaign-ranking")
    assert kind is not None and kind.permission == "awards.manage"
    rows = list(kind.rows(tree.admin, {"campaign": campaign.pk}))
    assert rows[0][:2] == [1, tree.unit_a.name]
    assert len(kind.columns({"campaign": campaign.pk})) == 2 + 4 + 1
    assert list(kind.rows(tree.reporter_b, {"campaign": campaign.pk})) == []


def test_the_ranking_export_refuses_a_campaign_out_of_scope_before_writing(tree, campaign):
    import pytest

    from kepu.core.errors import NotFound
    from kepu.exports.registry import get

    services.ensure_indicators(campaign, actor=tree.admin)
    kind = get("campaign-ranking")
    assert kind.count(tree.admin, {"campaign": campaign.pk}) >= 0
    with pytest.raises(NotFound):
        kind.count(tree.coordinator, {"campaign": campaign.pk})  # the county, not the organiser
    with pytest.raises(NotFound):
        kind.count(tree.admin, {"campaign": "nope"})
