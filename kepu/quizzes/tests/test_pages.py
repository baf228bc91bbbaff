"""Pages and API: taking without JavaScript, no answer reaching the browser before submitting
(asserted on the actual HTML and JSON), errors in the user's language, the workbench."""

import re

import pytest
from django.utils import timezone, translation

from kepu.core.models import AuditEntry
from kepu.organisations.services import add_region
from kepu.quizzes import api as quiz_api
from kepu.quizzes import taking
from kepu.quizzes.models import Attempt, Best, PrizeDraw, Question, Quiz

from .helpers import api_caller as _api
from .helpers import bank, open_quiz, right_answers, take


@pytest.fixture
def quiz(tree, campaign):
    bank(tree, count=12)
    return open_quiz(tree, campaign)


def _secrets(attempt) -> list[str]:
    """What must not be in the page or JSON before submitting: every explanation, and the
    correct option ids of questions whose key differs from what a page might show anyway."""
    questions = Question.objects.filter(pk__in=attempt.question_ids())
    out = [q.explanation for q in questions]
    return out


def _no_key(text: str, attempt) -> None:
    for secret in _secrets(attempt):
        assert secret not in text
    assert '"correct"' not in text and "correct answer" not in text.lower()
    assert "✓" not in text and "is_right" not in text


def test_taking_without_javascript_one_question_a_page(client, tree, quiz):
    client.force_login(tree.public)
    response = client.post(f"/en/quizzes/{quiz.pk}/start/", {"region": tree.regions.shapotou.pk})
    attempt = Attempt.objects.get(user=tree.public)
    assert response.status_code == 302 and str(attempt.public_id) in response["Location"]
    take_url = f"/en/quizzes/attempts/{attempt.public_id}/"
    keys = right_answers(attempt)
    for number, (qid, _options, _m) in enumerate(attempt.paper, start=1):
        page = client.get(f"{take_url}?q={number}")
        html = page.content.decode()
        assert page.status_code == 200
        assert f'name="q{qid}"' in html and f"Question {number} of 5" in html
        _no_key(html, attempt)
        data = {"shown": str(qid), f"q{qid}": keys[str(qid)], "number": number, "go": "next"}
        moved = client.post(take_url, data)
        assert moved.status_code == 302
    attempt.refresh_from_db()
    assert attempt.answers == keys  # every answer saved as the person went
    done = client.post(take_url, {"go": "submit", "number": 5})
    assert done.status_code == 302 and done["Location"].endswith("/result/")
    result = client.get(done["Location"]).content.decode()
    assert "100" in result and "Your rank: 1" in result
    assert "解析" in result  # explanations after submitting, as the quiz allows


def test_the_whole_paper_in_one_form_works_too(client, tree, quiz):
    client.force_login(tree.public)
    attempt, _ = taking.start_attempt(quiz, user=tree.public)
    url = f"/en/quizzes/attempts/{attempt.public_id}/?all=1"
    html = client.get(url).content.decode()
    assert html.count('name="shown"') == 5
    _no_key(html, attempt)
    data = {"shown": [str(q) for q in attempt.question_ids()], "go": "submit"}
    for qid, good in right_answers(attempt).items():
        data[f"q{qid}"] = good
    response = client.post(url, data)
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.score == 100


def test_explanations_stay_hidden_when_the_quiz_does_not_show_them(client, tree, campaign):
    bank(tree, count=6)
    quiz = open_quiz(tree, campaign, show_answers=False)
    client.force_login(tree.public)
    attempt, _ = taking.start_attempt(quiz, user=tree.public)
    taking.submit_attempt(attempt, user=tree.public, answers=right_answers(attempt))
    html = client.get(f"/en/quizzes/attempts/{attempt.public_id}/result/").content.decode()
    _no_key(html, attempt)


def test_someone_elses_attempt_or_a_made_up_id_is_not_found(client, tree, quiz):
    attempt, _ = taking.start_attempt(quiz, user=tree.public)
    client.force_login(tree.reporter_a)
    assert client.get(f"/en/quizzes/attempts/{attempt.public_id}/").status_code == 404
    assert (
        client.post(
            f"/en/quizzes/attempts/{attempt.public_id}/submit/", {"go": "submit"}
        ).status_code
        == 404
    )
    assert (
        client.get("/en/quizzes/attempts/00000000-0000-4000-8000-000000000000/").status_code == 404
    )
    attempt.refresh_from_db()
    assert attempt.submitted_at is None


def test_a_refusal_is_explained_in_the_users_language(client, tree, quiz):
    client.force_login(tree.public)
    attempt, _ = taking.start_attempt(quiz, user=tree.public)
    taking.submit_attempt(attempt, user=tree.public)
    response = client.post(f"/vi/quizzes/{quiz.pk}/start/", {})
    assert response.status_code == 409
    html = response.content.decode()
    with translation.override("vi"):
        message = translation.gettext("You have no attempts left for this quiz.")
    assert message != "You have no attempts left for this quiz." and message in html
    assert Attempt.objects.filter(user=tree.public).count() == 1


def test_the_quiz_page_offers_a_start_only_while_attempts_are_left(client, tree, campaign):
    bank(tree, count=12)
    quiz = open_quiz(tree, campaign, attempts_policy="per_day", max_attempts=2)
    client.force_login(tree.public)
    url = f"/zh-hans/quizzes/{quiz.pk}/"
    start = "开始答题"
    assert start in client.get(url).content.decode()
    first, _ = taking.start_attempt(quiz, user=tree.public)
    assert start in client.get(url).content.decode()  # the attempt in progress continues
    taking.submit_attempt(first, user=tree.public)
    assert start in client.get(url).content.decode()  # one of today's two left
    second, _ = taking.start_attempt(quiz, user=tree.public)
    taking.submit_attempt(second, user=tree.public)
    html = client.get(url).content.decode()
    assert start not in html
    with translation.override("zh-hans"):
        assert translation.gettext("You have used today's attempts. Come back tomorrow.") in html


def test_autosave_answers_json_and_refuses_unknown_options(client, tree, quiz):
    client.force_login(tree.public)
    attempt, _ = taking.start_attempt(quiz, user=tree.public)
    qid, options, _m = attempt.paper[0]
    url = f"/en/quizzes/attempts/{attempt.public_id}/save/"
    ok = client.post(url, {"shown": str(qid), f"q{qid}": options[0]})
    assert ok.status_code == 200 and ok.json()["answered"] == 1
    bad = client.post(url, {"shown": str(qid), f"q{qid}": "forged"})
    assert bad.status_code == 400 and bad.json()["code"] == "unknown_option"
    attempt.refresh_from_db()
    assert attempt.answers == {str(qid): [options[0]]}


# --- the API ---------------------------------------------------------------------------------


def test_the_api_start_save_submit_journey_never_leaks_the_key(client, tree, quiz):
    call = _api(client, tree.public)
    started = call("POST", f"/quizzes/{quiz.pk}/attempts", {"region": "640502"})
    assert started.status_code == 201
    body = started.content.decode()
    attempt = Attempt.objects.get(user=tree.public)
    _no_key(body, attempt)
    data = started.json()
    assert set(quiz_api.AttemptOut.model_validate(data).model_dump()) == set(data)
    assert len(data["questions"]) == 5 and data["seconds_left"] > 590
    again = call("POST", f"/quizzes/{quiz.pk}/attempts", {})
    assert again.status_code == 200 and again.json()["resumed"] is True
    paper = call("GET", f"/quiz-attempts/{attempt.public_id}")
    _no_key(paper.content.decode(), attempt)
    keys = right_answers(attempt)
    saved = call("PUT", f"/quiz-attempts/{attempt.public_id}/answers", {"answers": keys})
    assert saved.status_code == 200 and saved.json()["answered"] == 5
    result = call("POST", f"/quiz-attempts/{attempt.public_id}/submit", {})
    assert result.status_code == 200
    out = result.json()
    assert (out["score"], out["rank"], out["replayed"]) == (100, 1, False)
    assert out["review"][0]["explanation"].startswith("解析")
    replay = call("POST", f"/quiz-attempts/{attempt.public_id}/submit", {"answers": {}})
    assert replay.json()["replayed"] is True and replay.json()["score"] == 100
    assert Best.objects.count() == 1


def test_api_errors_are_json_with_a_code_in_the_callers_language(client, tree, quiz):
    call = _api(client, tree.public)
    attempt_id = call("POST", f"/quizzes/{quiz.pk}/attempts", {}).json()["id"]
    attempt = Attempt.objects.get(public_id=attempt_id)
    qid = attempt.question_ids()[0]
    other = Question.objects.exclude(pk__in=attempt.question_ids()).first()
    cases = [
        ({"answers": {str(other.pk): [other.options[0]["id"]]}}, "not_in_paper"),
        ({"answers": {str(qid): ["forged"]}}, "unknown_option"),
    ]
    for body, code in cases:
        response = call("PUT", f"/quiz-attempts/{attempt_id}/answers", body)
        assert response.status_code == 400 and response.json()["code"] == code
    vi = call(
        "PUT", f"/quiz-attempts/{attempt_id}/answers", cases[1][0], **{"Accept-Language": "vi"}
    )
    assert vi.json()["code"] == "unknown_option"
    # The attempt is read with the token (quizzes.api.attempt_auth): someone else's attempt,
    # a made-up id and a wrong token all read as nothing, and change nothing.
    stranger = _api(client, tree.reporter_a)
    assert stranger("GET", f"/quiz-attempts/{attempt_id}").status_code == 404
    mine = {"answers": {str(qid): [attempt.paper[0][1][0]]}}
    assert stranger("PUT", f"/quiz-attempts/{attempt_id}/answers", mine).status_code == 404
    assert stranger("POST", f"/quiz-attempts/{attempt_id}/submit", {}).status_code == 404
    made_up = "00000000-0000-4000-8000-000000000000"
    assert call("POST", f"/quiz-attempts/{made_up}/submit", {}).status_code == 404
    assert call("GET", "/quiz-attempts/not-a-uuid").status_code in (404, 422)
    forged = client.post(
        f"/api/v1/quiz-attempts/{attempt_id}/submit",
        data="{}",
        content_type="application/json",
        headers={"Authorization": "Bearer not-a-token"},
    )
    assert forged.status_code == 401
    attempt.refresh_from_db()
    assert attempt.answers == {} and attempt.submitted_at is None


def test_a_submission_after_the_quiz_closed_is_scored_as_it_stood(client, tree, quiz):
    call = _api(client, tree.public)
    attempt_id = call("POST", f"/quizzes/{quiz.pk}/attempts", {}).json()["id"]
    attempt = Attempt.objects.get(public_id=attempt_id)
    past = timezone.now() - timezone.timedelta(minutes=5)
    Attempt.objects.filter(pk=attempt.pk).update(deadline_at=past)
    Quiz.objects.filter(pk=quiz.pk).update(closes_at=past)
    late = call("POST", f"/quiz-attempts/{attempt_id}/submit", {"answers": right_answers(attempt)})
    assert late.status_code == 200 and late.json()["late"] is True and late.json()["score"] == 0
    refused = call("POST", f"/quizzes/{quiz.pk}/attempts", {})
    assert refused.status_code == 409 and refused.json()["code"] == "closed"


# --- the workbench -------------------------------------------------------------------------


def test_the_question_list_takes_a_fixed_number_of_queries(
    client, tree, django_assert_max_num_queries
):
    bank(tree, count=30)
    client.force_login(tree.admin)
    with django_assert_max_num_queries(10):
        response = client.get("/en/work/quizzes/questions/")
    assert response.status_code == 200 and response.content.decode().count("新冠肺炎") == 30


def test_a_county_coordinator_sees_only_the_county_bank(client, tree):
    bank(tree, count=2)
    bank(tree, count=1, organisation=tree.county)
    client.force_login(tree.coordinator)
    html = client.get("/en/work/quizzes/questions/").content.decode()
    assert html.count("新冠肺炎") == 1
    city_question = Question.objects.filter(organisation=tree.city).first()
    assert client.get(f"/en/work/quizzes/questions/{city_question.pk}/").status_code == 404


def _quiz_form(tree, campaign, **fields) -> dict:
    """The quiz form of the workbench filled in for a once-only quiz of the city, with
    ``fields`` added or replaced."""
    return {
        "organisation": tree.city.pk,
        "title": "防疫知识竞赛",
        "opens_at": timezone.localtime(timezone.now(), campaign.tz).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": "2099-01-01T00:00",
        "question_count": "5",
        "languages": ["zh-hans"],
        "attempts_policy": "once",
        "max_attempts": "1",
        "pass_mark": "60",
        **fields,
    }


def test_an_organiser_creates_publishes_and_draws_on_the_workbench(client, tree, campaign):
    bank(tree, count=6)
    client.force_login(tree.admin)
    page = client.get(f"/en/work/campaigns/{campaign.pk}/quizzes/new/")
    assert page.status_code == 200
    data = _quiz_form(
        tree,
        campaign,
        mix="防疫知识; ; 3\n个人防护; ; 2",
        show_answers="on",
        prize_threshold="80",
    )
    created = client.post(f"/en/work/campaigns/{campaign.pk}/quizzes/new/", data)
    assert created.status_code == 302
    quiz = Quiz.objects.get()
    assert quiz.mix[0] == {"topic": "防疫知识", "difficulty": None, "count": 3}
    bad = client.post(f"/en/work/campaigns/{campaign.pk}/quizzes/new/", {**data, "mix": "x"})
    assert bad.status_code == 400 and "Line 1: write topic; difficulty; number." in (
        bad.content.decode()
    )
    assert client.post(f"/en/work/quizzes/{quiz.pk}/publish/").status_code == 302
    quiz.refresh_from_db()
    assert quiz.status == "published"
    assert (
        client.post(f"/en/work/quizzes/{quiz.pk}/draw/", {"winners_count": "2"}).status_code == 302
    )
    assert PrizeDraw.objects.filter(quiz=quiz).exists()
    public = client.get(f"/en/quizzes/{quiz.pk}/draw/").content.decode()
    assert PrizeDraw.objects.get().commitment in public
    assert PrizeDraw.objects.get().seed not in public
    for name in ("statistics/", "suspicious/", "draw/", ""):
        assert client.get(f"/en/work/quizzes/{quiz.pk}/{name}").status_code == 200
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"quizzes.quiz.created", "quizzes.quiz.published", "quizzes.draw.committed"} <= actions


def test_a_quiz_may_be_limited_to_regions_of_the_campaigns_area_only(client, tree, campaign):
    yinchuan = add_region(parent=tree.regions.ningxia, code="6401", name="银川市")
    client.force_login(tree.admin)
    url = f"/en/work/campaigns/{campaign.pk}/quizzes/new/"
    choices = client.get(url).context["form"].fields["eligible_regions"].queryset
    assert list(choices) == [tree.regions.zhongwei, tree.regions.shapotou]  # the city's area
    data = _quiz_form(tree, campaign, eligible_regions=[yinchuan.pk])
    refused = client.post(url, data)
    assert refused.status_code == 400 and not Quiz.objects.exists()
    assert "Select a valid choice" in refused.content.decode()
    within = {**data, "eligible_regions": [tree.regions.shapotou.pk]}
    assert client.post(url, within).status_code == 302
    quiz = Quiz.objects.get()
    assert quiz.eligible_region_ids == [tree.regions.shapotou.pk]


def test_the_campaign_pages_link_to_the_published_quiz(client, tree, quiz, campaign):
    public = client.get(f"/en/campaigns/{campaign.slug}/").content.decode()
    assert f"/en/quizzes/{quiz.pk}/" in public
    client.force_login(tree.admin)
    work = client.get(f"/en/work/campaigns/{campaign.pk}/").content.decode()
    assert f"/en/work/campaigns/{campaign.pk}/quizzes/" in work


def test_the_participation_export_streams_by_region(client, tree, quiz):
    attempt, _ = taking.start_attempt(quiz, user=tree.public, region=tree.regions.shapotou)
    client.force_login(tree.admin)
    response = client.get(
        f"/en/work/exports/export/?kind=quiz-participation&format=csv&quiz={quiz.pk}&by=region"
    )
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert re.search(r"沙坡头区,1,1", text)
    client.force_login(tree.reporter_a)
    refused = client.get(
        f"/en/work/exports/export/?kind=quiz-participation&format=csv&quiz={quiz.pk}"
    )
    assert refused.status_code in (403, 404)


def test_a_second_attempt_does_not_ask_for_the_region_again(client, tree, campaign):
    bank(tree, count=12)
    quiz = open_quiz(tree, campaign, attempts_policy="total", max_attempts=2)
    client.force_login(tree.public)
    first = client.get(f"/en/quizzes/{quiz.pk}/").content.decode()
    assert 'name="region"' in first
    take(quiz, tree.public, right=2, region=tree.regions.shapotou)
    again = client.get(f"/en/quizzes/{quiz.pk}/").content.decode()
    assert 'name="region"' not in again and 'name="organisation"' not in again
    assert "region and organisation of your first attempt" in again
    assert tree.regions.shapotou.name in again
