import pytest


@pytest.fixture(autouse=True)
def _fresh_process_caches():
    """Keys and texts of locked questions, and published quizzes for a few seconds, stay in
    process memory; a test database rolled back reuses ids, so each test starts without
    them."""
    from kepu.quizzes import leaderboard, selectors, taking

    taking._KEYS.clear()
    selectors._TEXTS.clear()
    selectors.forget_quiz()
    leaderboard.reset_down()
    yield
    taking._KEYS.clear()
    selectors._TEXTS.clear()
    selectors.forget_quiz()
    leaderboard.reset_down()
