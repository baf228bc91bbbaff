from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AwardsConfig(AppConfig):
    name = "kepu.awards"
    label = "awards"
    verbose_name = _("Evaluation and commendation")
    demo = "kepu.awards.demo.build_awards_demo"  # called by manage.py seed_demo

    def ready(self) -> None:
        from kepu.exports.registry import register

        from .exports import RANKING

        register(RANKING)
