from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuizzesConfig(AppConfig):
    name = "kepu.quizzes"
    label = "quizzes"
    verbose_name = _("Knowledge quizzes")
    demo = "kepu.quizzes.demo.build_quiz_demo"  # called by manage.py seed_demo

    def ready(self) -> None:
        from kepu.exports.registry import register

        from .exports import LEADERBOARD, PARTICIPATION

        register(PARTICIPATION)
        register(LEADERBOARD)
