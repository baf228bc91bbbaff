from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResultsConfig(AppConfig):
    name = "kepu.results"
    label = "results"
    verbose_name = _("Results")
    demo = "kepu.results.demo.build_results_demo"  # called by manage.py seed_demo
