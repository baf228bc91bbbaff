import datetime as dt

import pytest
from django.utils import timezone

from conftest import make_user
from kepu.activities import services
from kepu.activities.models import Activity, Registration
from kepu.core.errors import Conflict, DomainError

S = Registration.Status


@pytest.fixture
def small(published):
    Activity.objects.filter(pk=published.pk).update(capacity=2)
    published.refresh_from_db()
    return published


def sign_up(activity, user, **extra):
    return services.register_for_activity(
        activity.pk, user=user, name=user.name, consent=True, **extra
    )


def people(n):
    return [make_user(f"1390000{i:04d}", f"参与者{i}") for i in range(n)]


def test_places_fill_then_the_waiting_list_grows_in_order(small):
    regs = [sign_up(small, p) for p in people(4)]
    assert [r.status for r in regs] == [S.CONFIRMED, S.CONFIRMED, S.WAITLISTED, S.WAITLISTED]
    small.refresh_from_db()
    assert (small.confirmed_count, small.waitlist_count, small.places_left) == (2, 2, 0)


def test_a_place_freed_after_the_activity_filled_goes_to_the_next_person(small):
    # The process remembers the activity as full and tries the waiting list first; the
    # statement re-checks the row, finds a free place and the sign-up is confirmed.
    a, b, c = people(3)
    first = sign_up(small, a)
    sign_up(small, b)
    services.cancel_registration(first, user=a)  # nobody waiting: a place is free again
    assert sign_up(small, c).status == S.CONFIRMED
    small.refresh_from_db()
    assert (small.confirmed_count, small.waitlist_count) == (2, 0)


def test_an_activity_that_filled_elsewhere_puts_the_next_person_on_the_waiting_list(small):
    # Remembered as having places (another process took the last ones): waiting list anyway.
    a, b, c = people(3)
    sign_up(small, a)
    Activity.objects.filter(pk=small.pk).update(confirmed_count=2)
    assert sign_up(small, b).status == S.WAITLISTED
    Activity.objects.filter(pk=small.pk).update(confirmed_count=1)
    assert sign_up(small, c).status == S.CONFIRMED


def test_a_person_cannot_sign_up_twice(small, tree):
    sign_up(small, tree.public)
    with pytest.raises(Conflict) as err:
        sign_up(small, tree.public)
    assert err.value.code == "already_registered"
    assert Registration.objects.filter(activity=small, user=tree.public).count() == 1


def test_cancelling_a_confirmed_place_promotes_the_first_in_line_and_tells_them(small):
    a, b, c, d = people(4)
    first = sign_up(small, a)
    for p in (b, c, d):
        sign_up(small, p)
    services.cancel_registration(first, user=a)
    statuses = dict(Registration.objects.filter(activity=small).values_list("user__name", "status"))
    assert statuses == {
        a.name: S.CANCELLED,
        b.name: S.CONFIRMED,
        c.name: S.CONFIRMED,
        d.name: S.WAITLISTED,
    }
    promoted = Registration.objects.get(user=c)
    assert promoted.promoted_at is not None
    assert c.notifications.filter(message__contains=small.title).exists()
    assert not d.notifications.exists()
    small.refresh_from_db()
    assert (small.confirmed_count, small.waitlist_count) == (2, 1)


def test_leaving_the_waiting_list_promotes_nobody(small):
    a, b, c = people(3)
    sign_up(small, a)
    sign_up(small, b)
    waiting = sign_up(small, c)
    services.cancel_registration(waiting, user=c)
    small.refresh_from_db()
    assert (small.confirmed_count, small.waitlist_count) == (2, 0)
    waiting.refresh_from_db()
    assert waiting.status == S.CANCELLED


def test_raising_the_capacity_promotes_as_many_as_new_places(small, tree):
    regs = [sign_up(small, p) for p in people(5)]
    services.change_capacity(small, actor=tree.reporter_a, capacity=4)
    statuses = [Registration.objects.get(pk=r.pk).status for r in regs]
    assert statuses == [S.CONFIRMED] * 4 + [S.WAITLISTED]


def test_capacity_cannot_drop_below_the_confirmed_count(small, tree):
    for p in people(2):
        sign_up(small, p)
    with pytest.raises(DomainError) as err:
        services.change_capacity(small, actor=tree.reporter_a, capacity=1)
    assert err.value.code == "capacity_below_confirmed"
    small.refresh_from_db()
    assert small.capacity == 2


def test_a_person_may_sign_up_again_after_cancelling(small, tree):
    reg = sign_up(small, tree.public)
    services.cancel_registration(reg, user=tree.public)
    again = sign_up(small, tree.public)
    assert again.status == S.CONFIRMED


def test_only_the_owner_can_cancel(small, tree):
    reg = sign_up(small, tree.public)
    with pytest.raises(DomainError) as err:
        services.cancel_registration(reg, user=tree.reporter_b)
    assert err.value.code == "not_found"


def test_consent_is_required_and_nothing_is_stored_without_it(small, tree):
    with pytest.raises(DomainError) as err:
        services.register_for_activity(small.pk, user=tree.public, name="甲", consent=False)
    assert err.value.code == "consent_required"
    assert not Registration.objects.exists()


def test_a_minor_needs_a_guardians_consent_which_is_recorded(small, tree):
    with pytest.raises(DomainError) as err:
        sign_up(small, tree.public, is_minor=True)
    assert err.value.code == "guardian_consent_required"
    reg = sign_up(small, tree.public, is_minor=True, guardian_name="家长乙", guardian_consent=True)
    assert reg.guardian_consent_at is not None
    assert reg.guardian_name == "家长乙"


def test_sign_up_is_closed_for_drafts_and_after_the_start(make_activity, tree):
    draft = make_activity(status="draft")
    with pytest.raises(DomainError) as err:
        sign_up(draft, tree.public)
    # A draft is not public: the sign-up is told it does not exist, as a page would say.
    assert err.value.code == "not_found"
    assert not Registration.objects.filter(activity=draft).exists()
    finished = make_activity()
    Activity.objects.filter(pk=finished.pk).update(status=Activity.Status.FINISHED)
    with pytest.raises(DomainError) as err:
        sign_up(finished, tree.public)
    assert err.value.code == "signup_closed"
    started = make_activity(starts_at=timezone.now() - dt.timedelta(minutes=5))
    with pytest.raises(DomainError) as err:
        sign_up(started, tree.public)
    assert err.value.code == "signup_closed"


def test_unlimited_capacity_confirms_everyone(make_activity):
    activity = make_activity(capacity=None)
    assert all(sign_up(activity, p).status == S.CONFIRMED for p in people(3))
