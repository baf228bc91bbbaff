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
        _forget_changed_quizzes()


def _forget_changed_quizzes() -> None:
    """Quizzes kept in process memory (selectors.quiz_by_id) are forgotten as soon as this
    process saves, deletes or changes the eligibility of one — and again after the commit, in
    case a request read the row meanwhile — and all of them when a campaign is saved."""
    from django.db import transaction
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from kepu.campaigns.models import Campaign

    from . import selectors
    from .models import Quiz

    def forget(pk: int | None) -> None:
        selectors.forget_quiz(pk)
        transaction.on_commit(lambda: selectors.forget_quiz(pk))

    def quiz_changed(sender, instance, **kwargs) -> None:
        forget(instance.pk)

    def eligibility_changed(sender, instance, **kwargs) -> None:
        forget(instance.pk if isinstance(instance, Quiz) else None)

    def campaign_changed(sender, instance, **kwargs) -> None:
        forget(None)

    uid = "kepu.quizzes.forget"
    post_save.connect(quiz_changed, sender=Quiz, weak=False, dispatch_uid=uid)
    post_delete.connect(quiz_changed, sender=Quiz, weak=False, dispatch_uid=uid)
    for through in (Quiz.eligible_regions.through, Quiz.eligible_organisations.through):
        m2m_changed.connect(eligibility_changed, sender=through, weak=False, dispatch_uid=uid)
    post_save.connect(campaign_changed, sender=Campaign, weak=False, dispatch_uid=uid)
