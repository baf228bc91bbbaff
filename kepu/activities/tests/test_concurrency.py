"""Sign-up and check-in under real concurrency: separate threads, separate connections."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from conftest import make_user
from kepu.activities import services
from kepu.activities.models import Activity, CheckIn, Registration
from kepu.core.errors import DomainError

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("concurrency")]

ON_POSTGRES = connection.vendor == "postgresql"
# PostgreSQL allows 100 connections by default; 40 at once is plenty of contention.
WORKERS = 40


def run_all(calls):
    """Run the callables at once (released together by a barrier); each thread has its own
    database connection, closed when it is done. Returns (results, errors)."""
    barrier = threading.Barrier(min(len(calls), WORKERS))
    results, errors = [], []
    lock = threading.Lock()

    def worker(call):
        try:
            try:
                barrier.wait(timeout=10)
            except threading.BrokenBarrierError:
                pass
            outcome = call()
            with lock:
                results.append(outcome)
        except DomainError as exc:
            with lock:
                errors.append(exc.code)
        except Exception as exc:  # noqa: BLE001 - anything else is a failure of the test
            with lock:
                errors.append(f"unexpected: {exc!r}")
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        list(pool.map(worker, calls))
    return results, errors


def signups(activity, users):
    return [
        (lambda u=u: services.register_for_activity(activity.pk, user=u, name=u.name, consent=True))
        for u in users
    ]


@pytest.fixture
def crowd(published):
    Activity.objects.filter(pk=published.pk).update(capacity=20)
    users = [make_user(f"1370000{i:04d}", f"并发{i}") for i in range(200)]
    return published, users


def test_200_concurrent_signups_for_20_places_confirm_exactly_20_and_lose_none(crowd):
    activity, users = crowd
    results, errors = run_all(signups(activity, users))
    assert errors == []
    assert len(results) == 200
    confirmed = Registration.objects.filter(activity=activity, status="confirmed").count()
    waiting = Registration.objects.filter(activity=activity, status="waitlisted").count()
    assert (confirmed, waiting) == (20, 180)
    activity.refresh_from_db()
    assert (activity.confirmed_count, activity.waitlist_count) == (20, 180)


@pytest.mark.skipif(
    not ON_POSTGRES,
    reason="SQLite serialises every write transaction "
    "(BEGIN IMMEDIATE), so without the row lock it still cannot oversell; "
    "the control run needs PostgreSQL",
)
def test_control_without_the_row_lock_oversells_so_the_race_test_is_real(crowd, settings):
    settings.KEPU_SIGNUP_LOCK = False
    activity, users = crowd
    run_all(signups(activity, users))
    confirmed = Registration.objects.filter(activity=activity, status="confirmed").count()
    assert confirmed > 20


def test_parallel_duplicate_signups_give_one_registration_and_clear_refusals(published, tree):
    user = tree.public
    calls = [
        (lambda: services.register_for_activity(published.pk, user=user, name="甲", consent=True))
        for _ in range(10)
    ]
    results, errors = run_all(calls)
    assert len(results) == 1
    assert errors == ["already_registered"] * 9
    assert Registration.objects.filter(activity=published, user=user).count() == 1


def test_parallel_double_check_ins_check_in_once_and_say_so(published, tree):
    reg = services.register_for_activity(published.pk, user=tree.public, name="甲", consent=True)
    calls = [
        (lambda: services.check_in_ticket(published, actor=tree.reporter_a, code=reg.ticket_code))
        for _ in range(10)
    ]
    results, errors = run_all(calls)
    assert len(results) == 1
    assert errors == ["already_checked_in"] * 9
    assert CheckIn.objects.filter(registration=reg).count() == 1
