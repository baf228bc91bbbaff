from django.apps import apps

from kepu.activities.models import Activity, Registration
from kepu.campaigns.models import Campaign
from kepu.organisations import scoping
from kepu.organisations.models import Organisation
from kepu.organisations.scoping import ScopedQuerySet


def test_every_model_owned_by_an_organisation_uses_the_scoped_queryset():
    exempt = {
        "organisations.membership",
        "core.auditentry",
        "organisations.organisation",
        "campaigns.campaigntarget",
        "campaigns.deadlinereopening",
    }
    missing = []
    for model in apps.get_models():
        if not model.__module__.startswith("kepu."):
            continue
        owned = any(
            getattr(f, "related_model", None) in (Organisation, Activity, Campaign)
            for f in model._meta.concrete_fields
        )
        if owned and model._meta.label_lower not in exempt:
            if not isinstance(model._default_manager.all(), ScopedQuerySet):
                missing.append(model._meta.label_lower)
    assert missing == []


def test_a_membership_grants_its_subtree_and_never_upward_or_sideways(tree, make_activity):
    mine = make_activity(status="draft")
    theirs = make_activity(status="draft", organisation=tree.unit_b)
    assert set(Activity.objects.for_user(tree.reporter_a, "activities.view")) == {mine}
    assert set(Activity.objects.for_user(tree.reporter_b, "activities.view")) == {theirs}
    assert set(Activity.objects.for_user(tree.reviewer, "activities.view")) == {mine, theirs}
    assert set(Activity.objects.for_user(tree.public, "activities.view")) == set()
    # The reporter of unit A sees nothing of the county above it.
    assert not scoping.has_perm(tree.reporter_a, "activities.view", tree.county)


def test_a_role_grants_only_its_own_permissions(tree):
    assert scoping.has_perm(tree.reviewer, "activities.review", tree.unit_a)
    assert not scoping.has_perm(tree.reporter_a, "activities.review", tree.unit_a)
    assert not scoping.has_perm(tree.reviewer, "campaigns.manage", tree.unit_a)


def test_scoping_of_registrations_follows_the_activity_owner(tree, published):
    from kepu.activities import services

    services.register_for_activity(published.pk, user=tree.public, name="甲", consent=True)
    assert Registration.objects.for_user(tree.reporter_a, "activities.view").count() == 1
    assert Registration.objects.for_user(tree.reporter_b, "activities.view").count() == 0


def test_prefix_paths_do_not_leak_between_similar_paths(tree):
    # Paths are fixed-width steps, so "0001" never matches a sibling like "00010"…
    assert all(len(o.path) % 4 == 0 for o in Organisation.objects.all())


def test_the_line_of_a_subtree_reaches_up_and_down_but_not_sideways(tree):
    from kepu.organisations import scoping
    from kepu.organisations.services import add_organisation

    other = add_organisation(
        parent=tree.city, name="海原县科协", kind="association", level="county", region=None
    )
    q = scoping.line_q([tree.county.path], field="")
    found = set(Organisation.objects.filter(q).values_list("pk", flat=True))
    assert found == {tree.province.pk, tree.city.pk, tree.county.pk, tree.unit_a.pk, tree.unit_b.pk}
    assert other.pk not in found
    assert scoping.on_line(tree.city.path, [tree.unit_a.path])
    assert scoping.on_line(tree.unit_b.path, [tree.county.path])
    assert not scoping.on_line(tree.unit_b.path, [tree.unit_a.path])
