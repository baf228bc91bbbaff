"""End to end in headless Chromium on a phone-sized screen: sign in, start the quiz, answer
(autosaved by the page's script), submit, and read the score and rank."""

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from kepu.quizzes.models import Attempt

from .helpers import bank, open_quiz, right_answers

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_a_participant_takes_the_quiz_on_a_phone(live_server, browser, tree, campaign):
    bank(tree, count=8)
    quiz = open_quiz(tree, campaign, question_count=3)
    context = browser.new_context(viewport={"width": 375, "height": 667}, locale="en-GB")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/en/accounts/login/?next=/en/quizzes/{quiz.pk}/")
    page.get_by_label("Phone number or e-mail").fill(tree.public.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main form").get_by_role("button", name="Sign in").click()
    page.get_by_label("Your region").select_option(label="沙坡头区")
    page.get_by_role("button", name="Start the quiz").click()
    page.wait_for_url("**/quizzes/attempts/**")
    attempt = Attempt.objects.get(user=tree.public)
    keys = right_answers(attempt)
    assert "解析" not in page.content()
    for number, (qid, _options, _multiple) in enumerate(attempt.paper, start=1):
        expect(page.get_by_text(f"Question {number} of 3")).to_be_visible()
        for option_id in keys[str(qid)]:
            box = page.locator(f'input[name="q{qid}"][value="{option_id}"]')
            box.check()
        page.wait_for_timeout(300)  # the autosave request
        if number < 3:
            page.get_by_role("button", name="Save and next").click()
    attempt.refresh_from_db()
    assert len(attempt.answers) == 3
    assert page.locator("[data-timer-text]").inner_text().count(":") == 1
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, "the taking page scrolls sideways on a phone"
    page.get_by_role("button", name="Submit my answers").click()
    page.wait_for_url("**/result/")
    expect(page.locator(".quiz-score-number")).to_have_text("100")
    expect(page.get_by_text("Your rank: 1")).to_be_visible()
    assert errors == []
    context.close()


def test_a_paced_question_gives_way_to_the_next_when_its_time_runs_out(
    live_server, browser, tree, campaign
):
    bank(tree, count=8)
    quiz = open_quiz(
        tree, campaign, question_count=2, time_limit_seconds=None, seconds_per_question=5
    )
    context = browser.new_context(viewport={"width": 375, "height": 667}, locale="en-GB")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/en/accounts/login/?next=/en/quizzes/{quiz.pk}/")
    page.get_by_label("Phone number or e-mail").fill(tree.public.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main form").get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Start the quiz").click()
    page.wait_for_url("**/quizzes/attempts/**")
    attempt = Attempt.objects.get(user=tree.public)
    (first, first_options, _m), (second, _o, _m2) = attempt.paper
    expect(page.get_by_text("Question 1 of 2")).to_be_visible()
    expect(page.get_by_role("button", name="Previous")).to_have_count(0)
    page.locator(f'input[name="q{first}"][value="{first_options[0]}"]').check()
    # Nobody presses Next: when the countdown ends the page shows the second question itself.
    expect(page.get_by_text("Question 2 of 2")).to_be_visible(timeout=15_000)
    expect(page.locator(f'input[name="q{first}"]')).to_have_count(0)
    attempt.refresh_from_db()
    assert attempt.answers == {str(first): [first_options[0]]}  # the autosave kept it
    page.locator(f'input[name="q{second}"]').first.check()
    page.get_by_role("button", name="Submit my answers").click()
    page.wait_for_url("**/result/")
    attempt.refresh_from_db()
    assert attempt.submitted_at is not None and len(attempt.answers) == 2
    assert errors == []
    context.close()


# Every word of the page's main text that the browser laid out over more than one line.
_SPLIT_WORDS = """() => {
  const split = [];
  const walker = document.createTreeWalker(document.querySelector("main"), NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    for (const m of node.data.matchAll(/\\S+/g)) {
      const range = document.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
      if (tops.size > 1) split.push(m[0]);
    }
  }
  return split;
}"""


def test_a_vietnamese_quiz_page_on_a_phone_breaks_lines_between_words(
    live_server, browser, tree, campaign
):
    bank(tree, count=8)
    quiz = open_quiz(
        tree,
        campaign,
        title="Cuộc thi tìm hiểu phòng, chống dịch bệnh truyền nhiễm (luyện tập)",
        rules="Trả lời các câu hỏi trong thời gian quy định; được thi nhiều lần, không tính điểm.",
    )
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{live_server.url}/vi/quizzes/{quiz.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("phòng, chống")
    assert page.evaluate(_SPLIT_WORDS) == []
    context.close()
