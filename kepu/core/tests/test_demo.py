"""`manage.py seed_demo` (what `make demo` loads) builds every app's demo and is idempotent."""

import io

import pytest
from django.core.management import call_command

from kepu.activities.models import Activity, Registration
from kepu.awards.models import Commendation, Objection
from kepu.quizzes.models import Quiz
from kepu.reports.models import Summary
from kepu.results.models import Outcome, ResultItem


def counts() -> dict[str, int]:
    models = [Activity, Registration, Outcome, ResultItem, Summary, Commendation, Objection, Quiz]
    return {m.__name__: m.objects.count() for m in models}


@pytest.mark.django_db(transaction=True)
def test_the_demo_has_every_phase_of_a_campaign_and_a_second_run_changes_nothing(
    settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    first = counts()
    assert first["Outcome"] > 0 and first["ResultItem"] == 2  # a news link and a photo
    assert set(Summary.objects.values_list("status", flat=True)) == {"accepted", "returned"}
    assert Commendation.objects.get().status == "publicised" and first["Objection"] == 1
    assert first["Quiz"] == 2
    assert "Password for every demo account" in out.getvalue()
    call_command("seed_demo", stdout=io.StringIO())
    assert counts() == first
